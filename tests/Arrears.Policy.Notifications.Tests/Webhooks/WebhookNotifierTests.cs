using System.Security.Cryptography;
using System.Text;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Notifications.Tests.Webhooks;

/// <summary>The webhook notifier against a real HTTP listener on loopback.</summary>
public sealed class WebhookNotifierTests
{
    private const string Secret = "whsec_test_0123456789abcdef";

    private static readonly Instant Now = Instant.FromUtc(2026, 2, 2, 8, 31, 15);

    private readonly FakeClock _clock = new(Now);

    [Fact]
    public async Task DeliverAsync_2xx_PostsSignedJsonWithTheKeyAndDelivers()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Status(202, "Accepted"));
        var notifier = Sms(server.Endpoint);

        var result = await notifier.DeliverAsync(Deliveries.Suspended("+8613800000000", channel: "SMS"), CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered, result);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/hooks/arrears"), (request.Method, request.Target));
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal("acct-1/1/Suspended/owner/SMS", request.Header("Idempotency-Key"));
        Assert.Equal(
            "{\"key\":\"acct-1/1/Suspended/owner/SMS\",\"kind\":\"Suspended\",\"account\":\"acct-1\",\"product\":null," +
            "\"at\":\"2026-02-02T08:30:00Z\",\"balance\":\"-20.00\",\"currency\":\"CNY\",\"recipient\":\"owner\",\"channel\":\"SMS\"," +
            "\"address\":\"+8613800000000\",\"nextDeadline\":\"2026-08-01T08:30:00Z\",\"timeZone\":\"Asia/Shanghai\",\"attempt\":1," +
            "\"text\":\"Account acct-1 is suspended, balance -20.00 CNY. Pay before 1 Aug 2026 16:30 (Asia/Shanghai) or its data is deleted.\"}",
            Encoding.UTF8.GetString(request.Body));
        var signature = request.Header(WebhookSignature.HeaderName);
        Assert.Equal($"t={Now.ToUnixTimeSeconds()},v1={ExpectedMac(Now.ToUnixTimeSeconds(), request.Body)}", signature);
        Assert.True(WebhookSignature.Verify(Secret, signature, request.Body, Now, Duration.FromMinutes(5)));
    }

    [Fact]
    public async Task DeliverAsync_SecondAttempt_SendsTheSameKeyWithAFreshSignature()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Status(200, "OK"));
        var notifier = Sms(server.Endpoint);

        await notifier.DeliverAsync(Deliveries.Suspended("+8613800000000", channel: "SMS", attempt: 1), CancellationToken.None);
        _clock.Advance(Duration.FromMinutes(2));
        await notifier.DeliverAsync(Deliveries.Suspended("+8613800000000", channel: "SMS", attempt: 2), CancellationToken.None);

        var (first, second) = (server.Requests[0], server.Requests[1]);
        Assert.Equal(first.Header("Idempotency-Key"), second.Header("Idempotency-Key"));
        Assert.Equal(
            Encoding.UTF8.GetString(first.Body).Replace("\"attempt\":1", "\"attempt\":2", StringComparison.Ordinal),
            Encoding.UTF8.GetString(second.Body));
        Assert.StartsWith($"t={(Now + Duration.FromMinutes(2)).ToUnixTimeSeconds()},v1=", second.Header(WebhookSignature.HeaderName), StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(Secret, second.Header(WebhookSignature.HeaderName), second.Body, _clock.GetCurrentInstant(), Duration.Zero));
    }

    [Theory]
    [InlineData(200, "OK", DeliveryOutcome.Delivered)]
    [InlineData(201, "Created", DeliveryOutcome.Delivered)]
    [InlineData(204, "No Content", DeliveryOutcome.Delivered)]
    [InlineData(408, "Request Timeout", DeliveryOutcome.TransientFailure)]
    [InlineData(429, "Too Many Requests", DeliveryOutcome.TransientFailure)]
    [InlineData(500, "Internal Server Error", DeliveryOutcome.TransientFailure)]
    [InlineData(502, "Bad Gateway", DeliveryOutcome.TransientFailure)]
    [InlineData(503, "Service Unavailable", DeliveryOutcome.TransientFailure)]
    [InlineData(400, "Bad Request", DeliveryOutcome.PermanentFailure)]
    [InlineData(401, "Unauthorized", DeliveryOutcome.PermanentFailure)]
    [InlineData(404, "Not Found", DeliveryOutcome.PermanentFailure)]
    [InlineData(410, "Gone", DeliveryOutcome.PermanentFailure)]
    [InlineData(422, "Unprocessable Entity", DeliveryOutcome.PermanentFailure)]
    public async Task DeliverAsync_StatusCode_IsClassified(int code, string reason, DeliveryOutcome expected)
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Status(code, reason));

        var result = await Sms(server.Endpoint).DeliverAsync(Deliveries.Suspended("+8613800000000", channel: "SMS"), CancellationToken.None);

        Assert.Equal(
            expected switch
            {
                DeliveryOutcome.Delivered => DeliveryResult.Delivered,
                DeliveryOutcome.TransientFailure => DeliveryResult.Transient($"the endpoint answered {code} {reason}"),
                _ => DeliveryResult.Permanent($"the endpoint rejected the notification: {code} {reason}"),
            },
            result);
    }

    [Fact]
    public async Task DeliverAsync_ReasonPhraseWithPersonalData_KeepsItOutOfTheReason()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Status(422, "Unknown number +86 138 0000 0000 for owner@example.com"));

        var result = await Sms(server.Endpoint).DeliverAsync(Deliveries.Suspended("+8613800000000", channel: "SMS"), CancellationToken.None);

        Assert.Equal(DeliveryResult.Permanent("the endpoint rejected the notification: 422 Unknown number [number] for [address]"), result);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    public async Task DeliverAsync_RedirectFollowedByTheClient_FailsPermanently(int code)
    {
        await using var server = new LoopbackHttpServer(request =>
            request.Target == "/hooks/arrears" ? Answer.Redirect(code, "/moved") : Answer.Status(200, "OK"));

        var result = await Sms(server.Endpoint).DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(
            DeliveryResult.Permanent("the endpoint redirected the notification to another address; set the endpoint to the final address"),
            result);
        Assert.Equal(["POST /hooks/arrears", $"{(code == 307 ? "POST" : "GET")} /moved"], server.Requests.Select(r => $"{r.Method} {r.Target}"));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(308)]
    public async Task DeliverAsync_RedirectNotFollowed_FailsPermanentlyWithTheStatus(int code)
    {
        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        await using var server = new LoopbackHttpServer(_ => Answer.Redirect(code, "/moved"));

        var result = await Sms(server.Endpoint, http: noRedirects).DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Permanent($"the endpoint rejected the notification: {code} Moved"), result);
    }

    [Fact]
    public async Task DeliverAsync_HttpClientTimeoutShorterThanTheNotifiers_FailsTransiently()
    {
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };
        await using var server = new LoopbackHttpServer(_ => Answer.Silence);

        var result = await Sms(server.Endpoint, http: impatient).DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Transient("the endpoint did not answer within the HttpClient's timeout"), result);
    }

    [Fact]
    public async Task DeliverAsync_NothingListens_FailsTransiently()
    {
        var port = Smtp.AiosmtpdServer.FreePort();

        var result = await Sms(new Uri($"http://127.0.0.1:{port}/")).DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Transient("could not reach the endpoint: ConnectionError"), result);
    }

    [Fact]
    public async Task DeliverAsync_ConnectionDroppedWithoutAnAnswer_FailsTransiently()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Drop);

        var result = await Sms(server.Endpoint).DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TransientFailure, result.Outcome);
        Assert.StartsWith("could not reach the endpoint: ", result.Reason, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task DeliverAsync_NoAnswerWithinTheTimeout_FailsTransiently()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Silence);

        var result = await Sms(server.Endpoint, Duration.FromMilliseconds(300)).DeliverAsync(Deliveries.Suspended(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Transient("the endpoint did not answer within 0.3 s"), result);
    }

    [Fact]
    public async Task DeliverAsync_CancelledByTheCaller_ThrowsOperationCanceled()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Silence);
        using var cancel = new CancellationTokenSource();
        var notifier = Sms(server.Endpoint);

        var delivery = notifier.DeliverAsync(Deliveries.Suspended(), cancel.Token).AsTask();
        while (server.Requests.Count == 0)
        {
            await Task.Delay(10);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);
    }

    [Fact]
    public async Task DeliverAsync_KeyOutsidePrintableAscii_IsPercentEncodedInTheHeaderAndExactInTheBody()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Status(200, "OK"));

        await Sms(server.Endpoint).DeliverAsync(Deliveries.Suspended(key: "账户-1/1/Suspended/owner\r\nX: y/SMS"), CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("%E8%B4%A6%E6%88%B7-1%2F1%2FSuspended%2Fowner%0D%0AX%3A%20y%2FSMS", request.Header("Idempotency-Key"));
        Assert.Null(request.Header("X"));
        Assert.Contains("\"key\":\"账户-1/1/Suspended/owner\\r\\nX: y/SMS\"", Encoding.UTF8.GetString(request.Body), StringComparison.Ordinal);
    }

    [Fact]
    public void ChannelAndContact_FromTheOptions_AreTheNotifiers()
    {
        using var http = new HttpClient();

        var notifier = Sms(new Uri("https://sms.example.com/"), http: http);

        Assert.Equal(("SMS", ContactKind.Phone), (notifier.Channel, notifier.Contact));
    }

    private static string ExpectedMac(long t, byte[] body)
    {
        // Independently of the library: HMAC-SHA256 over "{t}." followed by the body bytes.
        var signed = Encoding.ASCII.GetBytes($"{t}.").Concat(body).ToArray();
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed));
    }

    private WebhookNotifier Sms(Uri endpoint, Duration? timeout = null, HttpClient? http = null) => new(
        http ?? SharedClient,
        new WebhookNotifierOptions
        {
            Endpoint = endpoint,
            Secret = Secret,
            Channel = "SMS",
            Contact = ContactKind.Phone,
            Timeout = timeout ?? Duration.FromSeconds(20),
        },
        _clock);

    private static readonly HttpClient SharedClient = new();
}
