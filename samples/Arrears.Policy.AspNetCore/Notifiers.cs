using Arrears.Policy.Runtime;

namespace Arrears.Policy.AspNetCore;

/// <summary>
/// The sample's notifiers only log what they would send. A real host registers the SMTP and webhook notifiers of the
/// Arrears.Policy.Notifications package instead (see docs/notifications.md).
/// </summary>
public abstract partial class LoggingNotifier(string channel, ContactKind contact, ILogger logger) : INotifier
{
    /// <inheritdoc />
    public string Channel => channel;

    /// <inheritdoc />
    public ContactKind Contact => contact;

    /// <inheritdoc />
    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        LogWouldSend(logger, channel, delivery.Kind, delivery.Key);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel}: would send {Kind} ({Key})")]
    private static partial void LogWouldSend(ILogger logger, string channel, NotificationKind kind, string key);
}

/// <summary>The Email channel of the sample's policy.</summary>
public sealed class EmailNotifier(ILogger<EmailNotifier> logger) : LoggingNotifier("Email", ContactKind.Email, logger);

/// <summary>The SMS channel of the sample's policy.</summary>
public sealed class SmsNotifier(ILogger<SmsNotifier> logger) : LoggingNotifier("SMS", ContactKind.Phone, logger);
