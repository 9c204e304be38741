using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.Tests.Runtime;

/// <summary>
/// What the in-memory store's layout adds to the store contract: snapshots that never change, ledgers that fall back to
/// <see cref="Ledger"/> when they do not fit the compact layout, a due index that stays in step, and rating only the
/// cycles that closed since the last commit.
/// </summary>
public sealed class InMemoryStoreLayoutTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30) + Duration.FromNanoseconds(17);
    private static readonly Duration Lease = Duration.FromMinutes(5);
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    private static CancellationToken Ct => CancellationToken.None;

    private static AccountRegistration Account(string id = "acct", IReadOnlyList<BillingItem>? items = null, DateTimeZone? zone = null) =>
        new(new AccountProfile(id, "owner"), "api-gateway", Currency.FromCode("CNY"), zone ?? Shanghai, 10m, items);

    private static LedgerEntry Charge(string id, Instant at, decimal amount) => new(id, LedgerEntryKind.Charge, at, amount);

    [Fact]
    public async Task Snapshots_ShareTheHoldSetAndAnAccountWithoutHoldsAllocatesNothingForThem()
    {
        var store = new InMemoryArrearsStore();
        await store.AddAccountAsync(Account("plain"), T0, Ct);
        await store.AddAccountAsync(Account("held"), T0, Ct);
        var hold = new Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(2), "agent-7", "promise to pay");
        await store.AddHoldFactsAsync("held", [hold], [], T0, Ct);

        var plain = (await store.ClaimDueAsync(T0, 10, Lease, Ct)).Single(a => a.Registration.Id == "plain");
        var held = (await store.FindAccountAsync("held", Ct))!;
        var again = (await store.FindAccountAsync("held", Ct))!;

        Assert.Same(HoldSet.Empty, plain.Holds);
        Assert.Same(held.Holds, again.Holds);
        Assert.Same(held.HoldRecords, again.HoldRecords);
        var later = T0 + Duration.FromDays(1);
        Assert.Same(held.Holds, held.HoldsKnownAt(later));
        Assert.Null(held.NextHoldRecordedAfter(later));
        Assert.Same(HoldSet.Empty, held.HoldsKnownAt(T0 - Duration.FromTicks(1)));
        Assert.Equal(T0, held.NextHoldRecordedAfter(T0 - Duration.FromTicks(1)));

        _ = plain.HoldsKnownAt(later);
        var allocated = Allocations.Fewest(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                _ = plain.HoldsKnownAt(later);
                _ = plain.NextHoldRecordedAfter(later);
                _ = held.HoldsKnownAt(later);
                _ = held.NextHoldRecordedAfter(later);
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task ClaimDue_TheSnapshot_DoesNotChangeWhenEntriesArriveLater()
    {
        var store = new InMemoryArrearsStore();
        await store.AddAccountAsync(Account(), T0, Ct);
        await store.AppendEntriesAsync("acct", [Charge("c1", T0, 1m), Charge("c2", T0 + Duration.FromHours(1), 2m)], T0, Ct);
        var claimed = (await store.ClaimDueAsync(T0, 10, Lease, Ct)).Single();

        await store.AppendEntriesAsync("acct", [Charge("c3", T0 + Duration.FromHours(2), 4m)], T0, Ct);
        await store.AppendEntriesAsync("acct", [Charge("c0", T0 - Duration.FromHours(1), 8m)], T0, Ct);

        Assert.Equal(["c1", "c2"], claimed.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(7m, claimed.Ledger.BalanceAt(T0 + Duration.FromDays(1)));
        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal(["c0", "c1", "c2", "c3"], found.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(-5m, found.Ledger.BalanceAt(T0 + Duration.FromDays(1)));
    }

    [Fact]
    public async Task AppendEntries_AnInstantBeyondTheCompactLayout_KeepsEverythingInALedger()
    {
        var store = new InMemoryArrearsStore();
        await store.AddAccountAsync(Account(), T0, Ct);
        await store.AppendEntriesAsync("acct", [Charge("c1", T0, 1m)], T0, Ct);
        var far = Instant.FromUtc(2400, 1, 1, 0, 0);

        var result = await store.AppendEntriesAsync("acct", [Charge("c2", far, 2m), Charge("c1", T0, 1m)], T0, Ct);

        Assert.Equal(new AppendResult(1, 1), result);
        var claimed = (await store.ClaimDueAsync(T0, 10, Lease, Ct)).Single();
        Assert.Equal(["c1", "c2"], claimed.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(7m, claimed.Ledger.BalanceAt(far));
        Assert.Throws<ArgumentException>(() => store.AppendEntriesAsync("acct", [Charge("c2", far, 3m)], T0, Ct).AsTask().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task ClaimDue_ManyAccounts_ClaimsOnlyTheDueOnesInDueOrderAndNextDueFollows()
    {
        var store = new InMemoryArrearsStore();
        for (var i = 0; i < 1000; i++)
        {
            await store.AddAccountAsync(Account($"a{i:D4}"), T0 + Duration.FromMinutes(i % 100), Ct);
        }

        var claimed = await store.ClaimDueAsync(T0 + Duration.FromMinutes(9), 1000, Lease, Ct);

        Assert.Equal(100, claimed.Count);
        Assert.Equal(
            Enumerable.Range(0, 1000).Where(i => i % 100 < 10).OrderBy(i => i % 100).ThenBy(i => i).Select(i => $"a{i:D4}"),
            claimed.Select(a => a.Registration.Id));
        Assert.Equal(T0 + Duration.FromMinutes(10), await store.NextDueAsync(Ct));

        // A commit moves the account later in the index, and an entry brings it forward again.
        var first = claimed[0];
        Assert.True(await store.CommitAsync(new EvaluationCommit(first.Registration.Id, first.Version, first.State, T0, [], [], [], T0 + Duration.FromDays(1)), Ct));
        Assert.Equal(T0 + Duration.FromMinutes(10), await store.NextDueAsync(Ct));
        await store.AppendEntriesAsync(first.Registration.Id, [Charge("c1", T0, 1m)], T0 + Duration.FromMinutes(2), Ct);
        Assert.Equal(T0 + Duration.FromMinutes(2), await store.NextDueAsync(Ct));
        Assert.Equal([first.Registration.Id], (await store.ClaimDueAsync(T0 + Duration.FromMinutes(3), 10, Lease, Ct)).Select(a => a.Registration.Id));

        // The other claims expire with their lease and come back in due order.
        var again = await store.ClaimDueAsync(T0 + Duration.FromMinutes(14), 2, Lease, Ct);
        Assert.Equal(["a0100", "a0200"], again.Select(a => a.Registration.Id));
    }

    [Fact]
    public async Task RatedThrough_FollowsCommitsAndIsForgottenWhenUsageForAnEarlierCycleArrives()
    {
        var store = new InMemoryArrearsStore();
        var items = new[] { new BillingItem("calls", 1m, 0.5m, BillingCycle.Every(Duration.FromHours(1))) };
        await store.AddAccountAsync(Account(items: items), T0, Ct);
        await store.RecordUsageAsync("acct", "b1", [new UsageRecord("calls", T0, 1m)], T0 + Duration.FromHours(1), Ct);
        var claimed = (await store.ClaimDueAsync(T0, 10, Lease, Ct)).Single();
        Assert.Null(claimed.RatedThrough);

        var now = T0 + Duration.FromHours(3);
        Assert.True(await store.CommitAsync(new EvaluationCommit("acct", claimed.Version, claimed.State, now, [], [], [], null) { RatedThrough = now }, Ct));
        Assert.Equal(now, (await store.FindAccountAsync("acct", Ct))!.RatedThrough);

        await store.RecordUsageAsync("acct", "b2", [new UsageRecord("calls", now, 1m)], now + Duration.FromHours(1), Ct);
        Assert.Equal(now, (await store.FindAccountAsync("acct", Ct))!.RatedThrough);

        await store.RecordUsageAsync("acct", "b3", [new UsageRecord("calls", T0, 1m)], T0 + Duration.FromHours(1), Ct);
        Assert.Null((await store.FindAccountAsync("acct", Ct))!.RatedThrough);
    }

    [Fact]
    public void UsageToRate_AnyUsageAndInstant_RatesTheCyclesAfterItAsRatingEverything()
    {
        var random = new Random(7);
        BillingItem[] items =
        [
            new("calls", 10_000m, 0.06m, BillingCycle.Every(Duration.FromHours(1)), Duration.FromMinutes(30), tiers: [new PriceTier(1_000_000m, 0.06m), new PriceTier(2_000_000m, 0.0525m)]),
            new("storage", 1m, 0.01m, BillingCycle.Day, Duration.FromHours(2), tiers: [new PriceTier(100m, 0.02m), new PriceTier(1_000m, 0.01m)]),
            new("traffic", 1m, 0.8m, BillingCycle.None),
            new("seats", 1m, 7m, BillingCycle.Month),
            new("backups", 1m, 0.3m, BillingCycle.Week, Duration.FromDays(1)),
        ];
        for (var run = 0; run < 300; run++)
        {
            var zone = run % 2 == 0 ? Shanghai : NewYork;
            var registration = Account(items: items, zone: zone);
            var start = Instant.FromUtc(2026, 2, 20, 0, 0);
            var usage = Enumerable.Range(0, random.Next(1, 80))
                .Select(_ => new UsageRecord(items[random.Next(items.Length)].Id, start + Duration.FromMinutes(random.Next(0, 60 * 24 * 60)), random.Next(0, 400_000)))
                .ToList();
            var rated = start + Duration.FromMinutes(random.Next(0, 60 * 24 * 70));

            var everything = Rating.Rate(items, usage, registration.Currency, zone).Where(c => c.At > rated);
            var subset = BulkEvaluatorAccess.UsageToRate(registration, usage, rated);
            var recent = Rating.Rate(items, subset, registration.Currency, zone).Where(c => c.At > rated);

            Assert.Equal(everything.Select(c => (c.Id, c.At, c.Amount)), recent.Select(c => (c.Id, c.At, c.Amount)));
        }
    }

    [Fact]
    public void UsageToRate_NothingRatedYet_RatesEverything()
    {
        var items = new[] { new BillingItem("calls", 1m, 0.5m, BillingCycle.Every(Duration.FromHours(1))) };
        UsageRecord[] usage = [new("calls", T0, 1m)];

        Assert.Same(usage, BulkEvaluatorAccess.UsageToRate(Account(items: items), usage, null));
        Assert.Empty(BulkEvaluatorAccess.UsageToRate(Account(items: items), usage, T0 + Duration.FromDays(1)));
    }

    private static class BulkEvaluatorAccess
    {
        public static IReadOnlyList<UsageRecord> UsageToRate(AccountRegistration registration, IReadOnlyList<UsageRecord> usage, Instant? rated) =>
            BulkEvaluator.UsageToRate(registration, usage, rated);
    }
}
