using Arrears.Policy.Runtime;
using static Arrears.Policy.Notifications.NotificationText;

namespace Arrears.Policy.Notifications;

/// <summary>
/// The default English messages, one per <see cref="NotificationKind"/>: what happened, the balance with its currency,
/// and the next deadline in the account's time zone.
/// </summary>
/// <remarks>
/// Instants read like <c>2 Feb 2026 16:30 (Asia/Shanghai)</c> (with seconds only when they are not zero), amounts like
/// <c>-20.00 CNY</c>. Control characters in ids are written as escapes such as <c>\u000a</c>, so that an id can never
/// add a line or a header to a message.
/// </remarks>
/// <example>
/// <code>
/// var content = EnglishNotificationTemplates.Instance.Email(delivery);
/// // content.Subject: "Account acct-1: service suspended"
/// // content.Body:    "The service of account acct-1 was suspended on 2 Feb 2026 16:30 (Asia/Shanghai) because the
/// //                   balance is -20.00 CNY. Pay the arrears before 1 Aug 2026 16:30 (Asia/Shanghai) to resume it; ..."
/// var sms = EnglishNotificationTemplates.Instance.ShortText(delivery);
/// // "Account acct-1 is suspended, balance -20.00 CNY. Pay before 1 Aug 2026 16:30 (Asia/Shanghai) or its data is deleted."
/// </code>
/// </example>
public sealed class EnglishNotificationTemplates : INotificationTemplates
{
    private EnglishNotificationTemplates()
    {
    }

    /// <summary>Gets the templates (they hold no state).</summary>
    public static EnglishNotificationTemplates Instance { get; } = new();

    /// <inheritdoc />
    public EmailContent Email(NotificationDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var account = Account(delivery);
        var at = When(delivery.At, delivery.TimeZone);
        var balance = Money(delivery.Balance, delivery.Currency);
        var deadline = delivery.NextDeadline is { } next ? When(next, delivery.TimeZone) : null;
        var (headline, body) = delivery.Kind switch
        {
            NotificationKind.Overdue => (
                "payment overdue",
                $"The balance of {account} is {balance}: it has been overdue since {at}.\n" +
                (deadline is null
                    ? "Pay the arrears to keep the service running; otherwise it is suspended."
                    : $"Pay the arrears before {deadline} to keep the service running; after that it is suspended.")),
            NotificationKind.Suspended => (
                "service suspended",
                $"The service of {account} was suspended on {at} because the balance is {balance}.\n" +
                (deadline is null
                    ? "Pay the arrears to resume it; otherwise its configuration and data are deleted."
                    : $"Pay the arrears before {deadline} to resume it; after that its configuration and data are deleted.")),
            NotificationKind.PurgeWarning => (
                "data will be deleted",
                (deadline is null
                    ? $"The configuration and data of {account} will be deleted soon"
                    : $"The configuration and data of {account} will be deleted on {deadline}") +
                $": the service is suspended and the balance is {balance}.\n" +
                "Pay the arrears before then to resume the service and keep the data."),
            NotificationKind.Resumed => (
                "service resumed",
                $"The service of {account} resumed on {at} after payment. The balance is {balance}."),
            NotificationKind.Purged => (
                "data deleted",
                $"The configuration and data of {account} were deleted on {at} because the arrears were not paid. The balance is {balance}."),
            NotificationKind.BalanceLow => (
                "balance low",
                $"The balance of {account} fell to {balance} on {at}, below its alarm threshold.\nTop up to keep the service running."),
            _ => (
                $"notification {delivery.Kind}",
                $"Notification {delivery.Kind} for {account} on {at}. The balance is {balance}."),
        };
        return new EmailContent($"{Subject(delivery)}: {headline}", body + "\n");
    }

    /// <inheritdoc />
    public string ShortText(NotificationDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var who = Subject(delivery);
        var at = When(delivery.At, delivery.TimeZone);
        var balance = Money(delivery.Balance, delivery.Currency);
        var deadline = delivery.NextDeadline is { } next ? When(next, delivery.TimeZone) : null;
        return delivery.Kind switch
        {
            NotificationKind.Overdue => deadline is null
                ? $"{who} is overdue, balance {balance}. Pay now to avoid suspension."
                : $"{who} is overdue, balance {balance}. Pay before {deadline} to avoid suspension.",
            NotificationKind.Suspended => deadline is null
                ? $"{who} is suspended, balance {balance}. Pay to resume it before its data is deleted."
                : $"{who} is suspended, balance {balance}. Pay before {deadline} or its data is deleted.",
            NotificationKind.PurgeWarning => deadline is null
                ? $"{who}: data will be deleted soon, balance {balance}. Pay to keep it."
                : $"{who}: data will be deleted on {deadline}, balance {balance}. Pay to keep it.",
            NotificationKind.Resumed => $"{who} resumed on {at}, balance {balance}.",
            NotificationKind.Purged => $"{who}: data deleted on {at} (arrears unpaid), balance {balance}.",
            NotificationKind.BalanceLow => $"{who}: balance low, {balance} on {at}. Top up to avoid arrears.",
            _ => $"{who}: {delivery.Kind} on {at}, balance {balance}.",
        };
    }

    /// <summary>"account acct-1" or "account acct-1 (product apigw)", for sentences.</summary>
    private static string Account(NotificationDelivery delivery) =>
        delivery.Product is null ? $"account {Id(delivery.Account)}" : $"account {Id(delivery.Account)} (product {Id(delivery.Product)})";

    /// <summary>"Account acct-1" or "Account acct-1 (apigw)", for subjects and short texts.</summary>
    private static string Subject(NotificationDelivery delivery) =>
        delivery.Product is null ? $"Account {Id(delivery.Account)}" : $"Account {Id(delivery.Account)} ({Id(delivery.Product)})";
}
