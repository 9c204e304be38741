using System.Diagnostics.CodeAnalysis;

namespace Arrears.Policy.Simulation;

/// <summary>The outcome of reading a scenario document: either a <see cref="Simulation.Scenario"/> or every problem found.</summary>
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
///
/// foreach (var warning in read.Warnings)
/// {
///     Console.Error.WriteLine("warning: " + warning);   // warning: 3 entries after until 2025-03-01T00:00:00Z are ignored
/// }
/// </code>
/// </example>
public sealed class ScenarioReadResult
{
    internal ScenarioReadResult(Scenario? scenario, IReadOnlyList<ValidationError> errors, IReadOnlyList<string>? warnings = null)
    {
        Scenario = scenario;
        Errors = errors;
        Warnings = warnings ?? [];
    }

    /// <summary>Gets the scenario when the document is valid; otherwise <see langword="null"/>.</summary>
    public Scenario? Scenario { get; }

    /// <summary>Gets every problem found, in document order; empty when the document is valid.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>
    /// Gets what the replay of a valid scenario will ignore, one sentence each, for example
    /// <c>3 entries after until 2025-03-01T00:00:00Z are ignored</c>; empty when nothing is, and for an invalid document.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }

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
    internal PolicyReadResult(LifecyclePolicy? policy, IReadOnlyList<ValidationError> errors)
    {
        Policy = policy;
        Errors = errors;
    }

    /// <summary>Gets the policy when the document is valid; otherwise <see langword="null"/>.</summary>
    public LifecyclePolicy? Policy { get; }

    /// <summary>Gets every problem found, in document order; empty when the document is valid.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>Gets whether the document is valid (then <see cref="Policy"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Policy))]
    public bool IsValid => Policy is not null;
}
