using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Text;
using static Arrears.Policy.Tests.Runtime.RuntimeHarness;

namespace Arrears.Policy.Tests.Runtime;

/// <summary>Holds through the runtime's host API: granted, revoked and listed, and what the evaluator does with them.</summary>
public sealed class HoldRuntimeTests
{
    private static readonly Duration Grace = Duration.FromHours(24);

    private static readonly Instant Start = T0 - Duration.FromHours(1);

    /// <summary>The API gateway preset with a 7-day limit on suspension holds and a 30-day one on purge holds; a 10-day retention warned 3 days before.</summary>
    private static readonly LifecyclePolicy Limited = LifecyclePolicy.Create(With(PolicyPresets.TencentApiGateway.Policy.ToOptions(), o =>
    {
        o.HoldLimits[HoldKind.Suspension] = Duration.FromDays(7);
        o.HoldLimits[HoldKind.Purge] = Duration.FromDays(30);
        o.Retention = Duration.FromDays(10);
        o.PurgeWarnings.Clear();
        o.PurgeWarnings.Add(Duration.FromDays(3));
    }));

    private static RuntimeHarness Harness() => new(policies: new Dictionary<string, AccountPolicy> { ["api-gateway"] = AccountPolicy.For(Limited) });

    private static Hold Promise(Instant from, Instant? until, string id = "h1", HoldKind kind = HoldKind.Suspension) =>
        new(id, kind, from, until, "agent-7", "promise to pay");

    /// <summary>An account charged at <see cref="RuntimeHarness.T0"/> and evaluated then: Overdue, its suspension due at T0 + 24 h.</summary>
    private static async Task<RuntimeHarness> OverdueAsync()
    {
        var h = Harness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        await h.RunAtAsync(T0 + Duration.FromHours(2));
        Assert.Equal(LifecycleStatus.Overdue, (await h.Store.FindAccountAsync("acct", default))!.State.LifecycleOf(null).Status);
        return h;
    }

    [Fact]
    public async Task Grant_PromiseKept_PaymentDuringTheHold_IsNeverSuspended()
    {
        var h = await OverdueAsync();
        var holdEnd = T0 + Duration.FromDays(4);
        Assert.True(await h.Runtime.GrantHoldAsync("acct", Promise(T0 + Duration.FromHours(3), holdEnd), default));

        await h.RunUntilAsync(T0 + Duration.FromDays(3));
        h.Clock.Reset(T0 + Duration.FromDays(3));
        await h.Runtime.AppendAsync("acct", [Payment("p1", T0 + Duration.FromDays(3), 25m)], default);
        await h.RunUntilAsync(T0 + Duration.FromDays(30));

        Assert.Equal(
            [(LifecycleStatus.Overdue, T0), (LifecycleStatus.Active, T0 + Duration.FromDays(3))],
            (await h.Store.HistoryAsync("acct", default)).Select(t => (t.To, t.At)));
        Assert.Empty(h.Enforcement.Actions);
        Assert.DoesNotContain(h.Email.Deliveries, d => d.Kind == NotificationKind.Suspended);
    }

    [Fact]
    public async Task Grant_PromiseBroken_SuspendsAtTheHoldsEndWithDeferredFromAndHeldBy()
    {
        var h = await OverdueAsync();
        var holdEnd = T0 + Duration.FromDays(4);
        await h.Runtime.GrantHoldAsync("acct", Promise(T0 + Duration.FromHours(3), holdEnd), default);

        // The grant makes the account due at once; its evaluation moves its wake from the nominal deadline to the hold's end.
        await h.RunAtAsync(T0 + Duration.FromHours(3));
        Assert.Equal(holdEnd, await h.Runtime.NextDueAsync(default));
        Assert.Equal(holdEnd, (await h.Store.FindAccountAsync("acct", default))!.NextReviewAt);

        // Past the nominal deadline the account is still Overdue.
        await h.RunAtAsync(T0 + Grace + Duration.FromHours(1));
        Assert.Equal(LifecycleStatus.Overdue, (await h.Store.FindAccountAsync("acct", default))!.State.LifecycleOf(null).Status);
        Assert.Empty(h.Enforcement.Actions);

        // The host sleeps until it is due, and that is the hold's end.
        await h.RunUntilAsync(holdEnd + Duration.FromHours(1));
        var history = await h.Store.HistoryAsync("acct", default);
        var suspended = history[^1];
        Assert.Equal(
            (LifecycleStatus.Suspended, holdEnd, TransitionReason.GraceExpired, (Instant?)(T0 + Grace), "h1", holdEnd),
            (suspended.To, suspended.At, suspended.Reason, suspended.DeferredFrom, string.Join(",", suspended.HeldBy), suspended.EvaluatedAt));
        Assert.Contains("deferred from 2026-02-02T08:30:00Z by h1", suspended.ToString(), StringComparison.Ordinal);
        var action = Assert.Single(h.Enforcement.Actions);
        Assert.Equal(("acct/1/Suspend", holdEnd), (action.Key, action.At));
        var notice = h.Sms.Deliveries.Single(d => d.Kind == NotificationKind.Suspended && d.Recipient == "owner");
        Assert.Equal((holdEnd, holdEnd + Duration.FromDays(10)), (notice.At, notice.NextDeadline));
    }

