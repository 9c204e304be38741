using Arrears.Policy.Text;
using System.Globalization;
using System.Net.Sockets;
using Arrears.Policy.Runtime;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using NodaTime;
using static Arrears.Policy.Notifications.NotificationText;

namespace Arrears.Policy.Notifications;

/// <summary>
/// Delivers notifications by email through an SMTP server (MailKit): one connection per delivery, a
/// <c>Message-Id</c> derived from the idempotency key, and failures returned as transient or permanent results.
/// </summary>
/// <remarks>
/// <para>
/// Every attempt of one notification carries the same <c>Message-Id</c> (<c>arrears.{hash of the key}@{sender's domain}</c>)
/// and the key itself in an <c>Idempotency-Key</c> header, so that a repeat after a crash is recognisably the same
/// message; <c>Auto-Submitted: auto-generated</c> keeps auto-responders from answering it.
/// </para>
/// <para>
/// A 5xx reply to a command (the recipient, the sender or the message rejected) is a permanent failure, with the reply
/// in the reason; a 4xx reply, a refused or dropped connection, a TLS or protocol error, refused credentials and a
/// timeout are transient: they are faults of the moment or of the configuration, not of the notification, and are
/// retried. An address that is not an email address fails permanently without connecting. Reasons never hold an email
/// address or a phone number: those in a server's reply are replaced.
/// </para>
/// <para>The notifier holds no connection between deliveries and is safe to use from several threads at once.</para>
/// </remarks>
/// <example>
/// <code>
/// var notifier = new SmtpEmailNotifier(
///     new SmtpEmailNotifierOptions { Host = "smtp.example.com", FromAddress = "billing@example.com" },
///     clock);
/// DeliveryResult result = await notifier.DeliverAsync(delivery, cancellationToken);
/// // Delivered, or for example "PermanentFailure: the SMTP server rejected the recipient: 550 5.1.1 &lt;[address]&gt;: User unknown"
/// </code>
/// </example>
public sealed class SmtpEmailNotifier : INotifier
{
    private readonly string _host;
    private readonly int _port;
    private readonly SecureSocketOptions _secureSocketOptions;
    private readonly (string UserName, string Password)? _credentials;
    private readonly MailboxAddress _from;
    private readonly string _messageIdDomain;
    private readonly Duration _timeout;
    private readonly IClock _clock;
    private readonly INotificationTemplates _templates;

    /// <summary>Initializes a notifier.</summary>
    /// <param name="options">The settings; they are validated and copied, so later changes to them do not affect the notifier.</param>
    /// <param name="clock">The clock that dates each message (its <c>Date</c> header).</param>
    /// <param name="templates">The wording of the messages; <see langword="null"/> for <see cref="EnglishNotificationTemplates"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="clock"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem, naming the field and the value.</exception>
    public SmtpEmailNotifier(SmtpEmailNotifierOptions options, IClock clock, INotificationTemplates? templates = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid SMTP email notifier options: " + string.Join("; ", errors), nameof(options));
        }

