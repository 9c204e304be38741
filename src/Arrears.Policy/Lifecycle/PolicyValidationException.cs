namespace Arrears.Policy;

/// <summary>Thrown when a policy's settings are invalid; lists every problem at once.</summary>
/// <example>
/// <code>
/// try
/// {
///     LifecyclePolicy.Create(new LifecyclePolicyOptions { Grace = Duration.FromHours(-1) });
/// }
/// catch (PolicyValidationException ex)
/// {
///     foreach (var error in ex.Errors) Console.Error.WriteLine(error);   // grace: must not be negative, got "-PT1H"
/// }
/// </code>
/// </example>
public sealed class PolicyValidationException : ArgumentException
{
    /// <summary>Initializes a new exception.</summary>
    public PolicyValidationException()
        : this(Array.Empty<ValidationError>())
    {
    }

    /// <summary>Initializes a new exception with one problem that has no field.</summary>
    /// <param name="message">The problem.</param>
    public PolicyValidationException(string message)
        : this([new ValidationError("$", message)])
    {
    }

    /// <summary>Initializes a new exception with one problem that has no field, and its cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public PolicyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ValidationError("$", message)];
    }

    /// <summary>Initializes a new exception with every problem found.</summary>
    /// <param name="errors">Each problem, naming the field and the value.</param>
    public PolicyValidationException(IReadOnlyList<ValidationError> errors)
        : base(errors is { Count: > 0 } ? "Invalid policy: " + string.Join("; ", errors) : "Invalid policy.")
    {
        Errors = errors ?? [];
    }

    /// <summary>Gets every problem found, each naming the field and the value.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }
}
