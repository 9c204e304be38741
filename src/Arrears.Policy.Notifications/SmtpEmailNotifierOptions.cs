using MailKit.Security;
using NodaTime;

namespace Arrears.Policy.Notifications;

/// <summary>
/// The mutable, bindable settings of a <see cref="SmtpEmailNotifier"/>, each with a documented default. The notifier
/// copies and validates them when it is created; <see cref="SmtpEmailNotifier.Validate(SmtpEmailNotifierOptions)"/>
/// lists every problem without creating one.
/// </summary>
/// <example>
/// <code>
/// var options = new SmtpEmailNotifierOptions
/// {
///     Host = "smtp.example.com",
///     Port = 587,                                   // STARTTLS is required by default
///     UserName = "notifier",
///     Password = secrets["smtp-password"],
///     FromAddress = "billing@example.com",
///     FromName = "Example Cloud Billing",
/// };
/// var notifier = new SmtpEmailNotifier(options, clock);
/// </code>
/// </example>
public sealed class SmtpEmailNotifierOptions
{
    /// <summary>Initializes options holding the documented defaults.</summary>
    public SmtpEmailNotifierOptions()
    {
    }

    /// <summary>Gets or sets the channel the notifier delivers, as policies name it. Default: <c>Email</c>. Not empty.</summary>
    public string Channel { get; set; } = "Email";

    /// <summary>Gets or sets the SMTP server's host name or address. Required.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>Gets or sets the SMTP server's port. Default: 587 (submission). From 1 to 65535.</summary>
    public int Port { get; set; } = 587;

    /// <summary>
    /// Gets or sets how the connection is secured. Default: <see cref="SecureSocketOptions.StartTls"/>, which fails rather
    /// than send in clear when the server does not offer STARTTLS. Use <see cref="SecureSocketOptions.SslOnConnect"/> for
    /// port 465, and <see cref="SecureSocketOptions.None"/> only for a relay on the same host or network.
    /// </summary>
    public SecureSocketOptions SecureSocketOptions { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>
    /// Gets or sets the user name to authenticate with, or <see langword="null"/> (the default) to send without
    /// authenticating. When set, <see cref="Password"/> is required and the connection must be secured.
    /// </summary>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the password for <see cref="UserName"/>. Default: none. Never written into an error message.</summary>
    public string? Password { get; set; }

    /// <summary>Gets or sets the sender's address, for example <c>billing@example.com</c>; its domain also ends every <c>Message-Id</c>. Required.</summary>
    public string FromAddress { get; set; } = string.Empty;

    /// <summary>Gets or sets the sender's display name, for example <c>Example Cloud Billing</c>. Default: none.</summary>
    public string? FromName { get; set; }

    /// <summary>
    /// Gets or sets how long one delivery may take, from connecting to the server's acceptance of the message; a delivery
    /// that takes longer fails transiently. Default: 30 seconds. Positive, at most one hour.
    /// </summary>
    public Duration Timeout { get; set; } = Duration.FromSeconds(30);
}
