using System.Net;
using System.Net.Sockets;
using MailKit.Security;
using MimeKit;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Notifications.Tests.Smtp;

/// <summary>The SMTP notifier against a real SMTP server on loopback (aiosmtpd), a closed port and a silent listener.</summary>
public sealed class SmtpEmailNotifierTests(AiosmtpdServer server) : IClassFixture<AiosmtpdServer>
{
    private static readonly Instant Now = Instant.FromUtc(2026, 2, 2, 8, 31, 15);

    private readonly FakeClock _clock = new(Now);

    [SmtpServerFact]
    public async Task DeliverAsync_AcceptedRecipient_SendsTheMessageAndDelivers()
    {
        var notifier = Notifier(server.Require().Port);
        var delivery = Deliveries.Suspended("owner@example.com", key: "acct-1/1/Suspended/owner/Email");

        var result = await notifier.DeliverAsync(delivery, CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered, result);
        var (message, recipients) = Assert.Single(server.Received(NotificationText.MessageId(delivery.Key, "example.com")));
        Assert.Equal(["owner@example.com"], recipients);
        Assert.Equal("\"Example Cloud Billing\" <billing@example.com>", message.From.ToString());
        Assert.Equal("owner@example.com", message.To.ToString());
        Assert.Equal("Account acct-1: service suspended", message.Subject);
        Assert.Equal("acct-1/1/Suspended/owner/Email", message.Headers["Idempotency-Key"]);
        Assert.Equal("auto-generated", message.Headers[HeaderId.AutoSubmitted]);
        Assert.Equal(Now, Instant.FromDateTimeOffset(message.Date));
        Assert.Equal(EnglishNotificationTemplates.Instance.Email(delivery).Body.ReplaceLineEndings("\n"), message.TextBody!.ReplaceLineEndings("\n"));
    }

    [SmtpServerFact]
    public async Task DeliverAsync_SameKeyTwice_SendsTwoMessagesWithOneMessageId()
    {
        var notifier = Notifier(server.Require().Port);
        var first = Deliveries.Suspended("twice@example.com", key: "acct-2/1/Suspended/owner/Email");
        var repeat = Deliveries.Suspended("twice@example.com", key: "acct-2/1/Suspended/owner/Email", attempt: 2);
        var other = Deliveries.Suspended("twice@example.com", key: "acct-2/1/Suspended/dev/Email");

        Assert.Equal(DeliveryResult.Delivered, await notifier.DeliverAsync(first, CancellationToken.None));
        _clock.Advance(Duration.FromMinutes(1));
        Assert.Equal(DeliveryResult.Delivered, await notifier.DeliverAsync(repeat, CancellationToken.None));
        Assert.Equal(DeliveryResult.Delivered, await notifier.DeliverAsync(other, CancellationToken.None));

        var twice = server.Received(NotificationText.MessageId(first.Key, "example.com"));
        Assert.Equal(2, twice.Count);
        Assert.All(twice, m => Assert.Equal("acct-2/1/Suspended/owner/Email", m.Message.Headers["Idempotency-Key"]));
        Assert.Equal([Now, Now + Duration.FromMinutes(1)], twice.Select(m => Instant.FromDateTimeOffset(m.Message.Date)));
        Assert.Single(server.Received(NotificationText.MessageId(other.Key, "example.com")));
    }

    [SmtpServerFact]
    public async Task DeliverAsync_RecipientRejectedWith550_FailsPermanentlyWithoutNamingTheAddress()
    {
        var notifier = Notifier(server.Require().Port);
        var delivery = Deliveries.Suspended("rejected@example.com", key: "acct-3/1/Suspended/owner/Email");

        var result = await notifier.DeliverAsync(delivery, CancellationToken.None);

        Assert.Equal(
            DeliveryResult.Permanent("the SMTP server rejected the recipient: 550 5.1.1 <[address]>: Recipient address rejected: User unknown"),
            result);
        Assert.Empty(server.Received(NotificationText.MessageId(delivery.Key, "example.com")));
    }

    [SmtpServerFact]
    public async Task DeliverAsync_RecipientDeferredWith451_FailsTransiently()
    {
        var notifier = Notifier(server.Require().Port);
        var delivery = Deliveries.Suspended("busy@example.com", key: "acct-4/1/Suspended/owner/Email");

        var result = await notifier.DeliverAsync(delivery, CancellationToken.None);

        Assert.Equal(DeliveryResult.Transient("the SMTP server deferred the recipient: 451 4.2.1 <[address]>: Mailbox busy, try again later"), result);
        Assert.Empty(server.Received(NotificationText.MessageId(delivery.Key, "example.com")));
    }

