using Arrears.Policy.Presets;

namespace Arrears.Policy.Stores.Tests;

/// <summary>
/// The contract every <see cref="IArrearsStore"/> keeps. A store's test class derives from this one and says how to create
/// a fresh, empty store (and, for durable stores, a second instance over the same data, as a second process would open it).
/// </summary>
/// <remarks>
/// The in-memory store is the reference; SQLite and PostgreSQL must behave the same way, including what they refuse.
/// Instants carry nanoseconds and amounts carry their scale, so a store that rounds either fails here.
/// </remarks>
public abstract class StoreContractTests
{
    /// <summary>An instant with nanoseconds, so that a store that stores milliseconds or microseconds fails.</summary>
    protected static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30) + Duration.FromNanoseconds(123_456_789);

    private static readonly Duration Lease = Duration.FromMinutes(5);

    /// <summary>Creates a fresh, empty store.</summary>
    protected abstract Task<IArrearsStore> CreateStoreAsync();

    /// <summary>Opens a second instance over the data of <paramref name="store"/>, as another process would; the in-memory store returns itself.</summary>
    protected virtual Task<IArrearsStore> OpenAnotherAsync(IArrearsStore store) => Task.FromResult(store);

    private static CancellationToken Ct => CancellationToken.None;

    protected static AccountRegistration Account(string id = "acct", string policy = "api-gateway", IReadOnlyList<BillingItem>? items = null, decimal opening = 0m, string creator = "owner") =>
        new(new AccountProfile(id, creator, collaborators: ["dev", "ops"], balanceAlarm: 50.25m), policy, Currency.FromCode("CNY"),
            DateTimeZoneProviders.Tzdb["Asia/Shanghai"], opening, items);

    protected static BillingItem[] Items() =>
    [
        new("calls", 10_000m, 0.06m, BillingCycle.Every(Duration.FromHours(1)), Duration.FromMinutes(30), product: null,
            tiers: [new PriceTier(1_000_000m, 0.06m), new PriceTier(2_000_000m, 0.0525m)]),
        new("traffic", 1m, 0.8m, BillingCycle.None),
    ];

    protected static LedgerEntry Charge(string id, Instant at, decimal amount) => new(id, LedgerEntryKind.Charge, at, amount);

    protected static LedgerEntry Payment(string id, Instant at, decimal amount) => new(id, LedgerEntryKind.Payment, at, amount);

    private static OutboxMessage Message(string key, string account = "acct", NotificationKind kind = NotificationKind.Overdue, Instant? at = null) => new()
    {
        Key = key,
        Account = account,
        Kind = OutboxKind.Notification,
        Notification = kind,
        Product = "apigw",
        Episode = 2,
        At = at ?? T0,
        Balance = -12.50m,
        Recipient = "owner",
        Channel = "SMS",
        NextDeadline = T0 + Duration.FromHours(24),
        Currency = "CNY",
        TimeZone = "Asia/Shanghai",
    };

    private static OutboxMessage Action(string account, EnforcementKind kind, Instant at) =>
        new()
        {
            Key = new EnforcementAction(account, null, 1, kind, at).Key,
            Account = account,
            Kind = OutboxKind.Enforcement,
            Enforcement = kind,
            Episode = 1,
            At = at,
            Currency = "CNY",
            TimeZone = "Asia/Shanghai",
        };

    private static async Task<StoredAccount> ClaimOneAsync(IArrearsStore store, Instant now)
    {
        var claimed = await store.ClaimDueAsync(now, 10, Lease, Ct);
        return Assert.Single(claimed);
    }

    private static EvaluationCommit Commit(StoredAccount account, Instant now, AccountState? state = null, IReadOnlyList<TransitionRecord>? transitions = null,
        IReadOnlyList<LedgerEntry>? charges = null, IReadOnlyList<OutboxMessage>? outbox = null, Instant? dueAt = null, Instant? nextReviewAt = null) =>
        new(account.Registration.Id, account.Version, state ?? new AccountState([ProductLifecycle.Initial(null)], true, now), now,
            transitions ?? [], charges ?? [], outbox ?? [], dueAt, nextReviewAt);

    // ---- accounts ----

    [Fact]
    public async Task AddAccount_New_IsFoundWithEveryFieldAndDueAtOnce()
    {
        var store = await CreateStoreAsync();
        var registration = Account(items: Items(), opening: 10.50m);

        Assert.True(await store.AddAccountAsync(registration, T0, Ct));

        var found = await store.FindAccountAsync("acct", Ct);
        Assert.NotNull(found);
        var r = found.Registration;
        Assert.Equal(("acct", "owner", "api-gateway", "CNY", "Asia/Shanghai", 10.50m, 50.25m), (r.Id, r.Profile.Creator, r.Policy, r.Currency.Code, r.TimeZone.Id, r.OpeningBalance, r.Profile.BalanceAlarm));
        Assert.Equal(["dev", "ops"], r.Profile.Collaborators);
        Assert.Equal(Items(), r.Items);
        Assert.Equal(Items()[0].Tiers, r.Items[0].Tiers);
        Assert.Equal(T0, found.DueAt);
        Assert.Equal(AccountState.Initial, found.State);
        Assert.Null(found.NextReviewAt);
        Assert.Empty(found.Ledger.Entries);
        Assert.Equal(10.50m, found.Ledger.BalanceAt(T0));
        Assert.Empty(found.Usage);
    }

    [Fact]
    public async Task AddAccount_SameRegistrationAgain_ReturnsFalse()
    {
        var store = await CreateStoreAsync();
        Assert.True(await store.AddAccountAsync(Account(items: Items()), T0, Ct));

        Assert.False(await store.AddAccountAsync(Account(items: Items()), T0 + Duration.FromHours(1), Ct));
        Assert.Equal(T0, (await store.FindAccountAsync("acct", Ct))!.DueAt);
    }

    [Fact]
    public async Task AddAccount_OtherRegistrationUnderTheSameId_ThrowsNamingTheAccount()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.AddAccountAsync(Account(creator: "someone-else"), T0, Ct));
        Assert.Contains("acct", error.Message, StringComparison.Ordinal);
        Assert.Equal("owner", (await store.FindAccountAsync("acct", Ct))!.Registration.Profile.Creator);
    }

    [Fact]
    public async Task FindAccount_Unknown_ReturnsNull()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.FindAccountAsync("nobody", Ct));
    }

    // ---- entries and usage ----

    [Fact]
    public async Task AppendEntries_NewAndReplayed_AddsOnlyTheNewOnesAndBumpsTheVersion()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var before = (await store.FindAccountAsync("acct", Ct))!.Version;

        var first = await store.AppendEntriesAsync("acct", [Charge("c1", T0, 12.50m), Payment("p1", T0 + Duration.FromHours(2), 5.05m)], T0, Ct);
        var again = await store.AppendEntriesAsync("acct", [Charge("c1", T0, 12.50m), Charge("c2", T0 + Duration.FromHours(3), 1m)], T0, Ct);

        Assert.Equal(new AppendResult(2, 0), first);
        Assert.Equal(new AppendResult(1, 1), again);
        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.True(found.Version > before);
        Assert.Equal(["c1", "p1", "c2"], found.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(Payment("p1", T0 + Duration.FromHours(2), 5.05m), found.Ledger.Entries[1]);
        Assert.Equal(-12.50m + 5.05m - 1m, found.Ledger.BalanceAt(T0 + Duration.FromDays(1)));
    }

    [Fact]
    public async Task AppendEntries_EveryField_RoundTrips()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(items: Items()), T0, Ct);
        var entry = new LedgerEntry("c-\"quoted\"/1", LedgerEntryKind.Charge, T0, 0.01m, product: "apigw", billingItem: "calls", externalReference: "invoice 7 ✓");

        await store.AppendEntriesAsync("acct", [entry], T0, Ct);

        var stored = Assert.Single((await store.FindAccountAsync("acct", Ct))!.Ledger.Entries);
        Assert.Equal((entry.Id, entry.Kind, entry.At, entry.Amount, entry.Product, entry.BillingItem, entry.ExternalReference),
            (stored.Id, stored.Kind, stored.At, stored.Amount, stored.Product, stored.BillingItem, stored.ExternalReference));
    }

    [Fact]
    public async Task AppendEntries_AnIdWithOtherContent_ThrowsAndAppliesNothingOfTheBatch()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        await store.AppendEntriesAsync("acct", [Charge("c1", T0, 12.50m)], T0, Ct);
        var version = (await store.FindAccountAsync("acct", Ct))!.Version;

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.AppendEntriesAsync("acct", [Charge("c2", T0, 1m), Charge("c1", T0, 99m)], T0, Ct));

        Assert.Contains("c1", error.Message, StringComparison.Ordinal);
        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal(["c1"], found.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(version, found.Version);
    }

    [Fact]
    public async Task AppendEntries_UnknownAccount_ThrowsNamingIt()
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.AppendEntriesAsync("nobody", [Charge("c1", T0, 1m)], T0, Ct));
        Assert.Contains("nobody", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendEntries_AfterAnEvaluation_MakesTheAccountDueWhenRecorded()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var claimed = await ClaimOneAsync(store, T0);
        Assert.True(await store.CommitAsync(Commit(claimed, T0, dueAt: null), Ct));
        Assert.Null((await store.FindAccountAsync("acct", Ct))!.DueAt);

        await store.AppendEntriesAsync("acct", [Charge("c1", T0 + Duration.FromDays(3), 1m)], T0 + Duration.FromHours(1), Ct);

        Assert.Equal(T0 + Duration.FromHours(1), (await store.FindAccountAsync("acct", Ct))!.DueAt);
    }

    [Fact]
    public async Task RecordUsage_SameBatchTwice_RecordsItOnceAndOtherRecordsUnderItsIdThrow()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(items: Items()), T0, Ct);
        UsageRecord[] batch = [new("calls", T0 + Duration.FromMinutes(5), 250_000m), new("traffic", T0 + Duration.FromMinutes(6), 0.125m)];

        Assert.True(await store.RecordUsageAsync("acct", "b1", batch, T0 + Duration.FromHours(2), Ct));
        Assert.False(await store.RecordUsageAsync("acct", "b1", batch, T0 + Duration.FromHours(2), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.RecordUsageAsync("acct", "b1", [new UsageRecord("calls", T0, 1m)], T0 + Duration.FromHours(2), Ct));

        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal(batch, found.Usage);
    }

    [Fact]
    public async Task RecordUsage_AfterAnEvaluation_MakesTheAccountDueAtTheCycleClose()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(items: Items()), T0, Ct);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, dueAt: T0 + Duration.FromDays(30)), Ct));

        await store.RecordUsageAsync("acct", "b1", [new UsageRecord("calls", T0 + Duration.FromMinutes(5), 1m)], T0 + Duration.FromHours(2), Ct);

        Assert.Equal(T0 + Duration.FromHours(2), (await store.FindAccountAsync("acct", Ct))!.DueAt);
    }

    // ---- claims ----

    [Fact]
    public async Task ClaimDue_SeveralAccounts_ClaimsOnlyDueOnesEarliestFirstUpToMax()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account("b"), T0 + Duration.FromMinutes(2), Ct);
        await store.AddAccountAsync(Account("a"), T0 + Duration.FromMinutes(3), Ct);
        await store.AddAccountAsync(Account("c"), T0 + Duration.FromMinutes(1), Ct);
        await store.AddAccountAsync(Account("later"), T0 + Duration.FromHours(1), Ct);

        var first = await store.ClaimDueAsync(T0 + Duration.FromMinutes(10), 2, Lease, Ct);
        var second = await store.ClaimDueAsync(T0 + Duration.FromMinutes(10), 10, Lease, Ct);

        Assert.Equal(["c", "b"], first.Select(a => a.Registration.Id));
        Assert.Equal(["a"], second.Select(a => a.Registration.Id));
    }

    [Fact]
    public async Task ClaimDue_AClaimedAccount_IsNotClaimedAgainUntilItsLeaseExpires()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        await ClaimOneAsync(store, T0);

        Assert.Empty(await store.ClaimDueAsync(T0 + Lease - Duration.FromSeconds(1), 10, Lease, Ct));
        Assert.Single(await store.ClaimDueAsync(T0 + Lease, 10, Lease, Ct));
    }

    [Fact]
    public async Task ClaimDue_AnAccountEvaluatedAfterNow_IsNotClaimed()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var later = T0 + Duration.FromDays(2);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, later), later, dueAt: T0), Ct));

        Assert.Empty(await store.ClaimDueAsync(T0 + Duration.FromDays(1), 10, Lease, Ct));
        Assert.Single(await store.ClaimDueAsync(later, 10, Lease, Ct));
    }

    [Fact]
    public async Task ClaimDue_TheSnapshot_CarriesLedgerUsageStateAndVersion()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(items: Items()), T0, Ct);
        await store.AppendEntriesAsync("acct", [Charge("c1", T0, 12.50m)], T0, Ct);
        await store.RecordUsageAsync("acct", "b1", [new UsageRecord("calls", T0, 3m)], T0, Ct);
        var found = (await store.FindAccountAsync("acct", Ct))!;

        var claimed = await ClaimOneAsync(store, T0);

        Assert.Equal(found.Version, claimed.Version);
        Assert.Equal(["c1"], claimed.Ledger.Entries.Select(e => e.Id));
        Assert.Equal([new UsageRecord("calls", T0, 3m)], claimed.Usage);
    }

    [Fact]
    public async Task ClaimDue_FromTwoInstancesAtOnce_NeverClaimsAnAccountTwice()
    {
        var store = await CreateStoreAsync();
        var other = await OpenAnotherAsync(store);
        const int Accounts = 200;
        await store.ImportAsync([.. Enumerable.Range(0, Accounts).Select(i => new AccountImport(Account($"acct-{i:D3}"), null, null, null, null, T0))], Ct);

        async Task<List<string>> ClaimAll(IArrearsStore s)
        {
            var ids = new List<string>();
            while (true)
            {
                var batch = await s.ClaimDueAsync(T0, 7, Lease, Ct);
                if (batch.Count == 0)
                {
                    return ids;
                }

                ids.AddRange(batch.Select(a => a.Registration.Id));
            }
        }

        var results = await Task.WhenAll(Task.Run(() => ClaimAll(store)), Task.Run(() => ClaimAll(other)), Task.Run(() => ClaimAll(store)), Task.Run(() => ClaimAll(other)));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(Accounts, all.Count);
        Assert.Equal(Accounts, all.Distinct(StringComparer.Ordinal).Count());
    }

    // ---- commits ----

    [Fact]
    public async Task Commit_EverythingItCarries_IsSavedAndReadBack()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(items: Items()), T0, Ct);
        var claimed = await ClaimOneAsync(store, T0);
        var now = T0 + Duration.FromDays(2);
        var state = new AccountState(
            [
                new ProductLifecycle("apigw", LifecycleStatus.Suspended, 2, T0, T0 + Duration.FromHours(24), T0 + Duration.FromDays(181)),
                new ProductLifecycle("cdn", LifecycleStatus.Overdue, 1, T0 + Duration.FromDays(2), T0 + Duration.FromDays(3), null),
                new ProductLifecycle("dns", LifecycleStatus.Purged, 3, null, null, T0 + Duration.FromDays(180)),
            ],
            alarmArmed: false,
            lastEvaluatedAt: now);
        TransitionRecord[] transitions =
        [
            new(T0, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 2, "apigw", false, now),
            new(T0 + Duration.FromHours(24), LifecycleStatus.Overdue, LifecycleStatus.Suspended, TransitionReason.GraceExpired, 2, "apigw", true, now),
        ];
        var charge = new LedgerEntry("calls:2026-02-01T08:00:00Z", LedgerEntryKind.Charge, T0 + Duration.FromHours(1), 1.50m, billingItem: "calls");
        OutboxMessage[] outbox = [Message("k1"), Action("acct", EnforcementKind.Suspend, T0 + Duration.FromHours(24))];

        Assert.True(await store.CommitAsync(Commit(claimed, now, state, transitions, [charge], outbox, dueAt: now + Duration.FromDays(7), nextReviewAt: now + Duration.FromDays(8)), Ct));

        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal(state, found.State);
        Assert.Equal(state.Lifecycles.Select(l => (l.Product, l.Status, l.Episode, l.OverdueSince, l.SuspendAt, l.PurgeAt)),
            found.State.Lifecycles.Select(l => (l.Product, l.Status, l.Episode, l.OverdueSince, l.SuspendAt, l.PurgeAt)));
        Assert.Equal((false, (Instant?)now), (found.State.AlarmArmed, found.State.LastEvaluatedAt));
        Assert.Equal(now + Duration.FromDays(7), found.DueAt);
        Assert.Equal(now + Duration.FromDays(8), found.NextReviewAt);
        Assert.True(found.Version > claimed.Version);
        Assert.Equal(charge, Assert.Single(found.Ledger.Entries));
        Assert.Equal("calls", found.Ledger.Entries[0].BillingItem);
        Assert.Equal(transitions, await store.HistoryAsync("acct", Ct));

        var messages = await store.QueryOutboxAsync(new OutboxQuery(), Ct);
        Assert.Equal(["k1", "acct/1/Suspend"], messages.Select(m => m.Key));
        var m = messages[0];
        var expected = Message("k1");
        Assert.Equal(
            (expected.Account, expected.Kind, expected.Notification, expected.Product, expected.Episode, expected.At, expected.Balance, expected.Recipient, expected.Channel, expected.NextDeadline, expected.Currency, expected.TimeZone),
            (m.Account, m.Kind, m.Notification, m.Product, m.Episode, m.At, m.Balance, m.Recipient, m.Channel, m.NextDeadline, m.Currency, m.TimeZone));
        Assert.Equal((OutboxStatus.Pending, 0, now, (string?)null), (m.Status, m.Attempts, m.NextAttemptAt, m.LastError));
        Assert.True(messages[1].Sequence > messages[0].Sequence);
        var action = messages[1];
        Assert.Equal((OutboxKind.Enforcement, EnforcementKind.Suspend, (string?)null, 1), (action.Kind, action.Enforcement, action.Product, action.Episode));
        Assert.Equal(new EnforcementAction("acct", null, 1, EnforcementKind.Suspend, T0 + Duration.FromHours(24)), action.ToAction());
    }

    [Fact]
    public async Task Commit_SingleProductInitialLifecycle_RoundTripsTheNullProduct()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Overdue, 1, T0, T0 + Duration.FromHours(24), null)], true, T0);

        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, state), Ct));

        var lifecycle = Assert.Single((await store.FindAccountAsync("acct", Ct))!.State.Lifecycles);
        Assert.Null(lifecycle.Product);
        Assert.Equal(state.Lifecycles[0], lifecycle);
    }

    [Fact]
    public async Task Commit_AfterTheAccountChanged_ReturnsFalseAndSavesNothing()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var claimed = await ClaimOneAsync(store, T0);
        await store.AppendEntriesAsync("acct", [Charge("c1", T0, 1m)], T0, Ct);

        var saved = await store.CommitAsync(Commit(claimed, T0,
            transitions: [new(T0, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1, null, false, T0)],
            charges: [Charge("rated", T0, 2m)], outbox: [Message("k1")], dueAt: T0 + Duration.FromDays(1)), Ct);

        Assert.False(saved);
        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal(AccountState.Initial, found.State);
        Assert.Equal(["c1"], found.Ledger.Entries.Select(e => e.Id));
        Assert.Empty(await store.HistoryAsync("acct", Ct));
        Assert.Empty(await store.QueryOutboxAsync(new OutboxQuery(), Ct));
        Assert.Equal(T0, found.DueAt);
    }

    [Fact]
    public async Task Commit_AMessageWhoseKeyExists_IsSkippedAndTheFirstKept()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, outbox: [Message("k1", kind: NotificationKind.Overdue)], dueAt: T0), Ct));

        var later = T0 + Duration.FromHours(1);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, later), later, outbox: [Message("k1", kind: NotificationKind.Suspended), Message("k2")]), Ct));

        var messages = await store.QueryOutboxAsync(new OutboxQuery(), Ct);
        Assert.Equal(["k1", "k2"], messages.Select(m => m.Key));
        Assert.Equal(NotificationKind.Overdue, messages[0].Notification);
    }

    [Fact]
    public async Task Commit_ReleasesTheClaim_SoADueAccountIsClaimedAgain()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);

        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, dueAt: T0), Ct));

        Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));
    }

    [Fact]
    public async Task Commit_ChargesWhoseIdsExist_AreNotAddedTwice()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var charge = Charge("calls:1", T0, 1.50m);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, charges: [charge], dueAt: T0), Ct));

        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, charges: [charge]), Ct));

        Assert.Equal([charge], (await store.FindAccountAsync("acct", Ct))!.Ledger.Entries);
    }

    // ---- batched commits ----

    private static async Task<IReadOnlyList<StoredAccount>> ClaimAllAsync(IArrearsStore store, Instant now, params string[] ids)
    {
        await store.ImportAsync([.. ids.Select(id => new AccountImport(Account(id), null, null, null, null, now))], Ct);
        var claimed = await store.ClaimDueAsync(now, 100, Lease, Ct);
        Assert.Equal(ids.Order(StringComparer.Ordinal), claimed.Select(a => a.Registration.Id));
        return claimed;
    }

    private static TransitionRecord ToOverdue(Instant at) => new(at, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1, null, false, at);

    private static AccountState Overdue(Instant now) => new([new ProductLifecycle(null, LifecycleStatus.Overdue, 1, now, now + Duration.FromDays(1), null)], true, now);

    [Fact]
    public async Task CommitBatch_OneStale_IsRefusedAloneAndTheOthersAreSaved()
    {
        var store = await CreateStoreAsync();
        var claimed = await ClaimAllAsync(store, T0, "a", "b", "c");
        await store.AppendEntriesAsync("b", [Charge("c1", T0, 1m)], T0, Ct);

        var results = await store.CommitAsync(
            [.. claimed.Select(a => Commit(a, T0, Overdue(T0), [ToOverdue(T0)], [Charge("rated", T0, 2m)], [Message($"{a.Registration.Id}/k1", a.Registration.Id)], dueAt: T0 + Duration.FromDays(1)))],
            Ct);

        Assert.Equal([CommitOutcome.Saved, CommitOutcome.Stale, CommitOutcome.Saved], results.Select(r => r.Outcome));
        Assert.All(results, r => Assert.Null(r.Error));
        foreach (var id in new[] { "a", "c" })
        {
            var saved = (await store.FindAccountAsync(id, Ct))!;
            Assert.Equal(Overdue(T0), saved.State);
            Assert.Equal(["rated"], saved.Ledger.Entries.Select(e => e.Id));
            Assert.Equal(T0 + Duration.FromDays(1), saved.DueAt);
            Assert.Equal([ToOverdue(T0)], await store.HistoryAsync(id, Ct));
        }

        // Nothing of the stale commit: its state, ledger, audit trail, outbox and due instant are as before.
        var stale = (await store.FindAccountAsync("b", Ct))!;
        Assert.Equal(AccountState.Initial, stale.State);
        Assert.Equal(["c1"], stale.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(T0, stale.DueAt);
        Assert.Empty(await store.HistoryAsync("b", Ct));
        Assert.Equal(["a/k1", "c/k1"], (await store.QueryOutboxAsync(new OutboxQuery(), Ct)).Select(m => m.Key));
    }

    [Fact]
    public async Task CommitBatch_AKeyRepeatedInTheBatchOrStored_IsWrittenOnceTheFirstTime()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account("z"), T0, Ct);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, outbox: [Message("k0", "z")]), Ct));
        var claimed = await ClaimAllAsync(store, T0, "a", "b");

        var results = await store.CommitAsync(
        [
            Commit(claimed[0], T0, outbox: [Message("k1", "a", NotificationKind.Overdue), Message("k0", "a"), Message("k1", "a", NotificationKind.Suspended)]),
            Commit(claimed[1], T0, outbox: [Message("k1", "b", NotificationKind.Resumed), Message("k2", "b")]),
        ], Ct);

        Assert.Equal([CommitOutcome.Saved, CommitOutcome.Saved], results.Select(r => r.Outcome));
        var messages = await store.QueryOutboxAsync(new OutboxQuery(), Ct);
        Assert.Equal(["k0", "k1", "k2"], messages.Select(m => m.Key));
        Assert.Equal(messages.Count, messages.Select(m => m.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(("z", "a", NotificationKind.Overdue), (messages[0].Account, messages[1].Account, messages[1].Notification));
        Assert.True(messages[1].Sequence < messages[2].Sequence);
    }

    [Fact]
    public async Task CommitBatch_AChargeThatContradictsTheLedgerOrAnUnknownAccount_FailsAloneAndSavesNothingOfIt()
    {
        var store = await CreateStoreAsync();
        var claimed = await ClaimAllAsync(store, T0, "a", "b");
        await store.ImportAsync([new AccountImport(Account("b"), [Charge("calls:1", T0, 1m)], null, null, null, T0 + Duration.FromDays(9))], Ct);
        var b = (await store.FindAccountAsync("b", Ct))!;
        var ghost = new StoredAccount(Account("ghost"), AccountState.Initial, 1, T0, new Ledger(Currency.FromCode("CNY"), 0m), []);

        var results = await store.CommitAsync(
        [
            Commit(claimed[0], T0, Overdue(T0), [ToOverdue(T0)], outbox: [Message("a/k1", "a")]),
            Commit(b, T0, Overdue(T0), [ToOverdue(T0)], [Charge("calls:1", T0, 5m)], [Message("b/k1", "b")]),
            Commit(ghost, T0, outbox: [Message("ghost/k1", "ghost")]),
        ], Ct);

        Assert.Equal([CommitOutcome.Saved, CommitOutcome.Failed, CommitOutcome.Failed], results.Select(r => r.Outcome));
        Assert.Contains("calls:1", Assert.IsAssignableFrom<ArgumentException>(results[1].Error).Message, StringComparison.Ordinal);
        Assert.Contains("ghost", Assert.IsAssignableFrom<ArgumentException>(results[2].Error).Message, StringComparison.Ordinal);
        Assert.Equal(Overdue(T0), (await store.FindAccountAsync("a", Ct))!.State);
        var after = (await store.FindAccountAsync("b", Ct))!;
        Assert.Equal((AccountState.Initial, b.Version, 1m), (after.State, after.Version, after.Ledger.Entries[0].Amount));
        Assert.Empty(await store.HistoryAsync("b", Ct));
        Assert.Equal(["a/k1"], (await store.QueryOutboxAsync(new OutboxQuery(), Ct)).Select(m => m.Key));
    }

    [Fact]
    public async Task CommitBatch_TheSameAccountTwiceOrNull_ThrowsAndSavesNothing()
    {
        var store = await CreateStoreAsync();
        var claimed = await ClaimAllAsync(store, T0, "a");

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.CommitAsync([Commit(claimed[0], T0), Commit(claimed[0], T0, Overdue(T0))], Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.CommitAsync([Commit(claimed[0], T0), null!], Ct));

        Assert.Equal(AccountState.Initial, (await store.FindAccountAsync("a", Ct))!.State);
        Assert.Empty(await store.CommitAsync([], Ct));
    }

    [Fact]
    public async Task CommitBatch_EvaluationsThatChangeNothingOneOfThemStale_RefusesItAloneAndKeepsItsAppend()
    {
        var store = await CreateStoreAsync();
        var first = await ClaimAllAsync(store, T0, "a", "b", "c");
        Assert.All(await store.CommitAsync([.. first.Select(a => Commit(a, T0, Overdue(T0), dueAt: T0 + Duration.FromHours(1)))], Ct), r => Assert.Equal(CommitOutcome.Saved, r.Outcome));

        // An hour later each evaluation changes nothing; a payment to "b" arrives between its claim and the commit.
        var later = T0 + Duration.FromHours(1);
        var claimed = await store.ClaimDueAsync(later, 10, Lease, Ct);
        var idle = claimed.Select(a => Commit(a, later, new AccountState(Overdue(T0).Lifecycles, true, later), dueAt: later + Duration.FromDays(1))).ToArray();
        await store.AppendEntriesAsync("b", [Payment("p1", later, 5m)], later, Ct);

        var results = await store.CommitAsync(idle, Ct);

        Assert.Equal([CommitOutcome.Saved, CommitOutcome.Stale, CommitOutcome.Saved], results.Select(r => r.Outcome));
        Assert.Equal(later + Duration.FromDays(1), (await store.FindAccountAsync("a", Ct))!.DueAt);
        var b = (await store.FindAccountAsync("b", Ct))!;
        Assert.Equal((claimed[1].Version + 1, (Instant?)later, Overdue(T0)), (b.Version, b.DueAt, b.State));

        // Once its lease expires, the next claim takes "b" alone, with its payment.
        var again = Assert.Single(await store.ClaimDueAsync(later + Lease, 10, Lease, Ct));
        Assert.Equal(("b", 5m), (again.Registration.Id, again.Ledger.BalanceAt(later)));
    }

    [Fact]
    public async Task CommitBatch_ManyEvaluationsThatChangeNothingSomeStale_SavesEachOtherOneAtItsVersion()
    {
        // More than a store may write in one statement (SQLite writes such commits 64 to a statement), with one stale
        // commit inside the first 64 and one after them.
        var store = await CreateStoreAsync();
        var ids = Enumerable.Range(0, 70).Select(i => $"acct-{i:D2}").ToArray();
        var first = await ClaimAllAsync(store, T0, ids);
        Assert.All(await store.CommitAsync([.. first.Select(a => Commit(a, T0, Overdue(T0), dueAt: T0 + Duration.FromHours(1)))], Ct), r => Assert.Equal(CommitOutcome.Saved, r.Outcome));

        var later = T0 + Duration.FromHours(1);
        var claimed = await store.ClaimDueAsync(later, 100, Lease, Ct);
        Assert.Equal(70, claimed.Count);
        var idle = claimed.Select((a, i) => Commit(a, later, new AccountState(Overdue(T0).Lifecycles, i % 2 == 0, later), dueAt: later + Duration.FromMinutes(i + 1), nextReviewAt: later + Duration.FromDays(1))).ToArray();
        await store.AppendEntriesAsync("acct-10", [Payment("p10", later, 5m)], later, Ct);
        await store.AppendEntriesAsync("acct-66", [Payment("p66", later, 5m)], later, Ct);

        var results = await store.CommitAsync(idle, Ct);

        var stale = new[] { 10, 66 };
        Assert.Equal(Enumerable.Range(0, 70).Select(i => stale.Contains(i) ? CommitOutcome.Stale : CommitOutcome.Saved), results.Select(r => r.Outcome));
        for (var i = 0; i < 70; i++)
        {
            var account = (await store.FindAccountAsync(ids[i], Ct))!;
            if (stale.Contains(i))
            {
                Assert.Equal((claimed[i].Version + 1, (Instant?)later, Overdue(T0)), (account.Version, account.DueAt, account.State));
            }
            else
            {
                Assert.Equal((claimed[i].Version + 1, (Instant?)(later + Duration.FromMinutes(i + 1)), idle[i].State, idle[i].NextReviewAt),
                    (account.Version, account.DueAt, account.State, account.NextReviewAt));
            }
        }
    }

    [Fact]
    public async Task CommitBatch_EvaluationsThatChangeNothing_KeepTheStateAndReleaseTheClaims()
    {
        var store = await CreateStoreAsync();
        var other = await OpenAnotherAsync(store);
        var claimed = await ClaimAllAsync(store, T0, "a", "b");
        Assert.All(await store.CommitAsync([.. claimed.Select(a => Commit(a, T0, Overdue(T0), dueAt: T0 + Duration.FromHours(1)))], Ct), r => Assert.Equal(CommitOutcome.Saved, r.Outcome));

        // An hour later nothing new happened to "a"; "b" is paid up (its lifecycle changes). Then "a" again from another instance.
        var later = T0 + Duration.FromHours(1);
        var again = await store.ClaimDueAsync(later, 10, Lease, Ct);
        Assert.Equal(["a", "b"], again.Select(a => a.Registration.Id));
        var idle = new AccountState(Overdue(T0).Lifecycles, true, later);
        var paid = new AccountState([ProductLifecycle.Initial(null)], true, later);
        var results = await store.CommitAsync([Commit(again[0], later, idle, dueAt: later + Duration.FromHours(1)), Commit(again[1], later, paid)], Ct);

        Assert.Equal([CommitOutcome.Saved, CommitOutcome.Saved], results.Select(r => r.Outcome));
        var a = (await other.FindAccountAsync("a", Ct))!;
        Assert.Equal((idle, (Instant?)(later + Duration.FromHours(1)), again[0].Version + 1), (a.State, a.DueAt, a.Version));
        Assert.Equal(paid, (await other.FindAccountAsync("b", Ct))!.State);
        Assert.Empty(await store.ClaimDueAsync(later, 10, Lease, Ct));

        var last = later + Duration.FromHours(1);
        var fromOther = Assert.Single(await other.ClaimDueAsync(last, 10, Lease, Ct));
        var resumed = new AccountState([ProductLifecycle.Initial(null)], false, last);
        Assert.Equal(CommitOutcome.Saved, Assert.Single(await store.CommitAsync([Commit(fromOther, last, resumed)], Ct)).Outcome);
        Assert.Equal(resumed, (await store.FindAccountAsync("a", Ct))!.State);
    }

    [Fact]
    public async Task ClaimDue_AnAccountDueBehindTheAccountsClaimedBeforeAtTheSameInstant_IsClaimedWithTheRest()
    {
        var store = await CreateStoreAsync();
        foreach (var id in new[] { "b", "c", "d" })
        {
            Assert.True(await store.AddAccountAsync(Account(id), T0, Ct));
        }

        var first = await store.ClaimDueAsync(T0, 2, Lease, Ct);
        Assert.Equal(["b", "c"], first.Select(a => a.Registration.Id));
        Assert.All(await store.CommitAsync([.. first.Select(a => Commit(a, T0, dueAt: T0 + Duration.FromDays(1)))], Ct), r => Assert.Equal(CommitOutcome.Saved, r.Outcome));

        // "a" comes before the accounts claimed so far, due at the same instant: the next claim at that instant takes it too.
        // (Accounts due at one instant may be claimed in any order: the durable stores take them by id, the in-memory store
        // in the order they were registered, decision 0018.)
        Assert.True(await store.AddAccountAsync(Account("a"), T0, Ct));
        var second = await store.ClaimDueAsync(T0, 2, Lease, Ct);

        Assert.Equal(["a", "d"], second.Select(a => a.Registration.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await store.ClaimDueAsync(T0, 2, Lease, Ct));
    }

    // ---- ledgers a store keeps between claims (decision 0015) ----

    [Fact]
    public async Task Claim_AfterEntriesAppendedThroughAnotherInstance_HoldsEveryEntry()
    {
        var store = await CreateStoreAsync();
        var other = await OpenAnotherAsync(store);
        Assert.True(await store.AddAccountAsync(Account(), T0, Ct));
        await store.AppendEntriesAsync("acct", [Charge("c1", T0 + Duration.FromMinutes(1), 10m)], T0, Ct);
        var first = await ClaimOneAsync(store, T0 + Duration.FromHours(1));
        Assert.Equal(["c1"], first.Ledger.Entries.Select(e => e.Id));
        Assert.True(await store.CommitAsync(Commit(first, T0 + Duration.FromHours(1), dueAt: T0 + Duration.FromDays(1)), Ct));

        // Another host appends a payment (the account is due at once), then this instance claims it again, twice.
        var payment = Payment("p1", T0 + Duration.FromMinutes(90), 4.5m);
        await other.AppendEntriesAsync("acct", [payment], T0 + Duration.FromHours(2), Ct);
        var second = await ClaimOneAsync(store, T0 + Duration.FromHours(3));
        Assert.Equal(["c1", "p1"], second.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(payment, second.Ledger.Entries[1]);
        Assert.Equal(-5.5m, second.Ledger.BalanceAt(T0 + Duration.FromHours(3)));
        Assert.True(await store.CommitAsync(Commit(second, T0 + Duration.FromHours(3), charges: [Charge("rated", T0 + Duration.FromHours(3), 0.25m)], dueAt: T0 + Duration.FromHours(4)), Ct));

        var third = await ClaimOneAsync(store, T0 + Duration.FromHours(4));
        Assert.Equal(["c1", "p1", "rated"], third.Ledger.Entries.Select(e => e.Id));
        Assert.Equal((await other.FindAccountAsync("acct", Ct))!.Ledger.Entries, third.Ledger.Entries);
        Assert.Equal(-5.75m, third.Ledger.BalanceAt(T0 + Duration.FromHours(4)));
    }

    [Fact]
    public async Task Claim_AfterTheRegistrationHoldsAndUsageChangedThroughAnotherInstance_HoldsTheNewOnes()
    {
        var store = await CreateStoreAsync();
        var other = await OpenAnotherAsync(store);
        Assert.True(await store.AddAccountAsync(Account(items: Items()), T0, Ct));
        var first = await ClaimOneAsync(store, T0 + Duration.FromHours(1));
        Assert.True(await store.CommitAsync(Commit(first, T0 + Duration.FromHours(1), dueAt: T0 + Duration.FromDays(1)), Ct));

        // Another host changes the creator, grants a hold and records usage; each change makes the account due at once.
        await other.ImportAsync([new AccountImport(Account(items: Items(), creator: "new-owner"), null, null, null, null, T0 + Duration.FromHours(2))], Ct);
        var second = await ClaimOneAsync(store, T0 + Duration.FromHours(2));
        Assert.Equal("new-owner", second.Registration.Profile.Creator);
        Assert.True(await store.CommitAsync(Commit(second, T0 + Duration.FromHours(2), dueAt: T0 + Duration.FromDays(1)), Ct));

        var hold = new Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(2), T0 + Duration.FromDays(3), "agent", "promise to pay");
        await other.AddHoldFactsAsync("acct", [hold], [], T0 + Duration.FromHours(3), Ct);
        Assert.True(await other.RecordUsageAsync("acct", "b1", [new UsageRecord("calls", T0 + Duration.FromHours(3), 5_000m)], T0 + Duration.FromHours(3), Ct));
        var third = await ClaimOneAsync(store, T0 + Duration.FromHours(4));

        Assert.Equal("new-owner", third.Registration.Profile.Creator);
        Assert.Equal(["h1"], third.HoldRecords.Select(r => r.Hold?.Id));
        Assert.Equal(5_000m, Assert.Single(third.Usage).Quantity);
        Assert.Equal(second.Version + 3, third.Version);
    }

    [Fact]
    public async Task History_UnknownAccount_ThrowsNamingIt()
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.HistoryAsync("nobody", Ct));
        Assert.Contains("nobody", error.Message, StringComparison.Ordinal);
    }

    // ---- outbox ----

    private static async Task<IArrearsStore> WithOutboxAsync(IArrearsStore store, params (string Account, string Key, Instant At)[] messages)
    {
        foreach (var group in messages.GroupBy(m => m.Account))
        {
            await store.AddAccountAsync(Account(group.Key), T0, Ct);
            var claimed = (await store.ClaimDueAsync(T0, 100, Lease, Ct)).Single(a => a.Registration.Id == group.Key);
            Assert.True(await store.CommitAsync(Commit(claimed, T0, outbox: [.. group.Select(m => Message(m.Key, m.Account, at: m.At))]), Ct));
        }

        return store;
    }

    [Fact]
    public async Task ClaimOutbox_PendingMessages_AreClaimedInEachAccountsOrderAndHeldByTheirLease()
    {
        var store = await WithOutboxAsync(await CreateStoreAsync(), ("b", "b1", T0), ("b", "b2", T0), ("a", "a1", T0));

        var first = await store.ClaimOutboxAsync(T0, 10, Lease, Ct);
        var whileHeld = await store.ClaimOutboxAsync(T0 + Duration.FromMinutes(1), 10, Lease, Ct);
        var afterLease = await store.ClaimOutboxAsync(T0 + Lease, 10, Lease, Ct);

        Assert.Equal(["a1", "b1", "b2"], first.Select(m => m.Key));
        Assert.Empty(whileHeld);
        Assert.Equal(["a1", "b1", "b2"], afterLease.Select(m => m.Key));
    }

    [Fact]
    public async Task ClaimOutbox_AMessageNotYetDue_HoldsBackItsAccountsLaterMessagesOnly()
    {
        var store = await WithOutboxAsync(await CreateStoreAsync(), ("a", "a1", T0), ("a", "a2", T0), ("b", "b1", T0));
        var claimed = await store.ClaimOutboxAsync(T0, 1, Lease, Ct);
        Assert.Equal("a1", Assert.Single(claimed).Key);
        await store.CompleteOutboxAsync("a1", OutboxStatus.Pending, 1, T0 + Duration.FromMinutes(10), "451 try later", Ct);

        var next = await store.ClaimOutboxAsync(T0 + Duration.FromMinutes(1), 10, Lease, Ct);

        Assert.Equal(["b1"], next.Select(m => m.Key));
        // a1 waits for its retry at +10 min; b1 is held until its lease ends at +6 min.
        Assert.Equal(T0 + Duration.FromMinutes(1) + Lease, await store.NextDueAsync(Ct));
        Assert.Equal(["a1", "a2"], (await store.ClaimOutboxAsync(T0 + Duration.FromMinutes(10), 10, Lease, Ct)).Select(m => m.Key).Take(2));
    }

    [Fact]
    public async Task CompleteOutbox_Outcome_IsSavedAndTheMessageLeavesThePendingQueue()
    {
        var store = await WithOutboxAsync(await CreateStoreAsync(), ("a", "a1", T0), ("a", "a2", T0));
        await store.ClaimOutboxAsync(T0, 10, Lease, Ct);

        await store.CompleteOutboxAsync("a1", OutboxStatus.Delivered, 1, T0, null, Ct);
        await store.CompleteOutboxAsync("a2", OutboxStatus.DeadLettered, 3, T0, "no phone number for \"o***r\"", Ct);

        var all = await store.QueryOutboxAsync(new OutboxQuery(), Ct);
        Assert.Equal([(OutboxStatus.Delivered, 1, (string?)null), (OutboxStatus.DeadLettered, 3, "no phone number for \"o***r\"")],
            all.Select(m => (m.Status, m.Attempts, m.LastError)));
        Assert.Empty(await store.ClaimOutboxAsync(T0 + Duration.FromDays(1), 10, Lease, Ct));
    }

    [Fact]
    public async Task CompleteOutbox_UnknownKey_ThrowsNamingIt()
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.CompleteOutboxAsync("no-such-key", OutboxStatus.Delivered, 1, T0, null, Ct));
        Assert.Contains("no-such-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryOutbox_ByStatusAccountAndPosition_PagesInWriteOrder()
    {
        var store = await WithOutboxAsync(await CreateStoreAsync(), ("b", "b1", T0), ("b", "b2", T0), ("a", "a1", T0), ("a", "a2", T0));
        await store.ClaimOutboxAsync(T0, 10, Lease, Ct);
        await store.CompleteOutboxAsync("b2", OutboxStatus.Delivered, 1, T0, null, Ct);

        var all = await store.QueryOutboxAsync(new OutboxQuery(), Ct);
        var page1 = await store.QueryOutboxAsync(new OutboxQuery(max: 3), Ct);
        var page2 = await store.QueryOutboxAsync(new OutboxQuery(after: page1[^1].Sequence, max: 3), Ct);
        var pending = await store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Pending), Ct);
        var ofA = await store.QueryOutboxAsync(new OutboxQuery(account: "a"), Ct);
        var deliveredOfA = await store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Delivered, "a"), Ct);

        Assert.Equal(["b1", "b2", "a1", "a2"], all.Select(m => m.Key));
        Assert.Equal(["b1", "b2", "a1"], page1.Select(m => m.Key));
        Assert.Equal(["a2"], page2.Select(m => m.Key));
        Assert.Equal(["b1", "a1", "a2"], pending.Select(m => m.Key));
        Assert.Equal(["a1", "a2"], ofA.Select(m => m.Key));
        Assert.Empty(deliveredOfA);
    }

    [Fact]
    public async Task NextDue_AccountsAndMessages_IsTheEarliestAndNullWhenNothingWaits()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.NextDueAsync(Ct));

        await store.AddAccountAsync(Account(), T0 + Duration.FromHours(3), Ct);
        Assert.Equal(T0 + Duration.FromHours(3), await store.NextDueAsync(Ct));

        var now = T0 + Duration.FromHours(3);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, now), now, outbox: [Message("k1")], dueAt: now + Duration.FromDays(1)), Ct));
        Assert.Equal(now, await store.NextDueAsync(Ct));

        await store.ClaimOutboxAsync(now, 10, Lease, Ct);
        await store.CompleteOutboxAsync("k1", OutboxStatus.Delivered, 1, now, null, Ct);
        Assert.Equal(now + Duration.FromDays(1), await store.NextDueAsync(Ct));
    }

    // ---- import ----

    [Fact]
    public async Task Import_NewAccounts_CreatesThemWithEntriesUsageAndContacts()
    {
        var store = await CreateStoreAsync();
        var imports = new[]
        {
            new AccountImport(Account("a", items: Items()), [Charge("c1", T0, 12.50m), Payment("p1", T0 + Duration.FromHours(1), 2m)],
                [new UsageRecord("calls", T0, 250_000m)], "u1",
                new Dictionary<string, RecipientContact> { ["owner"] = new("owner@example.com", "+8613800000001") }, T0),
            new AccountImport(Account("b"), [Charge("c1", T0 + Duration.FromDays(1), 1m)], null, null, null, T0 + Duration.FromDays(1)),
        };

        var result = await store.ImportAsync(imports, Ct);

        Assert.Equal(new ImportResult(2, 0, 3, 1), result);
        var a = (await store.FindAccountAsync("a", Ct))!;
        Assert.Equal(["c1", "p1"], a.Ledger.Entries.Select(e => e.Id));
        Assert.Equal([new UsageRecord("calls", T0, 250_000m)], a.Usage);
        Assert.Equal(T0, a.DueAt);
        Assert.Equal(T0 + Duration.FromDays(1), (await store.FindAccountAsync("b", Ct))!.DueAt);
        var contact = await ((IRecipientDirectory)store).FindAsync("owner", Ct);
        Assert.Equal(("owner@example.com", "+8613800000001"), (contact?.Email, contact?.Phone));
        Assert.Null(await ((IRecipientDirectory)store).FindAsync("dev", Ct));
    }

    [Fact]
    public async Task Import_TheSameImportAgain_ChangesNothing()
    {
        var store = await CreateStoreAsync();
        AccountImport[] imports = [new(Account("a", items: Items()), [Charge("c1", T0, 1m)], [new UsageRecord("calls", T0, 1m)], "u1", null, T0)];
        await store.ImportAsync(imports, Ct);
        var version = (await store.FindAccountAsync("a", Ct))!.Version;

        var again = await store.ImportAsync(imports, Ct);

        Assert.Equal(new ImportResult(0, 0, 0, 0), again);
        Assert.Equal(version, (await store.FindAccountAsync("a", Ct))!.Version);
    }

    [Fact]
    public async Task Import_AnExistingAccount_ReplacesItsRegistrationAndAppendsAndMakesItDue()
    {
        var store = await CreateStoreAsync();
        await store.ImportAsync([new AccountImport(Account("a"), [Charge("c1", T0, 1m)], null, null, null, T0)], Ct);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, dueAt: T0 + Duration.FromDays(30)), Ct));

        var result = await store.ImportAsync([new AccountImport(Account("a", policy: "strict", creator: "new-owner"), [Charge("c1", T0, 1m), Payment("p1", T0 + Duration.FromDays(2), 1m)], null, null, null, T0 + Duration.FromDays(2))], Ct);

        Assert.Equal(new ImportResult(0, 1, 1, 0), result);
        var a = (await store.FindAccountAsync("a", Ct))!;
        Assert.Equal(("strict", "new-owner"), (a.Registration.Policy, a.Registration.Profile.Creator));
        Assert.Equal(["c1", "p1"], a.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(T0 + Duration.FromDays(2), a.DueAt);
        Assert.Equal(T0, a.State.LastEvaluatedAt);
    }

    [Fact]
    public async Task Import_AConflictingEntryInOneAccount_ThrowsNamingItAndAppliesNothingAtAll()
    {
        var store = await CreateStoreAsync();
        await store.ImportAsync([new AccountImport(Account("b"), [Charge("c1", T0, 1m)], null, null, null, T0)], Ct);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ImportAsync(
        [
            new AccountImport(Account("a"), [Charge("c1", T0, 1m)], null, null, new Dictionary<string, RecipientContact> { ["x"] = new("x@example.com", null) }, T0),
            new AccountImport(Account("b", creator: "changed"), [Charge("c2", T0, 1m), Charge("c1", T0, 5m)], null, null, null, T0),
        ], Ct));

        Assert.Contains("\"b\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("c1", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.FindAccountAsync("a", Ct));
        var b = (await store.FindAccountAsync("b", Ct))!;
        Assert.Equal(("owner", 1), (b.Registration.Profile.Creator, b.Ledger.Entries.Count));
        Assert.Null(await ((IRecipientDirectory)store).FindAsync("x", Ct));
    }

    [Fact]
    public async Task Import_AUsageBatchIdWithOtherRecords_ThrowsAndAppliesNothing()
    {
        var store = await CreateStoreAsync();
        await store.ImportAsync([new AccountImport(Account("a", items: Items()), null, [new UsageRecord("calls", T0, 1m)], "u1", null, T0)], Ct);

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ImportAsync(
            [new AccountImport(Account("a", items: Items()), [Charge("c9", T0, 1m)], [new UsageRecord("calls", T0, 2m)], "u1", null, T0)], Ct));

        var a = (await store.FindAccountAsync("a", Ct))!;
        Assert.Empty(a.Ledger.Entries);
        Assert.Equal([new UsageRecord("calls", T0, 1m)], a.Usage);
    }

    [Fact]
    public async Task Import_TheSameAccountTwiceInOneImport_Throws()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ImportAsync(
            [new AccountImport(Account("a"), null, null, null, null, T0), new AccountImport(Account("a"), null, null, null, null, T0)], Ct));

        Assert.Null(await store.FindAccountAsync("a", Ct));
    }

    // ---- holds ----

    /// <summary>A hold with nanoseconds in both instants and a product; an open-ended one for every product; a revocation.</summary>
    protected static Hold SuspensionHold(string id = "h1", Instant? until = null) =>
        new(id, HoldKind.Suspension, T0 + Duration.FromNanoseconds(1), until ?? T0 + Duration.FromDays(3) + Duration.FromNanoseconds(987_654_321), "agent-7", "promise to pay ✓ \"quoted\"", product: "apigw");

    protected static Hold OpenPurgeHold(string id = "d1") => new(id, HoldKind.All, T0 + Duration.FromDays(1), null, "finance-2", "disputed invoice");

    protected static HoldRevocation Revocation(string id = "r1", string revokes = "h1") =>
        new(id, revokes, T0 + Duration.FromDays(2) + Duration.FromNanoseconds(5), "agent-7", "promise broken");

    [Fact]
    public async Task AddHoldFacts_HoldsAndARevocation_RoundTripExactlyWithWhenEachWasRecorded()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var granted = T0 + Duration.FromMinutes(5) + Duration.FromNanoseconds(7);
        var revoked = T0 + Duration.FromDays(2) + Duration.FromNanoseconds(11);

        Assert.Equal(new HoldFactsResult(2, 0), await store.AddHoldFactsAsync("acct", [SuspensionHold(), OpenPurgeHold()], [], granted, Ct));
        Assert.Equal(new HoldFactsResult(0, 1), await store.AddHoldFactsAsync("acct", [], [Revocation()], revoked, Ct));

        HoldRecord[] expected = [new(SuspensionHold(), granted), new(OpenPurgeHold(), granted), new(Revocation(), revoked)];
        var other = await OpenAnotherAsync(store);
        var records = await other.HoldsAsync("acct", Ct);
        Assert.Equal(expected, records);
        var hold = records[0].Hold!;
        Assert.Equal((HoldKind.Suspension, "apigw", "agent-7", "promise to pay ✓ \"quoted\""), (hold.Kind, hold.Product, hold.GrantedBy, hold.Reason));
        Assert.Equal((SuspensionHold().From, SuspensionHold().Until), (hold.From, hold.Until));
        Assert.Equal((HoldKind.All, (string?)null, (Instant?)null), (records[1].Hold!.Kind, records[1].Hold!.Product, records[1].Hold!.Until));
        Assert.Equal(("h1", Revocation().At, "promise broken"), (records[2].Revocation!.Revokes, records[2].Revocation!.At, records[2].Revocation!.Reason));

        var found = (await other.FindAccountAsync("acct", Ct))!;
        Assert.Equal(expected, found.HoldRecords);
        Assert.Equal([SuspensionHold(), OpenPurgeHold()], found.Holds.Holds);
        Assert.Equal([Revocation()], found.Holds.Revocations);
        Assert.Equal(Revocation().At, found.Holds.EndOf("h1"));
    }

    [Fact]
    public async Task AddHoldFacts_TheSameFactsAgain_AddNothingAndLeaveTheVersion()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        await store.AddHoldFactsAsync("acct", [SuspensionHold()], [Revocation()], T0, Ct);
        var version = (await store.FindAccountAsync("acct", Ct))!.Version;

        var again = await store.AddHoldFactsAsync("acct", [SuspensionHold(), SuspensionHold()], [Revocation()], T0 + Duration.FromDays(1), Ct);

        Assert.Equal(new HoldFactsResult(0, 0), again);
        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal(version, found.Version);
        Assert.Equal([new HoldRecord(SuspensionHold(), T0), new HoldRecord(Revocation(), T0)], await store.HoldsAsync("acct", Ct));
    }

    [Fact]
    public async Task AddHoldFacts_AnIdWithOtherContent_ThrowsNamingItAndAppliesNothingOfTheBatch()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        await store.AddHoldFactsAsync("acct", [SuspensionHold()], [], T0, Ct);
        var version = (await store.FindAccountAsync("acct", Ct))!.Version;

        var hold = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.AddHoldFactsAsync("acct", [OpenPurgeHold(), SuspensionHold(until: T0 + Duration.FromDays(9))], [], T0 + Duration.FromHours(1), Ct));
        Assert.Contains("\"h1\"", hold.Message, StringComparison.Ordinal);

        await store.AddHoldFactsAsync("acct", [], [Revocation()], T0 + Duration.FromHours(2), Ct);
        var revocation = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.AddHoldFactsAsync("acct", [OpenPurgeHold()], [new HoldRevocation("r1", "h1", T0, "agent-7", "another reason")], T0 + Duration.FromHours(3), Ct));
        Assert.Contains("\"r1\"", revocation.Message, StringComparison.Ordinal);

        Assert.Equal(version + 1, (await store.FindAccountAsync("acct", Ct))!.Version);
        Assert.Equal(["h1", "r1"], (await store.HoldsAsync("acct", Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task AddHoldFacts_ARevocationOfAnUnknownHold_ThrowsNamingItAndAppliesNothing()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await store.AddHoldFactsAsync("acct", [SuspensionHold()], [Revocation("r1", "h1"), Revocation("r2", "h7")], T0, Ct));

        Assert.Contains("\"h7\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.HoldsAsync("acct", Ct));

        // A batch may grant a hold and revoke it at once, in either order.
        Assert.Equal(new HoldFactsResult(1, 1), await store.AddHoldFactsAsync("acct", [SuspensionHold()], [Revocation()], T0, Ct));
    }

    [Fact]
    public async Task AddHoldFacts_UnknownAccount_ThrowsNamingIt()
    {
        var store = await CreateStoreAsync();

        var add = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.AddHoldFactsAsync("nobody", [SuspensionHold()], [], T0, Ct));
        var list = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.HoldsAsync("nobody", Ct));

        Assert.Contains("nobody", add.Message, StringComparison.Ordinal);
        Assert.Contains("nobody", list.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddHoldFacts_AfterAnEvaluation_MakesTheAccountDueWhenRecordedAndBumpsTheVersion()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        Assert.True(await store.CommitAsync(Commit(await ClaimOneAsync(store, T0), T0, dueAt: T0 + Duration.FromDays(30)), Ct));
        var claimed = await store.ClaimDueAsync(T0 + Duration.FromDays(1), 10, Lease, Ct);
        Assert.Empty(claimed);
        var version = (await store.FindAccountAsync("acct", Ct))!.Version;

        await store.AddHoldFactsAsync("acct", [SuspensionHold()], [], T0 + Duration.FromHours(5), Ct);

        var found = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal((T0 + Duration.FromHours(5), version + 1), (found.DueAt, found.Version));
        Assert.Equal(T0 + Duration.FromHours(5), await store.NextDueAsync(Ct));
    }

    [Fact]
    public async Task ClaimDue_AccountsWithAndWithoutHolds_EachCarriesItsOwnHolds()
    {
        var store = await CreateStoreAsync();
        foreach (var id in new[] { "a", "b", "c" })
        {
            await store.AddAccountAsync(Account(id), T0, Ct);
        }

        await store.AddHoldFactsAsync("a", [SuspensionHold()], [Revocation()], T0, Ct);
        await store.AddHoldFactsAsync("c", [OpenPurgeHold()], [], T0, Ct);

        var claimed = (await store.ClaimDueAsync(T0, 10, Lease, Ct)).ToDictionary(a => a.Registration.Id);

        Assert.Equal([SuspensionHold()], claimed["a"].Holds.Holds);
        Assert.Equal([Revocation()], claimed["a"].Holds.Revocations);
        Assert.Same(HoldSet.Empty, claimed["b"].Holds);
        Assert.Empty(claimed["b"].HoldRecords);
        Assert.Equal([OpenPurgeHold()], claimed["c"].Holds.Holds);
        Assert.Equal([new HoldRecord(OpenPurgeHold(), T0)], claimed["c"].HoldRecords);
    }

    [Fact]
    public async Task Commit_ADeferredTransition_KeepsDeferredFromAndHeldBy()
    {
        var store = await CreateStoreAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var claimed = await ClaimOneAsync(store, T0);
        var now = T0 + Duration.FromDays(4);
        TransitionRecord[] transitions =
        [
            new(T0, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1, null, false, now),
            new(T0 + Duration.FromDays(3), LifecycleStatus.Overdue, LifecycleStatus.Suspended, TransitionReason.GraceExpired, 1, null, false, now,
                deferredFrom: T0 + Duration.FromHours(24) + Duration.FromNanoseconds(3), heldBy: ["h1", "h \"2\""]),
        ];

        Assert.True(await store.CommitAsync(Commit(claimed, now, transitions: transitions), Ct));

        var history = await (await OpenAnotherAsync(store)).HistoryAsync("acct", Ct);
        Assert.Equal(transitions, history);
        Assert.Equal(T0 + Duration.FromHours(24) + Duration.FromNanoseconds(3), history[1].DeferredFrom);
        Assert.Equal(["h1", "h \"2\""], history[1].HeldBy);
        Assert.Equal(((Instant?)null, 0), (history[0].DeferredFrom, history[0].HeldBy.Count));
    }

    [Fact]
    public async Task Import_WithHoldsAndRevocations_AppliesThemWithTheirRecordedAtAndIdempotently()
    {
        var store = await CreateStoreAsync();
        HoldRecord[] facts = [new(SuspensionHold(), T0 + Duration.FromHours(1)), new(OpenPurgeHold(), T0 + Duration.FromDays(1)), new(Revocation(), T0 + Duration.FromDays(2))];
        AccountImport[] imports = [new(Account("a"), [Charge("c1", T0, 1m)], null, null, null, T0, facts), new(Account("b"), null, null, null, null, T0)];

        var result = await store.ImportAsync(imports, Ct);

        Assert.Equal(new ImportResult(2, 0, 1, 0, 3), result);
        Assert.Equal(facts, await store.HoldsAsync("a", Ct));
        Assert.Empty(await store.HoldsAsync("b", Ct));
        var a = (await store.FindAccountAsync("a", Ct))!;
        Assert.Equal(facts, a.HoldRecords);
        Assert.Equal(new ImportResult(0, 0, 0, 0, 0), await store.ImportAsync(imports, Ct));
        Assert.Equal(a.Version, (await store.FindAccountAsync("a", Ct))!.Version);

        // An existing account gets the new facts only, and is due no later than the import's instant.
        var more = await store.ImportAsync([new AccountImport(Account("a"), null, null, null, null, T0 + Duration.FromDays(3), [.. facts, new(Revocation("r2", "d1"), T0 + Duration.FromDays(3))])], Ct);
        Assert.Equal(new ImportResult(0, 1, 0, 0, 1), more);
        Assert.Equal(["h1", "d1", "r1", "r2"], (await store.HoldsAsync("a", Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task Import_AConflictingHoldOrARevocationOfAnUnknownHold_ThrowsNamingTheAccountAndIdAndAppliesNothing()
    {
        var store = await CreateStoreAsync();
        await store.ImportAsync([new AccountImport(Account("b"), null, null, null, null, T0, [new(SuspensionHold(), T0)])], Ct);

        var conflict = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ImportAsync(
        [
            new AccountImport(Account("a"), [Charge("c1", T0, 1m)], null, null, null, T0, [new(OpenPurgeHold(), T0)]),
            new AccountImport(Account("b"), null, null, null, null, T0, [new(SuspensionHold(until: T0 + Duration.FromDays(9)), T0)]),
        ], Ct));
        Assert.Contains("\"b\"", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("\"h1\"", conflict.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ImportAsync(
            [new AccountImport(Account("c"), null, null, null, null, T0, [new(Revocation("r1", "h1"), T0)])], Ct));
        Assert.Contains("\"c\"", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("\"h1\"", unknown.Message, StringComparison.Ordinal);

        var early = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ImportAsync(
            [new AccountImport(Account("b"), null, null, null, null, T0, [new(Revocation("r1", "h1"), T0 - Duration.FromDays(1))])], Ct));
        Assert.Contains("before the hold it revokes", early.Message, StringComparison.Ordinal);

        Assert.Null(await store.FindAccountAsync("a", Ct));
        Assert.Null(await store.FindAccountAsync("c", Ct));
        Assert.Equal([new HoldRecord(SuspensionHold(), T0)], await store.HoldsAsync("b", Ct));
    }

    [Fact]
    public async Task Runtime_OverTheStore_DefersTheSuspensionToTheHoldsEnd()
    {
        var store = await CreateStoreAsync();
        var clock = new NodaTime.Testing.FakeClock(T0);
        var policies = new AccountPolicyRegistry(new Dictionary<string, AccountPolicy> { ["api-gateway"] = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy) });
        var actions = new List<string>();
        var runtime = new ArrearsRuntime(store, policies, clock, [], new RecordingEnforcement(actions), new InMemoryRecipientDirectory());
        await runtime.RegisterAsync(Account(), Ct);
        await runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], Ct);
        await runtime.RunOnceAsync(Ct);
        var end = T0 + Duration.FromDays(3);
        clock.Reset(T0 + Duration.FromMinutes(5)); // support grants the hold a few minutes later
        Assert.True(await runtime.GrantHoldAsync("acct", new Hold("h1", HoldKind.Suspension, T0, end, "agent-7", "promise to pay"), Ct));
        await runtime.RunOnceAsync(Ct);
        Assert.Equal(end, await runtime.NextDueAsync(Ct));

        clock.Reset(end);
        await runtime.RunOnceAsync(Ct);

        var suspended = (await store.HistoryAsync("acct", Ct))[^1];
        Assert.Equal((LifecycleStatus.Suspended, end, (Instant?)(T0 + Duration.FromHours(24)), "h1"), (suspended.To, suspended.At, suspended.DeferredFrom, string.Join(",", suspended.HeldBy)));
        Assert.Equal(["acct/1/Suspend"], actions);
        Assert.Equal(["h1"], (await runtime.ListHoldsAsync("acct", Ct)).Select(r => r.Id));
    }

    // ---- the runtime over the store ----

    [Fact]
    public async Task Runtime_OverTheStore_DecidesAndDeliversWhatSimulateDoes()
    {
        var store = await CreateStoreAsync();
        var clock = new NodaTime.Testing.FakeClock(T0 - Duration.FromHours(1));
        var policies = new AccountPolicyRegistry(new Dictionary<string, AccountPolicy> { ["api-gateway"] = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy) });
        var directory = new InMemoryRecipientDirectory();
        directory.Set("owner", new RecipientContact("owner@example.com", "+8613800000001"));
        directory.Set("dev", new RecipientContact("dev@example.com", null));
        directory.Set("ops", new RecipientContact("ops@example.com", "+8613800000003"));
        var delivered = new List<string>();
        var actions = new List<string>();
        var runtime = new ArrearsRuntime(store, policies, clock, [new Recording("Email", ContactKind.Email, delivered), new Recording("SMS", ContactKind.Phone, delivered)],
            new RecordingEnforcement(actions), directory, new ArrearsRuntimeOptions { MaxDegreeOfParallelism = 2 });

        await runtime.RegisterAsync(Account(), Ct);
        await runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], Ct);
        var paidAt = T0 + Duration.FromDays(3);
        for (var now = T0 - Duration.FromHours(1); now <= paidAt + Duration.FromDays(1); now += Duration.FromHours(6))
        {
            clock.Reset(now);
            if (now == paidAt + Duration.FromHours(5))
            {
                await runtime.AppendAsync("acct", [Payment("p1", now, 30m)], Ct);
            }

            await runtime.RunOnceAsync(Ct);
        }

        var history = await store.HistoryAsync("acct", Ct);
        Assert.Equal(
            [(LifecycleStatus.Overdue, T0), (LifecycleStatus.Suspended, T0 + Duration.FromHours(24)), (LifecycleStatus.Active, paidAt + Duration.FromHours(5))],
            history.Select(t => (t.To, t.At)));
        Assert.Equal(["acct/1/Suspend", "acct/1/Resume"], actions);

        // Overdue, Suspended and Resumed to three recipients by Email, and by SMS to the two with a phone number.
        Assert.Equal(3 * 3 + 3 * 2, delivered.Count);
        Assert.Equal(delivered.Count, delivered.Distinct(StringComparer.Ordinal).Count());
        var outbox = await store.QueryOutboxAsync(new OutboxQuery(), Ct);
        Assert.Equal(3 * 6 + 2, outbox.Count);
        Assert.Equal(3, outbox.Count(m => m.Status == OutboxStatus.DeadLettered));
        Assert.All(outbox.Where(m => m.Status == OutboxStatus.DeadLettered), m => Assert.Equal(("dev", "SMS"), (m.Recipient, m.Channel)));
        var stored = (await store.FindAccountAsync("acct", Ct))!;
        Assert.Equal(LifecycleStatus.Active, stored.State.LifecycleOf(null).Status);
        Assert.Equal(5m, stored.Ledger.BalanceAt(paidAt + Duration.FromDays(1)));
    }

    private sealed class Recording(string channel, ContactKind contact, List<string> delivered) : INotifier
    {
        public string Channel => channel;

        public ContactKind Contact => contact;

        public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
        {
            lock (delivered)
            {
                delivered.Add(delivery.Key);
            }

            return ValueTask.FromResult(DeliveryResult.Delivered);
        }
    }

    private sealed class RecordingEnforcement(List<string> actions) : IEnforcementHandler
    {
        public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
        {
            lock (actions)
            {
                actions.Add(action.Key);
            }

            return ValueTask.FromResult(DeliveryResult.Delivered);
        }
    }
}

/// <summary>The contract, held by the in-memory store: the reference the durable stores are held to.</summary>
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    protected override Task<IArrearsStore> CreateStoreAsync() => Task.FromResult<IArrearsStore>(new InMemoryArrearsStore());
}

/// <summary>
/// The contract, held by an in-memory store that compacts its slots whenever more than half are cleared (the default waits for
/// 65,536): every replaced ledger and lifecycle array renumbers the rows, and nothing the contract reads may change.
/// </summary>
public sealed class InMemoryStoreCompactingContractTests : StoreContractTests
{
    protected override Task<IArrearsStore> CreateStoreAsync() => Task.FromResult<IArrearsStore>(new InMemoryArrearsStore(compactAbove: 0));
}
