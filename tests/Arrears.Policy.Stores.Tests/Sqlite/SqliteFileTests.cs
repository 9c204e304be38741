using System.Collections.Concurrent;
using Arrears.Policy.Sqlite;
using static Arrears.Policy.Stores.Tests.Sqlite.SqliteTestData;

namespace Arrears.Policy.Stores.Tests.Sqlite;

/// <summary>The file itself: what survives closing it, several stores (processes) on one file, and connection strings.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private readonly TemporaryDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Reopen_AfterDispose_EverythingWrittenIsReadBack()
    {
        var first = await _database.OpenAsync();
        await first.ImportAsync(
            [new AccountImport(Account(), [Charge("c1", T0, 10m)], [new UsageRecord("calls", T0, 1.50m)], "u1",
                new Dictionary<string, RecipientContact> { ["owner"] = new("owner@example.com", "+8613800000001") }, T0)],
            Ct);
        await EvaluateOverdueAsync(first, "acct", T0);
        var message = Assert.Single(await first.ClaimOutboxAsync(T0, 10, Lease, Ct));
        await first.CompleteOutboxAsync(message.Key, OutboxStatus.Pending, 1, T0 + Duration.FromMinutes(1), "TimeoutException", Ct);
        var before = (await first.FindAccountAsync("acct", Ct))!;
        var history = await first.HistoryAsync("acct", Ct);
        var outbox = await first.QueryOutboxAsync(new OutboxQuery(), Ct);
        var nextDue = await first.NextDueAsync(Ct);
        first.Dispose();
        Assert.False(File.Exists(_database.File + "-wal") && new FileInfo(_database.File + "-wal").Length > 0);

        var second = await _database.OpenAsync();
        var after = (await second.FindAccountAsync("acct", Ct))!;

        Assert.Equal(Account().Items, after.Registration.Items);
        Assert.Equal((before.Version, before.DueAt, before.NextReviewAt, before.State), (after.Version, after.DueAt, after.NextReviewAt, after.State));
        Assert.Equal(before.Ledger.Entries, after.Ledger.Entries);
        Assert.Equal([new UsageRecord("calls", T0, 1.50m)], after.Usage);
        Assert.Equal("1.50", after.Usage[0].Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(history, await second.HistoryAsync("acct", Ct));
        var reread = Assert.Single(await second.QueryOutboxAsync(new OutboxQuery(), Ct));
        Assert.Equal(
            (outbox[0].Key, outbox[0].Sequence, outbox[0].Attempts, outbox[0].NextAttemptAt, outbox[0].LastError, outbox[0].Balance),
            (reread.Key, reread.Sequence, 1, T0 + Duration.FromMinutes(1), "TimeoutException", -4.50m));
        Assert.Equal(nextDue, await second.NextDueAsync(Ct));
        Assert.Equal("+8613800000001", (await second.FindAsync("owner", Ct))?.Phone);
        Assert.False(await second.RecordUsageAsync("acct", "u1", [new UsageRecord("calls", T0, 1.5m)], T0, Ct));
    }

    [Fact]
    public async Task ClaimAndCommit_FromTwoStoresOnOneFileAtOnce_EvaluateEveryAccountExactlyOnce()
    {
        var a = await _database.OpenAsync();
        var b = _database.Store();
        const int Accounts = 300;
        await a.ImportAsync([.. Enumerable.Range(0, Accounts).Select(i => new AccountImport(Account($"acct-{i:D3}"), null, null, null, null, T0))], Ct);
        var claimed = new ConcurrentBag<string>();
        var commits = 0;

        async Task Evaluate(IArrearsStore store)
        {
            while (true)
            {
                var batch = await store.ClaimDueAsync(T0, 5, Lease, Ct);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var account in batch)
                {
                    claimed.Add(account.Registration.Id);
                    var state = new AccountState([ProductLifecycle.Initial(null)], false, T0);
                    if (await store.CommitAsync(new EvaluationCommit(account.Registration.Id, account.Version, state, T0, [], [], [], null), Ct))
                    {
                        Interlocked.Increment(ref commits);
                    }
                }
            }
        }

        await Task.WhenAll(Task.Run(() => Evaluate(a)), Task.Run(() => Evaluate(b)), Task.Run(() => Evaluate(a)), Task.Run(() => Evaluate(b)));

        Assert.Equal(Accounts, claimed.Count);
        Assert.Equal(Accounts, claimed.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Accounts, commits);
        Assert.Null(await b.NextDueAsync(Ct));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM account_runs WHERE claimed_until IS NOT NULL OR due_at IS NOT NULL"));
    }

    [Fact]
    public async Task Commit_WhileAnotherStoreAppendsAPayment_FailsOnTheVersionAndSavesNothing()
    {
        var evaluator = await _database.OpenAsync();
        var host = _database.Store();
        await host.AddAccountAsync(Account(), T0, Ct);
        var claimed = Assert.Single(await evaluator.ClaimDueAsync(T0, 10, Lease, Ct));

        await host.AppendEntriesAsync("acct", [new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 5m)], T0, Ct);
        var saved = await evaluator.CommitAsync(
            new EvaluationCommit("acct", claimed.Version, new AccountState([ProductLifecycle.Initial(null)], false, T0), T0, [], [], [], null), Ct);

        Assert.False(saved);
        Assert.Equal(AccountState.Initial, (await evaluator.FindAccountAsync("acct", Ct))!.State);
    }

    [Fact]
    public async Task Writes_FactsFromTheHost_SyncToDiskAndTheStoresOwnWorkDoesNot()
    {
        var store = await _database.OpenAsync();
        const long Normal = 1, Full = 2;
        Assert.Null(await store.WriterSynchronousAsync());

        await store.AddAccountAsync(Account(), T0, Ct);
        var afterAdd = await store.WriterSynchronousAsync();
        var claimed = Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));
        var afterClaim = await store.WriterSynchronousAsync();
        await store.AppendEntriesAsync("acct", [Charge("c1", T0, 1m)], T0, Ct);
        var afterAppend = await store.WriterSynchronousAsync();
        await store.CommitAsync(new EvaluationCommit("acct", claimed.Version, AccountState.Initial, T0, [], [], [], null), Ct);
        var afterCommit = await store.WriterSynchronousAsync();
        await store.RecordUsageAsync("acct", "u1", [new UsageRecord("calls", T0, 1m)], T0, Ct);
        var afterUsage = await store.WriterSynchronousAsync();
        await store.ClaimOutboxAsync(T0, 10, Lease, Ct);
        var afterOutbox = await store.WriterSynchronousAsync();
        await store.ImportAsync([new AccountImport(Account("b"), null, null, null, null, T0)], Ct);
        var afterImport = await store.WriterSynchronousAsync();

        Assert.Equal(
            [Full, Normal, Full, Normal, Full, Normal, Full],
            new[] { afterAdd, afterClaim, afterAppend, afterCommit, afterUsage, afterOutbox, afterImport }.Select(mode => mode!.Value));
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared")]
    [InlineData("Data Source=")]
    [InlineData("Data Source=arrears.db;Mode=ReadOnly")]
    [InlineData("Data Source=arrears.db;Colour=blue")]
    public void Constructor_AConnectionStringTheStoreCannotUse_ThrowsNamingIt(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteArrearsStore(connectionString));

        Assert.Equal("connectionString", error.ParamName);
        Assert.StartsWith("connectionString: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"got \"{connectionString}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_AFolderThatDoesNotExist_ThrowsAnIOExceptionNamingTheFile()
    {
        var file = Path.Combine(_database.Folder, "missing", "arrears.db");

        var error = await Assert.ThrowsAsync<IOException>(async () => await SqliteArrearsStore.OpenAsync($"Data Source={file}", Ct));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Fact]
    public async Task AnyCall_AfterDispose_ThrowsObjectDisposed()
    {
        var store = await _database.OpenAsync();
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.NextDueAsync(Ct));
    }

    [Fact]
    public async Task AddAccount_AFixedOffsetZone_RoundTrips()
    {
        var store = await _database.OpenAsync();
        var zone = DateTimeZone.ForOffset(Offset.FromHours(8));

        Assert.True(await store.AddAccountAsync(new AccountRegistration(new AccountProfile("acct", "owner"), "api-gateway", Currency.FromCode("CNY"), zone), T0, Ct));

        Assert.Equal(zone, (await store.FindAccountAsync("acct", Ct))!.Registration.TimeZone);
    }

    [Fact]
    public async Task AddAccount_AZoneTheTzdbDoesNotKnow_ThrowsNamingTheZoneAndWritesNothing()
    {
        var store = await _database.OpenAsync();
        var registration = new AccountRegistration(new AccountProfile("acct", "owner"), "api-gateway", Currency.FromCode("CNY"), new MarsZone());

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AddAccountAsync(registration, T0, Ct));

        Assert.Contains("\"Mars/Olympus\"", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.FindAccountAsync("acct", Ct));
    }

    /// <summary>A zone of the host's own making, which a store could not read back by id.</summary>
    private sealed class MarsZone() : DateTimeZone("Mars/Olympus", true, Offset.Zero, Offset.Zero)
    {
        public override NodaTime.TimeZones.ZoneInterval GetZoneInterval(Instant instant) => new("MST", null, null, Offset.Zero, Offset.Zero);
    }
}
