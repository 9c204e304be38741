using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>What an outbox message carries: a notification to one recipient over one channel, or an enforcement action.</summary>
public enum OutboxKind
{
    /// <summary>A notification: delivered by the <see cref="INotifier"/> of its channel.</summary>
    Notification = 0,

    /// <summary>An enforcement action: carried out by the <see cref="IEnforcementHandler"/>.</summary>
    Enforcement = 1,
}

/// <summary>Where an outbox message stands.</summary>
public enum OutboxStatus
{
    /// <summary>Waiting to be delivered (for the first time, or again after a transient failure).</summary>
    Pending = 0,

    /// <summary>Delivered (or carried out).</summary>
    Delivered = 1,

    /// <summary>Failed permanently, or too many times: kept for an operator, never retried on its own.</summary>
    DeadLettered = 2,
}

/// <summary>
/// One effect of a decision, saved in the same unit of work as the decision itself and delivered at least once with its
/// <see cref="Key"/>: a notification or an enforcement action. The row a store keeps in its outbox.
/// </summary>
/// <remarks>
/// Keys are unique in a store: saving a message whose key exists is a no-op, so an evaluation repeated after a crash adds
/// nothing twice. <see cref="Sequence"/> orders the messages of one account as they were decided; the dispatcher delivers
/// an account's messages in that order, so a customer hears "suspended" before "resumed".
/// </remarks>
/// <example>
/// <code>
/// foreach (var message in await store.QueryOutboxAsync(OutboxStatus.DeadLettered, 100, cancellationToken))
/// {
///     Console.WriteLine($"{message.Key}: {message.LastError} after {message.Attempts} attempt(s)");
/// }
/// </code>
/// </example>
public sealed class OutboxMessage
{
    /// <summary>Initializes a message; stores set every required property.</summary>
    public OutboxMessage()
    {
    }

    /// <summary>Gets the idempotency key: a notification's <see cref="NotificationKey"/> or an action's <see cref="EnforcementAction.Key"/>.</summary>
    public required string Key { get; init; }

    /// <summary>Gets the account id.</summary>
    public required string Account { get; init; }

    /// <summary>Gets the position of the message among the account's messages, assigned by the store when it is saved.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets what the message carries.</summary>
    public required OutboxKind Kind { get; init; }

    /// <summary>Gets the kind of notification; meaningful for <see cref="OutboxKind.Notification"/>.</summary>
    public NotificationKind Notification { get; init; }

    /// <summary>Gets the kind of action; meaningful for <see cref="OutboxKind.Enforcement"/>.</summary>
    public EnforcementKind Enforcement { get; init; }

    /// <summary>Gets the product, or <see langword="null"/> for a single-product account or an account-level alarm.</summary>
    public string? Product { get; init; }

    /// <summary>Gets the arrears episode.</summary>
    public int Episode { get; init; }

    /// <summary>Gets the instant of the event.</summary>
    public required Instant At { get; init; }

    /// <summary>Gets the balance the decision was based on.</summary>
    public decimal Balance { get; init; }

    /// <summary>Gets the recipient; set for notifications.</summary>
    public string? Recipient { get; init; }

    /// <summary>Gets the channel; set for notifications.</summary>
    public string? Channel { get; init; }

    /// <summary>Gets the next deadline the recipient should know of, if any (see <see cref="NotificationDelivery.NextDeadline"/>).</summary>
    public Instant? NextDeadline { get; init; }

    /// <summary>Gets the ISO 4217 code of the account's currency.</summary>
    public required string Currency { get; init; }

    /// <summary>Gets the id of the account's time zone (an IANA id such as <c>Asia/Shanghai</c>).</summary>
    public required string TimeZone { get; init; }

    /// <summary>Gets where the message stands.</summary>
    public OutboxStatus Status { get; init; }

    /// <summary>Gets the number of delivery attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets when the message may be attempted next.</summary>
    public Instant NextAttemptAt { get; init; }

    /// <summary>Gets why the last attempt failed, or <see langword="null"/>.</summary>
    public string? LastError { get; init; }

    /// <summary>Returns the action of an enforcement message.</summary>
    /// <returns>The action.</returns>
    /// <exception cref="InvalidOperationException">The message is a notification.</exception>
    public EnforcementAction ToAction() => Kind == OutboxKind.Enforcement
        ? new EnforcementAction(Account, Product, Episode, Enforcement, At)
        : throw new InvalidOperationException($"outbox message \"{Key}\" is a notification, not an enforcement action");
}
