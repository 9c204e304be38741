using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// One notification as the dispatcher hands it to an <see cref="INotifier"/>: what happened, to which account, the balance,
/// the next deadline, the recipient's resolved address and the idempotency key.
/// </summary>
/// <remarks>
/// The dispatcher builds it from an outbox message and the recipient directory; notifiers and message templates read it.
/// Format instants in <see cref="TimeZone"/>, the account's zone, and amounts with <see cref="Currency"/>.
/// </remarks>
/// <example>
/// <code>
/// var delivery = new NotificationDelivery
/// {
///     Key = "acct-1/1/Suspended/owner/Email",
///     Kind = NotificationKind.Suspended,
///     Account = "acct-1",
///     At = Instant.FromUtc(2026, 2, 2, 8, 30),
///     Balance = -20.00m,
///     Currency = Currency.FromCode("CNY"),
///     Recipient = "owner",
///     Channel = "Email",
///     Address = "owner@example.com",
///     NextDeadline = Instant.FromUtc(2026, 8, 1, 8, 30),
///     TimeZone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"],
/// };
/// </code>
/// </example>
public sealed class NotificationDelivery
{
    /// <summary>Initializes a delivery; set every required property.</summary>
    public NotificationDelivery()
    {
    }

    /// <summary>Gets the idempotency key: the same for every attempt of this notification, never shared with another.</summary>
    public required string Key { get; init; }

    /// <summary>Gets what the notification is about.</summary>
    public required NotificationKind Kind { get; init; }

    /// <summary>Gets the account id.</summary>
    public required string Account { get; init; }

    /// <summary>Gets the product, or <see langword="null"/> for a single-product account or an account-level alarm.</summary>
    public string? Product { get; init; }

    /// <summary>Gets the instant of the event (a deadline or an entry's instant, never the time of the evaluation).</summary>
    public required Instant At { get; init; }

    /// <summary>Gets the balance the decision was based on.</summary>
    public required decimal Balance { get; init; }

    /// <summary>Gets the account's currency.</summary>
    public required Currency Currency { get; init; }

    /// <summary>Gets the recipient's id (the account's creator or a collaborator).</summary>
    public required string Recipient { get; init; }

    /// <summary>Gets the channel, as the policy names it.</summary>
    public required string Channel { get; init; }

    /// <summary>Gets the recipient's address for this channel (an email address, a phone number), or the recipient id for a channel that needs none.</summary>
    public required string Address { get; init; }

    /// <summary>
    /// Gets the next deadline the recipient should know of: the suspension for <see cref="NotificationKind.Overdue"/>, the
    /// purge for <see cref="NotificationKind.Suspended"/> and <see cref="NotificationKind.PurgeWarning"/>; otherwise
    /// <see langword="null"/>.
    /// </summary>
    public Instant? NextDeadline { get; init; }

    /// <summary>Gets the account's time zone, in which messages state instants.</summary>
    public required DateTimeZone TimeZone { get; init; }

    /// <summary>Gets the attempt number, 1 for the first delivery attempt.</summary>
    public int Attempt { get; init; } = 1;
}