    [Fact]
    public async Task Grant_BeforeTheAccountFallsOverdue_TheOverdueNoticeNamesTheDeferredSuspension()
    {
        var h = Harness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0 - Duration.FromMinutes(30));
        var holdEnd = T0 + Duration.FromDays(3);
        await h.Runtime.GrantHoldAsync("acct", Promise(T0 - Duration.FromHours(1), holdEnd), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);

        await h.RunAtAsync(T0 + Duration.FromMinutes(1));

        var overdue = h.Sms.Deliveries.Single(d => d.Kind == NotificationKind.Overdue && d.Recipient == "owner");
        Assert.Equal(holdEnd, overdue.NextDeadline);
    }

    [Fact]
    public async Task Revoke_BeforeTheHoldEnds_SuspendsAtTheRevocationInstant()
    {
        var h = await OverdueAsync();
        await h.Runtime.GrantHoldAsync("acct", Promise(T0 + Duration.FromHours(3), T0 + Duration.FromDays(6)), default);
        await h.RunUntilAsync(T0 + Duration.FromDays(2));
        Assert.Equal(LifecycleStatus.Overdue, (await h.Store.FindAccountAsync("acct", default))!.State.LifecycleOf(null).Status);

        var brokenAt = T0 + Duration.FromDays(2) + Duration.FromMinutes(7);
        h.Clock.Reset(brokenAt);
        Assert.True(await h.Runtime.RevokeHoldAsync("acct", new HoldRevocation("r1", "h1", brokenAt, "agent-7", "promise broken"), default));
        Assert.False(await h.Runtime.RevokeHoldAsync("acct", new HoldRevocation("r1", "h1", brokenAt, "agent-7", "promise broken"), default));
        Assert.Equal(brokenAt, await h.Runtime.NextDueAsync(default));
        await h.Runtime.RunOnceAsync(default);

        var suspended = (await h.Store.HistoryAsync("acct", default))[^1];
        Assert.Equal(
            (LifecycleStatus.Suspended, brokenAt, (Instant?)(T0 + Grace), "h1", false),
            (suspended.To, suspended.At, suspended.DeferredFrom, string.Join(",", suspended.HeldBy), suspended.IsLate));
        Assert.Equal(brokenAt, Assert.Single(h.Enforcement.Actions).At);
        var records = await h.Runtime.ListHoldsAsync("acct", default);
        Assert.Equal(["h1", "r1"], records.Select(r => r.Id));
        Assert.Equal(brokenAt, records[1].RecordedAt);
        Assert.Equal("h1", records[1].Revocation!.Revokes);
    }

    [Fact]
    public async Task Revoke_WithAnInstantAlreadyPassed_SuspendsLateAtTheNextEvaluationNeverEarlier()
    {
        var h = await OverdueAsync();
        await h.Runtime.GrantHoldAsync("acct", Promise(T0 + Duration.FromHours(3), T0 + Duration.FromDays(6)), default);
        await h.RunAtAsync(T0 + Duration.FromDays(3));

        // The agent records at day 4 that the promise ended at day 2: the evaluation at day 3 kept the deadline deferred,
        // and that decision stands; the suspension acts late, at the next evaluation.
        var recorded = T0 + Duration.FromDays(4);
        h.Clock.Reset(recorded);
        await h.Runtime.RevokeHoldAsync("acct", new HoldRevocation("r1", "h1", T0 + Duration.FromDays(2), "agent-7", "broken, recorded late"), default);
        await h.Runtime.RunOnceAsync(default);

        var suspended = (await h.Store.HistoryAsync("acct", default))[^1];
        Assert.Equal((LifecycleStatus.Suspended, true, (Instant?)(T0 + Grace)), (suspended.To, suspended.IsLate, suspended.DeferredFrom));
        Assert.True(suspended.At > T0 + Duration.FromDays(3), $"the late suspension must not be stamped before the evaluation that kept it deferred, got {suspended.At}");
        Assert.True(suspended.At <= recorded);
    }

    [Fact]
    public async Task Grant_AfterTheSuspension_ChangesNothingAlreadyDecided()
    {
        var h = Harness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        await h.RunUntilAsync(T0 + Duration.FromDays(2));
        var before = await h.Store.HistoryAsync("acct", default);
        Assert.Equal(LifecycleStatus.Suspended, before[^1].To);

        // A hold that would have covered the deadline, granted after it was acted on.
        Assert.True(await h.Runtime.GrantHoldAsync("acct", Promise(T0, T0 + Duration.FromDays(5)), default));
        await h.RunUntilAsync(T0 + Duration.FromDays(6));

        Assert.Equal(before, await h.Store.HistoryAsync("acct", default));
        Assert.Equal(LifecycleStatus.Suspended, (await h.Store.FindAccountAsync("acct", default))!.State.LifecycleOf(null).Status);
        Assert.DoesNotContain(h.Enforcement.Actions, a => a.Kind == EnforcementKind.Resume);
    }

    [Fact]
    public async Task Grant_OverThePolicysLimitOpenEndedOrForAnUnknownProduct_IsRefusedNamingTheFieldAndStoresNothing()
    {
        var h = await OverdueAsync();
        var version = (await h.Store.FindAccountAsync("acct", default))!.Version;

        var tooLong = await Assert.ThrowsAsync<ArgumentException>(async () => await h.Runtime.GrantHoldAsync("acct", Promise(T0, T0 + Duration.FromDays(8)), default));
        Assert.StartsWith("hold.until:", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("P7D", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("2026-02-09T08:30:00Z", tooLong.Message, StringComparison.Ordinal);

        var openEnded = await Assert.ThrowsAsync<ArgumentException>(async () => await h.Runtime.GrantHoldAsync("acct", Promise(T0, null), default));
        Assert.StartsWith("hold.until:", openEnded.Message, StringComparison.Ordinal);

        var all = await Assert.ThrowsAsync<ArgumentException>(async () => await h.Runtime.GrantHoldAsync("acct", Promise(T0, T0 + Duration.FromDays(8), kind: HoldKind.All), default));
        Assert.StartsWith("hold.until:", all.Message, StringComparison.Ordinal);

        var product = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Runtime.GrantHoldAsync("acct", new Hold("h2", HoldKind.Suspension, T0, T0 + Duration.FromDays(1), "agent-7", "promise", product: "cvm"), default));
        Assert.StartsWith("hold.product:", product.Message, StringComparison.Ordinal);
        Assert.Contains("\"cvm\"", product.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(async () => await h.Runtime.GrantHoldAsync("nobody", Promise(T0, T0 + Duration.FromDays(1)), default));
        Assert.Contains("\"nobody\"", unknown.Message, StringComparison.Ordinal);

        // A purge hold within its own (longer) limit is fine.
        Assert.True(await h.Runtime.GrantHoldAsync("acct", Promise(T0, T0 + Duration.FromDays(20), id: "d1", kind: HoldKind.Purge), default));
        var records = await h.Runtime.ListHoldsAsync("acct", default);
        Assert.Equal(["d1"], records.Select(r => r.Id));
        Assert.Equal(version + 1, (await h.Store.FindAccountAsync("acct", default))!.Version);
    }

    [Fact]
    public async Task Grant_TheSameIdAgain_IsANoOpAndOtherContentOrAnUnknownHoldIsRefused()
    {
        var h = await OverdueAsync();
        var hold = Promise(T0 + Duration.FromHours(3), T0 + Duration.FromDays(4));
        var wake = h.Runtime.WaitForFactsAsync();
        Assert.True(await h.Runtime.GrantHoldAsync("acct", hold, default));
        Assert.True(wake.IsCompleted);
        var version = (await h.Store.FindAccountAsync("acct", default))!.Version;

        var again = h.Runtime.WaitForFactsAsync();
        Assert.False(await h.Runtime.GrantHoldAsync("acct", hold, default));
        Assert.False(again.IsCompleted);
        var conflict = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Runtime.GrantHoldAsync("acct", Promise(T0 + Duration.FromHours(3), T0 + Duration.FromDays(5)), default));
        Assert.Contains("\"h1\"", conflict.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await h.Runtime.RevokeHoldAsync("acct", new HoldRevocation("r1", "h9", T0, "agent-7", "typo"), default));
        Assert.Contains("\"h9\"", unknown.Message, StringComparison.Ordinal);

        Assert.Equal(version, (await h.Store.FindAccountAsync("acct", default))!.Version);
        var record = Assert.Single(await h.Runtime.ListHoldsAsync("acct", default));
        Assert.Equal((hold, T0 + Duration.FromHours(2)), (record.Hold, record.RecordedAt));
    }

    [Fact]
    public async Task Grant_APurgeHold_DefersThePurgeAndWarnsAgainWithKeysCarryingTheNewPurgeInstant()
    {
        var h = Harness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        var suspendedAt = T0 + Grace;
        var nominalPurge = suspendedAt + Duration.FromDays(10);
        await h.RunUntilAsync(nominalPurge - Duration.FromDays(2));

        // The warning 3 days before the nominal purge has gone out; then a dispute holds the purge for 10 more days.
        var firstWarning = Assert.Single(h.Email.Deliveries, d => d.Kind == NotificationKind.PurgeWarning && d.Recipient == "owner");
        Assert.Contains(InstantPattern.ExtendedIso.Format(nominalPurge), firstWarning.Key, StringComparison.Ordinal);
        var holdEnd = nominalPurge + Duration.FromDays(10);
        await h.Runtime.GrantHoldAsync("acct", new Hold("d1", HoldKind.Purge, nominalPurge - Duration.FromDays(2), holdEnd, "finance-2", "charge disputed"), default);
        await h.RunUntilAsync(holdEnd + Duration.FromDays(1));

        var purged = (await h.Store.HistoryAsync("acct", default))[^1];
        Assert.Equal((LifecycleStatus.Purged, holdEnd, (Instant?)nominalPurge, "d1"), (purged.To, purged.At, purged.DeferredFrom, string.Join(",", purged.HeldBy)));
        Assert.Equal(holdEnd, h.Enforcement.Actions.Single(a => a.Kind == EnforcementKind.Purge).At);
        var warnings = h.Email.Deliveries.Where(d => d.Kind == NotificationKind.PurgeWarning && d.Recipient == "owner").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Equal(holdEnd - Duration.FromDays(3), warnings[1].At);
        Assert.Contains($"/PurgeWarning/P3D/{InstantPattern.ExtendedIso.Format(holdEnd)}/", warnings[1].Key, StringComparison.Ordinal);
        Assert.Equal(holdEnd, warnings[1].NextDeadline);
    }

    [Fact]
    public async Task Evaluation_AHoldRecordedLaterThanTheEvaluationInstant_IsNotSeen()
    {
        // A store may hold facts recorded after the instant an evaluation runs at (an import evaluated --as-of an earlier
        // instant): the evaluation sees only what was known by its instant.
        var store = new InMemoryArrearsStore();
        var h = new RuntimeHarness(store: store, policies: new Dictionary<string, AccountPolicy> { ["api-gateway"] = AccountPolicy.For(Limited) });
        await store.ImportAsync(
            [new AccountImport(Account(), [Charge("c1", T0, 25m)], null, null, null, T0, [new HoldRecord(Promise(T0, T0 + Duration.FromDays(4)), T0 + Duration.FromDays(2))])],
            default);

        await h.RunUntilAsync(T0 + Duration.FromDays(1) + Duration.FromHours(1));

        var history = await h.Store.HistoryAsync("acct", default);
        Assert.Equal((LifecycleStatus.Suspended, T0 + Grace, (Instant?)null), (history[^1].To, history[^1].At, history[^1].DeferredFrom));
    }

    [Theory]
    [InlineData("promise-to-pay-kept")]
    [InlineData("promise-to-pay-broken")]
    [InlineData("purge-hold-dispute")]
    [InlineData("late-bank-transfer")]
    public async Task Runtime_FedAnExamplesFactsWhenRecorded_DecidesWhatSimulateDoes(string example)
    {
        var scenario = ScenarioJson.Read(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", example + ".scenario.json"))).Scenario!;
        var simulated = Simulator.Run(scenario);
        var until = scenario.Until;
        var account = scenario.Account.Id;

        // Each fact reaches the host at the instant it was recorded, through the host API.
        var facts = scenario.Entries.Where(e => e.At <= until).Select(e => (At: scenario.RecordedAt(e), Fact: (object)e))
            .Concat(scenario.Holds.Holds.Where(x => x.From <= until).Select(x => (At: scenario.RecordedAt(x), Fact: (object)x)))
            .Concat(scenario.Holds.Revocations.Where(r => r.At <= until).Select(r => (At: scenario.RecordedAt(r), Fact: (object)r)))
            .Where(f => f.At <= until)
            .OrderBy(f => f.At)
            .ToList();
        var first = Instant.Min(facts[0].At, scenario.FirstFact() ?? until);
        var h = new RuntimeHarness(start: first - Duration.FromHours(1), policies: new Dictionary<string, AccountPolicy> { ["p"] = scenario.AccountPolicy });
        await h.Runtime.RegisterAsync(new AccountRegistration(scenario.Account, "p", scenario.Currency, scenario.TimeZone, scenario.OpeningBalance, scenario.Items), default);

        // With an evaluation schedule the host evaluates at its instants, as simulate does; without one it evaluates
        // whenever the runtime is due.
        var evaluations = scenario.Schedule is { } schedule ? schedule.InstantsUpTo(scenario.FirstFact() ?? until, until).ToList() : null;
        var next = 0;
        async Task RecordUpToAsync(Instant at)
        {
            while (next < facts.Count && facts[next].At <= at)
            {
                var (recordedAt, fact) = facts[next++];
                h.Clock.Reset(Instant.Max(recordedAt, h.Clock.GetCurrentInstant()));
                _ = fact switch
                {
                    LedgerEntry entry => (await h.Runtime.AppendAsync(account, [entry], default)).Added,
                    Hold hold => await h.Runtime.GrantHoldAsync(account, hold, default) ? 1 : 0,
                    HoldRevocation revocation => await h.Runtime.RevokeHoldAsync(account, revocation, default) ? 1 : 0,
                    _ => throw new InvalidOperationException(),
                };
            }
        }

        if (evaluations is not null)
        {
            foreach (var at in evaluations)
            {
                await RecordUpToAsync(at);
                await h.RunAtAsync(at);
            }
        }
        else
        {
            foreach (var (at, _) in facts.ToList())
            {
                await h.RunUntilAsync(at - Duration.FromTicks(1));
                await RecordUpToAsync(at);
            }

            await h.RunUntilAsync(until);
        }

        var history = await h.Store.HistoryAsync(account, default);
        Assert.True(
            simulated.Transitions.Count == history.Count && simulated.Transitions.Zip(history).All(p => p.Second.Describes(p.First)),
            $"simulated: {string.Join(" | ", simulated.Transitions)}\nruntime:   {string.Join(" | ", history)}");
        var keys = (await h.Store.QueryOutboxAsync(new OutboxQuery(max: 10_000), default)).Where(m => m.Kind == OutboxKind.Notification).Select(m => m.Key).Order(StringComparer.Ordinal);
        Assert.Equal(simulated.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal), keys);
        var stored = (await h.Store.FindAccountAsync(account, default))!;
        Assert.Equal(simulated.Final.Status, stored.State.LifecycleOf(null).Status);
        Assert.Equal(simulated.Final.NextReviewAt, stored.NextReviewAt);
    }

    private static LifecyclePolicyOptions With(LifecyclePolicyOptions options, Action<LifecyclePolicyOptions> change)
    {
        change(options);
        return options;
    }
}
