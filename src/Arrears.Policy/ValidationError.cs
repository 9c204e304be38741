namespace Arrears.Policy;

/// <summary>
/// One problem with an input: the path of the offending field and what is wrong with its value. Policy validation, the
/// scenario reader and options validation all report problems this way, every problem at once.
/// </summary>
/// <remarks>
/// The path uses the field names of the input as a user wrote it: <c>purgeWarnings[2]</c> for a policy,
/// <c>entries[3].amount</c> for a scenario document, <c>$</c> for a document as a whole. The message names the value,
/// for example <c>must be positive, got "-5"</c>. Two errors are equal when their paths and messages are.
/// </remarks>
/// <example>
/// <code>
/// var error = new ValidationError("entries[3].amount", "must be positive, got \"-5\"");
/// Console.Error.WriteLine(error);   // entries[3].amount: must be positive, got "-5"
/// </code>
/// </example>
public sealed class ValidationError : IEquatable<ValidationError>
{
    /// <summary>Initializes a validation error.</summary>
    /// <param name="path">The path of the offending field; not empty.</param>
    /// <param name="message">What is wrong with its value; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> or <paramref name="message"/> is empty.</exception>
    public ValidationError(string path, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        Path = path;
        Message = message;
    }

    /// <summary>Gets the path of the offending field, for example <c>entries[3].amount</c>.</summary>
    public string Path { get; }

    /// <summary>Gets what is wrong with the value, for example <c>must be positive, got "-5"</c>.</summary>
    public string Message { get; }

    /// <summary>Returns <c>"{path}: {message}"</c>, for example <c>entries[3].amount: must be positive, got "-5"</c>.</summary>
    /// <returns>The problem in one line.</returns>
    public override string ToString() => $"{Path}: {Message}";

    /// <summary>Compares two errors by path and message (ordinal).</summary>
    /// <param name="other">The other error.</param>
    /// <returns><see langword="true"/> when both have the same path and message.</returns>
    public bool Equals(ValidationError? other) =>
        other is not null && string.Equals(Path, other.Path, StringComparison.Ordinal) && string.Equals(Message, other.Message, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ValidationError);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Path), StringComparer.Ordinal.GetHashCode(Message));
}
