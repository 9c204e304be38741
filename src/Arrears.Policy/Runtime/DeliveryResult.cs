namespace Arrears.Policy.Runtime;

/// <summary>The outcome of one delivery attempt: delivered, failed for now (retry), or failed for good (dead-letter).</summary>
/// <remarks>The default value is <see cref="Delivered"/>.</remarks>
/// <example>
/// <code>
/// return response.StatusCode switch
/// {
///     HttpStatusCode.OK =&gt; DeliveryResult.Delivered,
///     HttpStatusCode.BadRequest =&gt; DeliveryResult.Permanent("the gateway rejected the message: 400"),
///     _ =&gt; DeliveryResult.Transient($"the gateway answered {(int)response.StatusCode}"),
/// };
/// </code>
/// </example>
public readonly struct DeliveryResult : IEquatable<DeliveryResult>
{
    private readonly string? _reason;

    private DeliveryResult(DeliveryOutcome outcome, string? reason)
    {
        Outcome = outcome;
        _reason = reason;
    }

    /// <summary>Gets the result of a delivered notification.</summary>
    public static DeliveryResult Delivered => default;

    /// <summary>Gets the outcome.</summary>
    public DeliveryOutcome Outcome { get; }

    /// <summary>Gets why the delivery failed, or an empty string when it was delivered.</summary>
    public string Reason => _reason ?? string.Empty;

    /// <summary>Returns a transient failure: the dispatcher retries with exponential backoff and jitter.</summary>
    /// <param name="reason">Why it failed; not empty.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty.</exception>
    public static DeliveryResult Transient(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(DeliveryOutcome.TransientFailure, reason);
    }

    /// <summary>Returns a permanent failure: the dispatcher moves the notification to the dead letters with this reason.</summary>
    /// <param name="reason">Why it failed; not empty.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty.</exception>
    public static DeliveryResult Permanent(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(DeliveryOutcome.PermanentFailure, reason);
    }

    /// <inheritdoc />
    public bool Equals(DeliveryResult other) => Outcome == other.Outcome && string.Equals(Reason, other.Reason, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DeliveryResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Outcome, StringComparer.Ordinal.GetHashCode(Reason));

    /// <summary>Returns the outcome and, for a failure, the reason.</summary>
    /// <returns>For example <c>PermanentFailure: no such mailbox</c>.</returns>
    public override string ToString() => Outcome == DeliveryOutcome.Delivered ? "Delivered" : $"{Outcome}: {Reason}";

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(DeliveryResult left, DeliveryResult right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(DeliveryResult left, DeliveryResult right) => !left.Equals(right);
}

/// <summary>What happened to one delivery attempt.</summary>
public enum DeliveryOutcome
{
    /// <summary>The channel accepted the notification.</summary>
    Delivered = 0,

    /// <summary>It failed for now (a timeout, a busy server); it is retried.</summary>
    TransientFailure = 1,

    /// <summary>It can never succeed as it is (an unknown mailbox, a rejected number); it is dead-lettered.</summary>
    PermanentFailure = 2,
}
