using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.Notifications;

/// <summary>
/// The mutable, bindable settings of a <see cref="WebhookNotifier"/>, each with a documented default. The notifier
/// copies and validates them when it is created; <see cref="WebhookNotifier.Validate(WebhookNotifierOptions)"/> lists
/// every problem without creating one.
/// </summary>
/// <example>
/// <code>
/// // An SMS gateway that takes the notification as JSON and texts the address (a phone number).
/// var options = new WebhookNotifierOptions
/// {
///     Endpoint = new Uri("https://sms-gateway.example.com/arrears"),
///     Secret = secrets["sms-webhook-secret"],
///     Channel = "SMS",
///     Contact = ContactKind.Phone,
/// };
/// </code>
/// </example>
public sealed class WebhookNotifierOptions
{
    /// <summary>Initializes options holding the documented defaults.</summary>
    public WebhookNotifierOptions()
    {
    }

    /// <summary>Gets or sets the channel the notifier delivers, as policies name it (for example <c>SMS</c>). Default: <c>Webhook</c>. Not empty.</summary>
    public string Channel { get; set; } = "Webhook";

    /// <summary>
    /// Gets or sets the kind of address the endpoint needs: <see cref="ContactKind.Phone"/> for an SMS gateway,
    /// <see cref="ContactKind.Email"/> for an email service, <see cref="ContactKind.None"/> (the default) for the host's
    /// own service, which then receives the recipient's id as the address.
    /// </summary>
    public ContactKind Contact { get; set; } = ContactKind.None;

    /// <summary>
    /// Gets or sets the absolute <c>http</c> or <c>https</c> address notifications are posted to. Required. The body holds
    /// addresses (email addresses, phone numbers): use <c>https</c> for anything beyond the host's own network.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Gets or sets the secret shared with the receiver, which signs every request (HMAC-SHA256 over its UTF-8 bytes, see
    /// <see cref="WebhookSignature"/>). Required: at least 16 bytes of UTF-8, better 32 random bytes in Base64. Never
    /// written into an error message.
    /// </summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets how long one request may take, up to the response's headers; a request that takes longer fails
    /// transiently. Default: 10 seconds. Positive, at most one hour. The <see cref="HttpClient.Timeout"/> of the client
    /// passed to the notifier applies as well.
    /// </summary>
    public Duration Timeout { get; set; } = Duration.FromSeconds(10);
}
