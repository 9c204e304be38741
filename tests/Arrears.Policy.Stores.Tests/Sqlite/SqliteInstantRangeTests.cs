using static Arrears.Policy.Stores.Tests.Sqlite.SqliteTestData;

namespace Arrears.Policy.Stores.Tests.Sqlite;

/// <summary>
/// <c>account_runs</c> keeps its instants as 64-bit nanoseconds since schema version 4 (1677-09-21 to 2262-04-11): an
/// instant outside that range is refused naming the field and the value, before anything is written.
/// </summary>
public sealed class SqliteInstantRangeTests : IDisposable
{
    private static readonly Instant Beyond = Instant.FromUtc(2300, 1, 1, 0, 0);

    private readonly TemporaryDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task AddAccount_NowPast2262_ThrowsNamingTheFieldAndTheValueAndAddsNothing()
    {
        var store = await _database.OpenAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AddAccountAsync(Account(), Beyond, Ct));

        Assert.Equal("now", error.ParamName);
        Assert.StartsWith("now: the SQLite store keeps due, claim, evaluation and review instants from 1677-09-21 to 2262-04-11, got \"2300-01-01T00:00:00.000000000Z\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM accounts"));
    }

    [Fact]
    public async Task Import_ADueInstantPast2262_ThrowsNamingTheAccountsFieldAndImportsNothing()
    {
        var store = await _database.OpenAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.ImportAsync([new AccountImport(Account("a"), null, null, null, null, T0), new AccountImport(Account("b"), null, null, null, null, Beyond)], Ct));

        Assert.StartsWith("accounts[\"b\"].dueAt: the SQLite store keeps", error.Message, StringComparison.Ordinal);
        Assert.Contains("got \"2300-01-01T00:00:00.000000000Z\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM accounts"));
    }

    [Fact]
    public async Task AppendEntries_RecordedBefore1677_ThrowsNamingTheField()
    {
        var store = await _database.OpenAsync();
        await store.AddAccountAsync(Account(), T0, Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.AppendEntriesAsync("acct", [Charge("c1", T0, 1m)], Instant.FromUtc(1600, 1, 1, 0, 0), Ct));

        Assert.StartsWith("recordedAt: the SQLite store keeps", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM ledger_entries"));
    }

    [Fact]
    public async Task ClaimDue_ALeaseEndingPast2262_ThrowsNamingTheLease()
    {
        var store = await _database.OpenAsync();
        await store.AddAccountAsync(Account(), T0, Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.ClaimDueAsync(T0, 10, Beyond - T0, Ct));

        Assert.StartsWith("lease: the SQLite store keeps", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM account_runs WHERE claimed_until IS NOT NULL"));
    }

    [Fact]
    public async Task CommitBatch_ADueInstantPast2262_FailsThatCommitAloneNamingTheFieldAndSavesTheOthers()
    {
        var store = await _database.OpenAsync();
        await store.ImportAsync([new AccountImport(Account("a"), null, null, null, null, T0), new AccountImport(Account("b"), null, null, null, null, T0), new AccountImport(Account("c"), null, null, null, null, T0)], Ct);
        var claimed = await store.ClaimDueAsync(T0, 10, Lease, Ct);
        Assert.Equal(["a", "b", "c"], claimed.Select(a => a.Registration.Id));
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Active, 0, null, null, null)], false, T0);
        var day = T0 + Duration.FromDays(1);

        var results = await store.CommitAsync(
            [
                new EvaluationCommit("a", claimed[0].Version, state, T0, [], [], [], day, day),
                new EvaluationCommit("b", claimed[1].Version, state, T0, [], [], [], Beyond, Beyond),
                new EvaluationCommit("c", claimed[2].Version, state, T0, [], [], [], day, null),
            ],
            Ct);

        Assert.Equal([CommitOutcome.Saved, CommitOutcome.Failed, CommitOutcome.Saved], results.Select(r => r.Outcome));
        var error = Assert.IsType<ArgumentException>(results[1].Error);
        Assert.StartsWith("dueAt: the SQLite store keeps", error.Message, StringComparison.Ordinal);
        Assert.Equal(claimed[1].Version, (await store.FindAccountAsync("b", Ct))!.Version);
        Assert.Equal(((Instant?)day, (Instant?)null), ((await store.FindAccountAsync("c", Ct))!.DueAt, (await store.FindAccountAsync("c", Ct))!.NextReviewAt));

        var single = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.CommitAsync(new EvaluationCommit("b", claimed[1].Version, state, T0, [], [], [], day, Beyond), Ct));
        Assert.StartsWith("nextReviewAt: the SQLite store keeps", single.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitBatch_AnEvaluationThatChangesNothingWithAReviewPast2262_FailsAloneAndTheAccountStaysAtItsVersion()
    {
        // The second evaluation keeps the lifecycles it claimed and writes nothing else: the one-statement path of a commit.
        var store = await _database.OpenAsync();
        await store.ImportAsync([new AccountImport(Account("a"), null, null, null, null, T0), new AccountImport(Account("b"), null, null, null, null, T0)], Ct);
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Active, 0, null, null, null)], false, T0);
        var first = await store.ClaimDueAsync(T0, 10, Lease, Ct);
        Assert.All(await store.CommitAsync([.. first.Select(a => new EvaluationCommit(a.Registration.Id, a.Version, state, T0, [], [], [], T0 + Duration.FromDays(1)))], Ct), r => Assert.Equal(CommitOutcome.Saved, r.Outcome));
        var day = T0 + Duration.FromDays(1);
        var second = await store.ClaimDueAsync(day, 10, Lease, Ct);
        var later = new AccountState(state.Lifecycles, false, day);

        var results = await store.CommitAsync(
            [
                new EvaluationCommit("a", second[0].Version, later, day, [], [], [], day + Duration.FromDays(1), Beyond),
                new EvaluationCommit("b", second[1].Version, later, day, [], [], [], day + Duration.FromDays(1)),
            ],
            Ct);

        Assert.Equal([CommitOutcome.Failed, CommitOutcome.Saved], results.Select(r => r.Outcome));
        Assert.StartsWith("nextReviewAt: the SQLite store keeps", Assert.IsType<ArgumentException>(results[0].Error).Message, StringComparison.Ordinal);
        Assert.Equal((second[0].Version, (Instant?)T0), ((await store.FindAccountAsync("a", Ct))!.Version, (await store.FindAccountAsync("a", Ct))!.State.LastEvaluatedAt));
        Assert.Equal(second[1].Version + 1, (await store.FindAccountAsync("b", Ct))!.Version);
    }

    [Fact]
    public async Task Commit_InstantsAtBothEndsOfTheRange_ReadBackEqualToTheNanosecond()
    {
        var store = await _database.OpenAsync();
        await store.AddAccountAsync(Account(), T0, Ct);
        var claimed = Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));
        var earliest = Instant.FromUtc(1677, 9, 21, 0, 12, 43) + Duration.FromNanoseconds(145_224_192);
        var latest = Instant.FromUtc(2262, 4, 11, 23, 47, 16) + Duration.FromNanoseconds(854_775_807);
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Active, 0, null, null, null)], true, T0);

        Assert.True(await store.CommitAsync(new EvaluationCommit("acct", claimed.Version, state, T0, [], [], [], latest, earliest), Ct));

        var found = await store.FindAccountAsync("acct", Ct);
        Assert.Equal(((Instant?)latest, (Instant?)earliest, (Instant?)T0), (found!.DueAt, found.NextReviewAt, found.State.LastEvaluatedAt));
        Assert.Equal(latest, await store.NextDueAsync(Ct));
    }
}
