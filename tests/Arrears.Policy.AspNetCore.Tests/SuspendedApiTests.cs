using System.Net;
using System.Text.Json;
using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.AspNetCore.Tests;

/// <summary>
/// samples/Arrears.Policy.AspNetCore: an API refused with 402 Payment Required while its account is suspended, served
/// again within one wake of the payment, with no store read per call.
/// </summary>
public sealed class SuspendedApiTests
{
    private static readonly Instant SuspendedAt = GatewayApp.ChargedAt + Duration.FromHours(24);       // the grace period of tencent-api-gateway
    private static readonly Instant DataKeptUntil = SuspendedAt + Duration.FromDays(180);          // its retention period

    [Fact]
    public async Task Api_ChargedSuspendedThenPaid_Serves200Then402ThenServes200AfterTheWakeOfThePayment()
    {
        await using var app = new GatewayApp();
        await app.RegisterAsync("acct-1");
        using (var active = await app.HelloAsync("acct-1"))
        {
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }

        var status = await app.SuspendAsync("acct-1");

        Assert.Equal(new ServiceStatus(LifecycleStatus.Suspended, SuspendedAt, DataKeptUntil), status);
        using (var refused = await app.HelloAsync("acct-1"))
        {
            await AssertPaymentRequiredAsync(refused, "acct-1");
        }

        // A minute later the owner pays. The payment is a fact: appending it wakes the hosted service, whose pass
        // resumes the account and calls the enforcement handler. The test runs no pass.
        app.Clock.Advance(Duration.FromMinutes(1));
        var resumed = app.NextChange("acct-1");
        using (var paid = await app.PostEntryAsync("acct-1", "p1", "payment", 25.00m))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }

        Assert.Equal(ServiceStatus.Serving, await resumed);
        using var served = await app.HelloAsync("acct-1");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("hello, acct-1", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var history = await app.Runtime.Store.HistoryAsync("acct-1", CancellationToken.None);
        Assert.Equal(
            [LifecycleStatus.Overdue, LifecycleStatus.Suspended, LifecycleStatus.Active],
            history.Select(transition => transition.To));
    }

    [Fact]
    public async Task Api_CallsOfASuspendedAccount_ReadNothingFromTheStore()
    {
        await using var app = new GatewayApp();
        await app.RegisterAsync("acct-1");
        await app.SuspendAsync("acct-1");
        var before = app.Store.Count(nameof(IArrearsStore.FindAccountAsync));

        for (var i = 0; i < 20; i++)
        {
            using var refused = await app.HelloAsync("acct-1");
            Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        }

        Assert.Equal(before, app.Store.Count(nameof(IArrearsStore.FindAccountAsync)));
    }

    [Fact]
    public async Task Api_NewProcessOverTheSameStore_ReadsASuspendedAccountOnceThenRefusesFromMemory()
    {
        var database = new InMemoryArrearsStore();
        await using (var first = new GatewayApp(database))
        {
            await first.RegisterAsync("acct-1");
            await first.SuspendAsync("acct-1");
        }

        // A restart: the status cache is empty, the store still holds the suspension.
        await using var second = new GatewayApp(database, SuspendedAt + Duration.FromHours(1));
        for (var i = 0; i < 5; i++)
        {
            using var refused = await second.HelloAsync("acct-1");
            await AssertPaymentRequiredAsync(refused, "acct-1");
        }

        Assert.Equal(1, second.Store.Count(nameof(IArrearsStore.FindAccountAsync)));
    }

    [Fact]
    public async Task Api_NoAccountHeaderOrUnknownAccount_Answers401Or403WithoutReachingTheEndpoint()
    {
        await using var app = new GatewayApp();

        using var anonymous = await app.Client.GetAsync(new Uri("/api/hello", UriKind.Relative));
        using var unknown = await app.HelloAsync("nobody");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        using var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        Assert.Equal("There is no account nobody.", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Billing_UnknownEntryKind_Answers400NamingTheFieldAndTheValue()
    {
        await using var app = new GatewayApp();
        await app.RegisterAsync("acct-1");

        using var response = await app.PostEntryAsync("acct-1", "x1", "gift", 5.00m);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("kind: must be charge, payment, credit or refund, got \"gift\"", problem.RootElement.GetProperty("detail").GetString());
    }

    private static async Task AssertPaymentRequiredAsync(HttpResponseMessage response, string account)
    {
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = body.RootElement;
        Assert.Equal(402, problem.GetProperty("status").GetInt32());
        Assert.Equal("Payment required", problem.GetProperty("title").GetString());
        Assert.Equal(account, problem.GetProperty("account").GetString());
        Assert.Equal("Suspended", problem.GetProperty("lifecycle").GetString());
        Assert.Equal("2026-02-02T08:30:00Z", problem.GetProperty("suspendedSince").GetString());
        Assert.Equal("2026-08-01T08:30:00Z", problem.GetProperty("dataKeptUntil").GetString());
        Assert.Equal(
            $"The service of account {account} has been suspended since 2026-02-02T08:30:00Z for unpaid arrears. " +
            "Its configuration and data are kept until 2026-08-01T08:30:00Z: pay the arrears before then to resume the service.",
            problem.GetProperty("detail").GetString());
    }
}
