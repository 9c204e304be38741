using Arrears.Policy.Runtime;

namespace Arrears.Policy.Notifications;

/// <summary>
/// Turns a notification into the words people read: an email's subject and body, and a short text for SMS and webhooks.
/// Pass an implementation to the notifiers to change the wording or the language.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="EnglishNotificationTemplates"/> is the default. A message should say what happened, the balance with its
/// currency (<see cref="Currency.Format(decimal)"/> and <see cref="Currency.Code"/>), and the next deadline
/// (<see cref="NotificationDelivery.NextDeadline"/>) in the account's zone (<see cref="NotificationDelivery.TimeZone"/>).
/// </para>
/// <para>
/// Templates are called once per delivery attempt, on the dispatcher's threads: keep them pure and thread-safe. Ids in a
/// delivery come from the host's data; an exception thrown here is treated by the dispatcher as a transient failure.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// public sealed class TerseTemplates : INotificationTemplates
/// {
///     public EmailContent Email(NotificationDelivery delivery) =&gt;
///         new($"{delivery.Account}: {delivery.Kind}", EnglishNotificationTemplates.Instance.Email(delivery).Body);
///
///     public string ShortText(NotificationDelivery delivery) =&gt;
///         $"{delivery.Account}: {delivery.Kind}, balance {delivery.Currency.Format(delivery.Balance)} {delivery.Currency.Code}";
/// }
/// </code>
/// </example>
public interface INotificationTemplates
{
    /// <summary>Returns the subject and plain-text body of an email.</summary>
    /// <param name="delivery">The notification.</param>
    /// <returns>The email's content.</returns>
    EmailContent Email(NotificationDelivery delivery);

    /// <summary>Returns a short text, for an SMS (ideally at most 160 characters) or the <c>text</c> field of a webhook.</summary>
    /// <param name="delivery">The notification.</param>
    /// <returns>The text.</returns>
    string ShortText(NotificationDelivery delivery);
}

/// <summary>The subject and plain-text body of an email.</summary>
/// <example>
/// <code>
/// var content = new EmailContent("Account acct-1: service suspended", "The service of account acct-1 was suspended ...");
/// </code>
/// </example>
public sealed class EmailContent
{
    /// <summary>Initializes an email's content.</summary>
    /// <param name="subject">The subject, one line; not empty.</param>
    /// <param name="body">The plain-text body; not empty.</param>
    /// <exception cref="ArgumentException">The subject or the body is empty, or the subject has a line break.</exception>
    public EmailContent(string subject, string body)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        if (subject.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("subject: must be one line, got a line break", nameof(subject));
        }

        Subject = subject;
        Body = body;
    }

    /// <summary>Gets the subject.</summary>
    public string Subject { get; }

    /// <summary>Gets the plain-text body.</summary>
    public string Body { get; }
}