        Channel = options.Channel;
        _host = options.Host;
        _port = options.Port;
        _secureSocketOptions = options.SecureSocketOptions;
        _credentials = options.UserName is null ? null : (options.UserName, options.Password!);
        var from = ParseAddress(options.FromAddress)!;
        _from = new MailboxAddress(options.FromName, from.Address);
        _messageIdDomain = from.Domain;
        _timeout = options.Timeout;
        _clock = clock;
        _templates = templates ?? EnglishNotificationTemplates.Instance;
    }

    /// <inheritdoc />
    public string Channel { get; }

    /// <summary>Gets <see cref="ContactKind.Email"/>: the notifier needs the recipient's email address.</summary>
    public ContactKind Contact => ContactKind.Email;

    /// <summary>Lists every problem of a set of options without creating a notifier.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>Each problem as the field (for example <c>port</c>) and what is wrong with its value; empty when the options are valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<ValidationError> Validate(SmtpEmailNotifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(options.Channel))
        {
            errors.Add(new("channel", $"must not be empty, got \"{Id(options.Channel ?? string.Empty)}\""));
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add(new("host", $"must not be empty, got \"{Id(options.Host ?? string.Empty)}\""));
        }
        else if (options.Host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add(new("host", $"must be a host name or an address without spaces, got \"{Id(options.Host)}\""));
        }

        if (options.Port is < 1 or > 65535)
        {
            errors.Add(new("port", string.Create(CultureInfo.InvariantCulture, $"must be from 1 to 65535, got \"{options.Port}\"")));
        }

        if (!Enum.IsDefined(options.SecureSocketOptions))
        {
            errors.Add(new("secureSocketOptions", $"must be None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable, got \"{options.SecureSocketOptions}\""));
        }

        if (options.UserName is not null)
        {
            if (string.IsNullOrWhiteSpace(options.UserName))
            {
                errors.Add(new("userName", $"must be null (no authentication) or a user name, got \"{Id(options.UserName)}\""));
            }

            if (string.IsNullOrEmpty(options.Password))
            {
                errors.Add(new("password", "must be set when userName is set, got none"));
            }

            if (options.SecureSocketOptions is SecureSocketOptions.None or SecureSocketOptions.StartTlsWhenAvailable)
            {
                errors.Add(new(
                    "secureSocketOptions",
                    $"must secure the connection when credentials are set (Auto, SslOnConnect or StartTls), got \"{options.SecureSocketOptions}\""));
            }
        }
        else if (options.Password is not null)
        {
            errors.Add(new("password", "is set but userName is not; set both or neither"));
        }

        if (ParseAddress(options.FromAddress) is null)
        {
            errors.Add(new("fromAddress", $"must be an email address such as billing@example.com, got \"{Id(options.FromAddress ?? string.Empty)}\""));
        }

        if (options.FromName is not null && (string.IsNullOrWhiteSpace(options.FromName) || options.FromName.Any(char.IsControl)))
        {
            errors.Add(new("fromName", $"must be null or a one-line name, got \"{Id(options.FromName)}\""));
        }

        if (options.Timeout <= Duration.Zero || options.Timeout > Duration.FromHours(1))
        {
            errors.Add(new("timeout", $"must be positive and at most one hour, got \"{IsoDurationPattern.Instance.Format(options.Timeout)}\""));
        }

        return errors;
    }

    /// <summary>Sends one notification as an email to <see cref="NotificationDelivery.Address"/>.</summary>
    /// <param name="delivery">The notification; its address must be an email address.</param>
    /// <param name="cancellationToken">Cancels the delivery; an <see cref="OperationCanceledException"/> is then thrown.</param>
    /// <returns>
    /// <see cref="DeliveryResult.Delivered"/> once the server accepted the message; a permanent failure for a 5xx reply or
    /// an address that is not an email address; a transient failure otherwise.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="delivery"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        cancellationToken.ThrowIfCancellationRequested();
        if (ParseAddress(delivery.Address) is not { } to)
        {
            return DeliveryResult.Permanent("the recipient's address is not an email address");
        }

        using var message = Compose(delivery, to);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout.ToTimeSpan());
        using var client = new SmtpClient { Timeout = (int)_timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(_host, _port, _secureSocketOptions, timeout.Token).ConfigureAwait(false);
            if (_credentials is var (userName, password))
            {
                await client.AuthenticateAsync(userName, password, timeout.Token).ConfigureAwait(false);
            }

            await client.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut();
        }
        catch (TimeoutException)
        {
            return TimedOut();
        }
        catch (SmtpCommandException exception)
        {
            return Rejected(exception);
        }
        catch (AuthenticationException)
        {
            return DeliveryResult.Transient("the SMTP server refused the credentials");
        }
        catch (SslHandshakeException)
        {
            return DeliveryResult.Transient("the TLS handshake with the SMTP server failed");
        }
        catch (SmtpProtocolException exception)
        {
            return DeliveryResult.Transient(Reason("the SMTP conversation failed", exception.Message));
        }
        catch (SocketException exception)
        {
            return DeliveryResult.Transient($"could not reach the SMTP server: {exception.SocketErrorCode}");
        }
        catch (IOException)
        {
            return DeliveryResult.Transient("the connection to the SMTP server failed");
        }
        catch (Exception exception) when (exception is ServiceNotConnectedException or NotSupportedException)
        {
            // NotSupportedException: the server lacks what the options require, such as STARTTLS or authentication.
            return DeliveryResult.Transient(Reason("the SMTP server cannot take the message as configured", exception.Message));
        }

        // The server has accepted the message: a failure to say goodbye changes nothing, and must not cause a repeat.
        await QuitQuietlyAsync(client).ConfigureAwait(false);
        return DeliveryResult.Delivered;
    }

    private static async Task QuitQuietlyAsync(SmtpClient client)
    {
        using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await client.DisconnectAsync(quit: true, quit.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or TimeoutException or
                                              SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException)
        {
            // The connection is dropped by disposing the client.
        }
    }

    private static DeliveryResult Rejected(SmtpCommandException exception)
    {
        var code = (int)exception.StatusCode;
        var what = exception.ErrorCode switch
        {
            SmtpErrorCode.RecipientNotAccepted => "the recipient",
            SmtpErrorCode.SenderNotAccepted => "the sender",
            SmtpErrorCode.MessageNotAccepted => "the message",
            _ => "a command",
        };
        var reply = string.Create(CultureInfo.InvariantCulture, $"{code} {Safe(exception.Message)}").TrimEnd();
        return code is >= 500 and < 600
            ? DeliveryResult.Permanent($"the SMTP server rejected {what}: {reply}")
            : DeliveryResult.Transient($"the SMTP server deferred {what}: {reply}");
    }

    /// <summary>Returns a bare address (<c>local@domain</c>, no display name, no route) as a mailbox, or null.</summary>
    private static MailboxAddress? ParseAddress(string? text) =>
        string.IsNullOrWhiteSpace(text) || text.Any(char.IsControl) ||
        !MailboxAddress.TryParse(text, out var parsed) ||
        !string.IsNullOrEmpty(parsed.Name) || parsed.Route.Count > 0 ||
        string.IsNullOrEmpty(parsed.LocalPart) || string.IsNullOrEmpty(parsed.Domain)
            ? null
            : parsed;

    private DeliveryResult TimedOut() => DeliveryResult.Transient($"the SMTP server did not answer within {Seconds(_timeout)}");

    private MimeMessage Compose(NotificationDelivery delivery, MailboxAddress to)
    {
        var content = _templates.Email(delivery) ?? throw new InvalidOperationException("The notification templates returned no email content.");
        var message = new MimeMessage
        {
            MessageId = MessageId(delivery.Key, _messageIdDomain),
            Date = _clock.GetCurrentInstant().ToDateTimeOffset(),
            Subject = content.Subject,
            Body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = content.Body },
        };
        message.From.Add(_from);
        message.To.Add(to);
        message.Headers.Add("Idempotency-Key", HeaderValue(delivery.Key));
        message.Headers.Add(HeaderId.AutoSubmitted, "auto-generated");
        return message;
    }
}
