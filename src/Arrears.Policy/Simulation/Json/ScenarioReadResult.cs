using System.Diagnostics.CodeAnalysis;

namespace Arrears.Policy;

/// <summary>One problem found in a scenario document: the JSON path of the offending field and what is wrong with its value.</summary>
/// <param name="Path">The JSON path, for example <c>entries[3].amount</c>, or <c>$</c> for the document itself.</param>
/// <param name="Message">What is wrong, naming the value, for example <c>must be positive, got "-5"</c>.</param>
/// <example>
/// <code>
/// var error = new ScenarioError("entries[3].amount", "must be positive, got \"-5\"");
/// Console.Error.WriteLine(error);   // entries[3].amount: must be positive, got "-5"
/// </code>
/// </example>
public sealed record ScenarioError(string Path, string Message)
{
    /// <summary>Returns <c>"{path}: {message}"</c>, for example <c>entries[3].amount: must be positive, got "-5"</c>.</summary>
    /// <returns>The problem in one line.</returns>
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>The outcome of reading a scenario document: either a <see cref="Policy.Scenario"/> or every problem found.</summary>
/// <example>
/// <code>
/// var read = ScenarioJson.Read(json);
/// if (!read.IsValid)
/// {
///     foreach (var error in read.Errors)
///     {
///         Console.Error.WriteLine(error);   // entries[3].amount: must be positive, got "-5"
///     }
/// }
/// </code>
/// </example>
public sealed class ScenarioReadResult
{
    internal ScenarioReadResult(Scenario? scenario, IReadOnlyList<ScenarioError> errors)
    {
        Scenario = scenario;
        Errors = errors;
    }

    /// <summary>Gets the scenario when the document is valid; otherwise <see langword="null"/>.</summary>
    public Scenario? Scenario { get; }

    /// <summary>Gets every problem found, in document order; empty when the document is valid.</summary>
    public IReadOnlyList<ScenarioError> Errors { get; }

    /// <summary>Gets whether the document is valid (then <see cref="Scenario"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Scenario))]
    public bool IsValid => Scenario is not null;
}

/// <summary>The outcome of reading a policy (a preset name or a policy object): either a <see cref="LifecyclePolicy"/> or every problem found.</summary>
/// <example>
/// <code>
/// var read = ScenarioJson.ReadPolicy("""{ "preset": "tencent-api-gateway", "grace": "PT2H" }""");
/// Console.WriteLine(read.IsValid ? PolicyDiagram.ToMermaid(read.Policy!) : string.Join(Environment.NewLine, read.Errors));
/// </code>
/// </example>
public sealed class PolicyReadResult
{
    internal PolicyReadResult(LifecyclePolicy? policy, IReadOnlyList<ScenarioError> errors)
    {
        Policy = policy;
        Errors = errors;
    }

    /// <summary>Gets the policy when the document is valid; otherwise <see langword="null"/>.</summary>
    public LifecyclePolicy? Policy { get; }

    /// <summary>Gets every problem found, in document order; empty when the document is valid.</summary>
    public IReadOnlyList<ScenarioError> Errors { get; }

    /// <summary>Gets whether the document is valid (then <see cref="Policy"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Policy))]
    public bool IsValid => Policy is not null;
}
