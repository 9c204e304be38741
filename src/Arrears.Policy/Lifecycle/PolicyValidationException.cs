namespace Arrears.Policy;

/// <summary>Thrown when a policy's settings are invalid; lists every problem at once.</summary>
public sealed class PolicyValidationException : ArgumentException
{
    /// <summary>Initializes a new exception.</summary>
    public PolicyValidationException()
        : this([])
    {
    }

    /// <summary>Initializes a new exception with one problem.</summary>
    /// <param name="message">The problem.</param>
    public PolicyValidationException(string message)
        : this([message])
    {
    }

    /// <summary>Initializes a new exception with one problem and its cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public PolicyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Initializes a new exception with every problem found.</summary>
    /// <param name="errors">Each problem, naming the field and the value.</param>
    public PolicyValidationException(IReadOnlyList<string> errors)
        : base(errors is { Count: > 0 } ? "Invalid policy: " + string.Join("; ", errors) : "Invalid policy.")
    {
        Errors = errors ?? [];
    }

    /// <summary>Gets every problem found, each naming the field and the value.</summary>
    public IReadOnlyList<string> Errors { get; }
}
