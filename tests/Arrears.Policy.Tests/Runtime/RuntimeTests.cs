using Arrears.Policy.Runtime;
using NodaTime;
using static Arrears.Policy.Tests.Runtime.RuntimeHarness;

namespace Arrears.Policy.Tests.Runtime;

public sealed class RuntimeTests
{
    private static readonly Duration Grace = Duration.FromHours(24);

    [Fact]
    public async Task RunOnce_ChargeUnpaidPastGrace_SuspendsEnforcesAndNotifiesInOrder()
    {
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);

        await h.RunUntilAsync(T0 + Grace + Duration.FromHours(1));

        Assert.Equal(
            [(LifecycleStatus.Overdue, T0), (LifecycleStatus.Suspended, T0 + Grace)],
            (await h.Store.HistoryAsync("acct", default)).Select(t => (t.To, t.At)));
        var action = Assert.Single(h.Enforcement.Actions);
        Assert.Equal(("acct/1/Suspend", EnforcementKind.Suspend, T0 + Grace), (action.Key, action.Kind, action.At));
        Assert.Equal(
            ["acct/1/Overdue/owner/Email", "acct/1/Overdue/dev/Email", "acct/1/Suspended/owner/Email", "acct/1/Suspended/dev/Email"],
            h.Email.Deliveries.Select(d => d.Key));
        var suspended = h.Sms.Deliveries.Single(d => d.Key == "acct/1/Suspended/owner/SMS");
        Assert.Equal(("+8613800000001", -25m, T0 + Grace + Duration.FromDays(180)), (suspended.Address, suspended.Balance, suspended.NextDeadline));
    }

    [Fact]
    public async Task RunOnce_DueMeansDue_AccountWakesExactlyAtItsDeadline()
    {
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        await h.Runtime.RunOnceAsync(default);

        Assert.Equal(T0 + Grace, await h.Runtime.NextDueAsync(default));

        // Just before the deadline nothing is due and nothing is evaluated.
        var early = await h.RunAtAsync(T0 + Grace - Duration.FromSeconds(1));
        Assert.Equal(0, early.Evaluation.Accounts);
        Assert.Empty(h.Enforcement.Actions);
    }

    [Fact]
    public async Task AppendAsync_PaymentToSuspendedAccount_ResumesAtThePaymentInstantAndEnforcesOnTheNextWake()
    {
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        await h.RunUntilAsync(T0 + Grace);
        var paidAt = T0 + Grace + Duration.FromHours(3);

        h.Clock.Reset(paidAt);
        var wake = h.Runtime.WaitForFactsAsync();
        await h.Runtime.AppendAsync("acct", [Payment("p1", paidAt, 25m)], default);
        Assert.True(wake.IsCompleted);
        Assert.Equal(paidAt, await h.Runtime.NextDueAsync(default));
        await h.Runtime.RunOnceAsync(default);

        var history = await h.Store.HistoryAsync("acct", default);
        var resumed = history[^1];
        Assert.Equal((LifecycleStatus.Active, TransitionReason.Resumed, paidAt), (resumed.To, resumed.Reason, resumed.At));
        Assert.Equal(["acct/1/Suspend", "acct/1/Resume"], h.Enforcement.Actions.Select(a => a.Key));
    }

    [Fact]
    public async Task Dispatch_TransientFailure_RetriesWithBackoffAndKeepsTheAccountsOrder()
    {
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        var failures = 0;
        h.Email.Fail = d =>
        {
            if (d.Key != "acct/1/Suspended/owner/Email" || failures == 2)
            {
                return null;
            }

            failures++;
            return DeliveryResult.Transient("server busy");
        };

        await h.RunUntilAsync(T0 + Grace);
        h.Clock.Reset(T0 + Grace + Duration.FromMinutes(1));
        await h.Runtime.AppendAsync("acct", [Payment("p1", T0 + Grace + Duration.FromMinutes(1), 25m)], default);
        await h.RunUntilAsync(T0 + Grace + Duration.FromHours(3));

        // "Suspended" was retried twice, and "Resumed" (decided later, while it waited) still came after it.
        Assert.Equal(2, failures);
        var owner = h.Email.Deliveries.Where(d => d.Recipient == "owner").Select(d => d.Kind).ToArray();
        Assert.Equal([NotificationKind.Overdue, NotificationKind.Suspended, NotificationKind.Resumed], owner);
        Assert.Empty(await h.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Pending, max: 100), default));
    }

    [Fact]
    public async Task Dispatch_NoAddressOrNoNotifierOrPermanentFailure_DeadLettersWithTheReason()
    {
        var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
        options.Channels.Add("Fax");
        var h = new RuntimeHarness(policies: new Dictionary<string, AccountPolicy> { ["api-gateway"] = AccountPolicy.For(LifecyclePolicy.Create(options)) });
        h.Directory.Set("dev", new RecipientContact("dev@example.com", phone: null));
        h.Email.Fail = d => d.Recipient == "dev" ? DeliveryResult.Permanent("mailbox unavailable") : null;
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);

        await h.Runtime.RunOnceAsync(default);

        var dead = (await h.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.DeadLettered, max: 100), default)).ToDictionary(m => m.Key, m => m.LastError);
        Assert.Equal("the recipient has no phone number for the channel \"SMS\"", dead["acct/1/Overdue/dev/SMS"]);
        Assert.Equal("no notifier is registered for the channel \"Fax\"", dead["acct/1/Overdue/owner/Fax"]);
        Assert.Equal("mailbox unavailable", dead["acct/1/Overdue/dev/Email"]);
        Assert.Equal(4, dead.Count);
        Assert.Single(h.Sms.Deliveries);
    }

    [Fact]
    public async Task Dispatch_AlwaysTransient_DeadLettersAfterMaxAttempts()
    {
        var h = new RuntimeHarness(options: new ArrearsRuntimeOptions { MaxAttempts = 3, MaxDegreeOfParallelism = 1 });
        h.Enforcement.Fail = _ => DeliveryResult.Transient("gateway down");
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);

        await h.RunUntilAsync(T0 + Grace + Duration.FromDays(1));

        var dead = Assert.Single(await h.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.DeadLettered, max: 100), default));
        Assert.Equal(("acct/1/Suspend", 3, "gave up after 3 attempts: gateway down"), (dead.Key, dead.Attempts, dead.LastError));
    }

    [Fact]
    public async Task Host_BadInput_NamesTheThingAndAppliesNothing()
    {
        var item = new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"));
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(items: [item]), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(async () => await h.Runtime.AppendAsync("nobody", [Charge("x", T0, 1m)], default));
        Assert.StartsWith("account: no account \"nobody\"", unknown.Message, StringComparison.Ordinal);

        var duplicate = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Runtime.AppendAsync("acct", [Payment("p1", T0, 5m), Charge("c1", T0, 26m)], default));
        Assert.StartsWith("entries[1].id: an entry with id \"c1\" already exists with different content", duplicate.Message, StringComparison.Ordinal);

        var noItem = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Runtime.RecordUsageAsync("acct", "b1", [new UsageRecord("calls", T0, 5m), new UsageRecord("traffic", T0, 5m)], default));
        Assert.StartsWith("usage[1].item: account \"acct\" has no billing item \"traffic\"", noItem.Message, StringComparison.Ordinal);

        var closed = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Runtime.RecordUsageAsync("acct", "b2", [new UsageRecord("calls", T0 - Duration.FromHours(2), 5m)], default));
        Assert.StartsWith("usage[0].at: the cycle of \"calls\" containing 2026-02-01T06:30:00Z was billed at 2026-02-01T07:00:00Z", closed.Message, StringComparison.Ordinal);

        var badPolicy = await Assert.ThrowsAsync<ArgumentException>(async () => await h.Runtime.RegisterAsync(Account("other", policy: "nope"), default));
        Assert.StartsWith("account.policy: no account policy \"nope\"; the registered policies are \"api-gateway\"", badPolicy.Message, StringComparison.Ordinal);

        var stored = await h.Store.FindAccountAsync("acct", default);
        Assert.Equal(["c1"], stored!.Ledger.Entries.Select(e => e.Id));
        Assert.Empty(stored.Usage);
    }

    [Fact]
    public async Task RecordUsageAsync_SameBatchIdWithOtherRecords_IsRejectedAndAppliesNothing()
    {
        var item = new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"));
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(items: [item]), default);
        h.Clock.Reset(T0);
        Assert.True(await h.Runtime.RecordUsageAsync("acct", "report-7", [new UsageRecord("calls", T0, 5m)], default));

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Runtime.RecordUsageAsync("acct", "report-7", [new UsageRecord("calls", T0, 6m)], default));

        Assert.StartsWith("batch: usage batch \"report-7\" of account \"acct\" was already recorded with other records", ex.Message, StringComparison.Ordinal);
        Assert.Equal([5m], (await h.Store.FindAccountAsync("acct", default))!.Usage.Select(u => u.Quantity));
    }

    [Fact]
    public async Task Usage_FedHourByHour_IsRatedOnceWhenEachCycleClosesWithSimulatesIds()
    {
        var item = new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"), settlementDelay: Duration.FromMinutes(30));
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(items: [item], opening: 5m), default);
        var start = Instant.FromUtc(2026, 2, 1, 0, 0);
        var usage = new List<UsageRecord>();
        for (var hour = 0; hour < 6; hour++)
        {
            var at = start + Duration.FromHours(hour) + Duration.FromMinutes(10);
            h.Clock.Reset(at);
            var record = new UsageRecord("calls", at, 250000m);
            usage.Add(record);
            Assert.True(await h.Runtime.RecordUsageAsync("acct", $"hour-{hour}", [record], default));

            // A host that retries the same report after a timeout does not count the usage twice.
            Assert.False(await h.Runtime.RecordUsageAsync("acct", $"hour-{hour}", [record], default));
            await h.Runtime.RecordUsageAsync("acct", $"empty-{hour}", [], default);
            await h.RunUntilAsync(at + Duration.FromMinutes(50));
        }

        await h.RunUntilAsync(start + Duration.FromDays(2));

        var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct", "owner", collaborators: ["dev"]), Currency.FromCode("CNY"), start + Duration.FromDays(2), openingBalance: 5m, items: [item], usage: usage);
        var simulated = Simulator.Run(scenario);
        var stored = await h.Store.FindAccountAsync("acct", default);
        Assert.Equal(simulated.Charges.Select(c => (c.Id, c.At, c.Amount)), stored!.Ledger.Entries.Select(e => (e.Id, e.At, e.Amount)));
        Assert.Equal(
            simulated.Transitions.Select(t => (t.At, t.From, t.To, t.Reason, t.Episode, t.Product, t.IsLate)),
            (await h.Store.HistoryAsync("acct", default)).Select(t => (t.At, t.From, t.To, t.Reason, t.Episode, t.Product, t.IsLate)));
        Assert.Equal(simulated.Final.Status, stored.State.Lifecycles[0].Status);
    }

    [Fact]
    public async Task Dispatch_PurgeWarnings_NameThePurgeTheyWarnOf()
    {
        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);

        var purgeAt = T0 + Grace + Duration.FromDays(180);
        await h.RunUntilAsync(purgeAt - Duration.FromHours(1));

        var warnings = h.Email.Deliveries.Where(d => d.Kind == NotificationKind.PurgeWarning && d.Recipient == "owner").ToList();
        Assert.Equal([purgeAt - Duration.FromDays(7), purgeAt - Duration.FromDays(1)], warnings.Select(w => w.At));
        Assert.All(warnings, w => Assert.Equal(purgeAt, w.NextDeadline));
    }
}