    [SmtpServerFact]
    public async Task DeliverAsync_CustomTemplates_SendTheirWords()
    {
        var notifier = Notifier(server.Require().Port, templates: new FixedTemplates());
        var delivery = Deliveries.Suspended("custom@example.com", key: "acct-5/1/Suspended/owner/Email");

        Assert.Equal(DeliveryResult.Delivered, await notifier.DeliverAsync(delivery, CancellationToken.None));

        var (message, _) = Assert.Single(server.Received(NotificationText.MessageId(delivery.Key, "example.com")));
        Assert.Equal("Konto acct-1 gesperrt", message.Subject);
        Assert.Equal("Der Dienst ist gesperrt: -20.00 CNY, Frist 1 Aug 2026 16:30 (Asia/Shanghai).\n", message.TextBody!.ReplaceLineEndings("\n"));
    }

    [SmtpServerFact]
    public async Task DeliverAsync_StartTlsRequiredButNotOffered_FailsTransientlyAndSendsNothingInClear()
    {
        var notifier = Notifier(server.Require().Port, SecureSocketOptions.StartTls);
        var delivery = Deliveries.Suspended("clear@example.com", key: "acct-6/1/Suspended/owner/Email");

        var result = await notifier.DeliverAsync(delivery, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TransientFailure, result.Outcome);
        Assert.StartsWith("the SMTP server cannot take the message as configured", result.Reason, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", result.Reason, StringComparison.Ordinal);
        Assert.Empty(server.Received(NotificationText.MessageId(delivery.Key, "example.com")));
    }

    [Fact]
    public async Task DeliverAsync_NothingListensOnThePort_FailsTransiently()
    {
        var notifier = Notifier(AiosmtpdServer.FreePort());

        var result = await notifier.DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Transient("could not reach the SMTP server: ConnectionRefused"), result);
    }

    [Fact]
    public async Task DeliverAsync_ServerSilentPastTheTimeout_FailsTransiently()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = silent.AcceptTcpClientAsync(); // accepts, then never says a word
        var notifier = Notifier(((IPEndPoint)silent.LocalEndpoint).Port, timeout: Duration.FromMilliseconds(300));

        var result = await notifier.DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Transient("the SMTP server did not answer within 0.3 s"), result);
        (await accepted).Dispose();
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("+8613800000000")]
    [InlineData("Owner <owner@example.com>")]
    [InlineData("owner@example.com\r\nBcc: all@example.com")]
    public async Task DeliverAsync_AddressIsNotABareEmailAddress_FailsPermanentlyWithoutConnecting(string address)
    {
        // Nothing listens on the port: a connection attempt would fail transiently instead.
        var notifier = Notifier(AiosmtpdServer.FreePort());

        var result = await notifier.DeliverAsync(Deliveries.Suspended(address), CancellationToken.None);

        Assert.Equal(DeliveryResult.Permanent("the recipient's address is not an email address"), result);
    }

    [Fact]
    public async Task DeliverAsync_CancelledToken_ThrowsOperationCanceled()
    {
        var notifier = Notifier(AiosmtpdServer.FreePort());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await notifier.DeliverAsync(Deliveries.Suspended(), new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Contact_Always_IsEmailAndChannelComesFromTheOptions()
    {
        var notifier = new SmtpEmailNotifier(
            new SmtpEmailNotifierOptions { Host = "localhost", FromAddress = "billing@example.com", Channel = "Mail" },
            _clock);

        Assert.Equal((ContactKind.Email, "Mail"), (notifier.Contact, notifier.Channel));
    }

    private SmtpEmailNotifier Notifier(
        int port, SecureSocketOptions security = SecureSocketOptions.None, Duration? timeout = null, INotificationTemplates? templates = null) =>
        new(
            new SmtpEmailNotifierOptions
            {
                Host = "127.0.0.1",
                Port = port,
                SecureSocketOptions = security,
                FromAddress = "billing@example.com",
                FromName = "Example Cloud Billing",
                Timeout = timeout ?? Duration.FromSeconds(20),
            },
            _clock,
            templates);

    private sealed class FixedTemplates : INotificationTemplates
    {
        public EmailContent Email(NotificationDelivery delivery) => new(
            $"Konto {delivery.Account} gesperrt",
            $"Der Dienst ist gesperrt: {delivery.Currency.Format(delivery.Balance)} {delivery.Currency.Code}, Frist {NotificationText.When(delivery.NextDeadline!.Value, delivery.TimeZone)}.\n");

        public string ShortText(NotificationDelivery delivery) => "gesperrt";
    }
}
