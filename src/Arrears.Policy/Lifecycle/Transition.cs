using NodaTime;

namespace Arrears.Policy;

/// <summary>One change of a lifecycle's state, stamped with the instant it took effect (never the evaluation time).</summary>
/// <param name="At">The effective instant.</param>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why it happened.</param>
/// <param name="Episode">The arrears episode it belongs to.</param>
/// <param name="Product">The product whose lifecycle changed, or <see langword="null"/> for a single-product account.</param>
/// <param name="IsLate">
/// <see langword="true"/> when ledger entries that became known after the previous evaluation had already passed their
/// instants caused the transition; it then takes effect at the first instant the evaluation that saw them looked at,
/// before anything else at that instant.
/// </param>
/// <example>
/// <code>
/// var suspended = evaluation.Transitions.FirstOrDefault(t =&gt; t.To == AccountStatus.Suspended);
/// // suspended.At is the deadline itself (for example 2026-02-02T08:30:00Z), never the time of the evaluation
/// </code>
/// </example>
public sealed record Transition(
    Instant At,
    AccountStatus From,
    AccountStatus To,
    TransitionReason Reason,
    int Episode,
    string? Product = null,
    bool IsLate = false);

/// <summary>
/// The intent to tell one recipient about one event over one channel. The <see cref="Key"/> is deterministic, so
/// re-evaluating never yields a second intent with the same key and a notifier can deduplicate deliveries with it.
/// </summary>
/// <param name="At">The instant of the event.</param>
/// <param name="Kind">What it is about.</param>
/// <param name="Recipient">Who receives it.</param>
/// <param name="Channel">The channel, as the policy names it (for example <c>Email</c>).</param>
/// <param name="Key">The idempotency key: account, product, episode, kind (with warning offset or alarm instant), recipient and channel.</param>
/// <param name="Episode">The arrears episode it belongs to (0 before the first, and for the account-level <see cref="NotificationKind.BalanceLow"/>).</param>
/// <param name="Product">The product, or <see langword="null"/> for a single-product account or an account-level alarm.</param>
/// <param name="Balance">
/// The balance the decision was based on: the account balance at <paramref name="At"/> after that instant's entries, or,
/// for an intent caused by late entries, the balance as of the previous evaluation with those entries included.
/// </param>
/// <example>
/// <code>
/// foreach (var intent in evaluation.Notifications)
/// {
///     // "acct-1/1/Suspended/owner@example.com/SMS": the same key is never produced twice, so deliveries can be deduplicated.
///     await notifier.SendAsync(intent.Recipient, intent.Channel, intent.Kind, intent.Key, cancellationToken);
/// }
/// </code>
/// </example>
public sealed record NotificationIntent(
    Instant At,
    NotificationKind Kind,
    string Recipient,
    string Channel,
    string Key,
    int Episode,
    string? Product,
    decimal Balance);
