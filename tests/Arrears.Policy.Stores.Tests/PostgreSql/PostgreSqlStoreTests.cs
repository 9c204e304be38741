using System.Net;
using System.Net.Sockets;
using Arrears.Policy.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Arrears.Policy.Stores.Tests.PostgreSql;

/// <summary>What the PostgreSQL store adds to the contract: its schema and migrations, many instances at once, the database's own constraints, and its errors.</summary>
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlStoreTests(PostgreSqlSchemas schemas) : IClassFixture<PostgreSqlSchemas>
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30);

    private static readonly Duration Lease = Duration.FromMinutes(5);

    private static CancellationToken Ct => CancellationToken.None;

    private static AccountRegistration Account(string id) =>
        new(new AccountProfile(id, "owner"), "api-gateway", Currency.FromCode("CNY"), DateTimeZoneProviders.Tzdb["Asia/Shanghai"]);

    // ---- schema ----

    [PostgreSqlFact]
    public async Task EnsureSchema_EmptyDatabase_CreatesEveryTableAndRecordsTheVersion()
    {
        var store = schemas.CreateStore();

        await store.EnsureSchemaAsync(Ct);

        var tables = await schemas.ScalarAsync<string[]>(store.SchemaName,
            $"SELECT array_agg(table_name::text ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{store.SchemaName}'");
        Assert.Equal(["account_products", "accounts", "contacts", "hold_facts", "ledger_entries", "outbox", "schema_version", "transitions", "usage", "usage_batches"], tables);
        Assert.Equal(PostgreSqlArrearsStore.SchemaVersion, await schemas.ScalarAsync<int>(store.SchemaName, "SELECT max(version) FROM {s}.schema_version"));
        Assert.Equal(PostgreSqlArrearsStore.SchemaVersion, (int)await schemas.ScalarAsync<long>(store.SchemaName, "SELECT count(*) FROM {s}.schema_version"));
    }

    [PostgreSqlFact]
    public async Task FirstCall_ANewerSchemaVersion_IsRefusedNamingBothVersions()
    {
        var schema = schemas.NewSchema();
        await schemas.Open(schema).EnsureSchemaAsync(Ct);
        var newer = PostgreSqlArrearsStore.SchemaVersion + 1;
        await schemas.ExecuteAsync(schema, $"INSERT INTO {{s}}.schema_version (version, description) VALUES ({newer}, 'from the future')");

        var error = await Assert.ThrowsAsync<StoreSchemaException>(async () => await schemas.Open(schema).NextDueAsync(Ct));

        Assert.Equal((newer, PostgreSqlArrearsStore.SchemaVersion), (error.FoundVersion, error.SupportedVersion));
        Assert.Contains($"schema version {newer} is newer than version {PostgreSqlArrearsStore.SchemaVersion}", error.Message, StringComparison.Ordinal);
        Assert.Contains(schema, error.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task EnsureSchema_FourProcessesAtOnce_MigrateItOnce()
    {
        var schema = schemas.NewSchema();
        var stores = Enumerable.Range(0, 4).Select(_ => schemas.Open(schema)).ToArray();
        using var start = new Barrier(stores.Length);

        await Task.WhenAll(stores.Select(store => Task.Run(async () =>
        {
            start.SignalAndWait();
            await store.EnsureSchemaAsync(Ct);
        })));

        Assert.Equal(PostgreSqlArrearsStore.SchemaVersion, (int)await schemas.ScalarAsync<long>(schema, "SELECT count(*) FROM {s}.schema_version"));
        Assert.True(await stores[3].AddAccountAsync(Account("acct"), T0, Ct));
        Assert.NotNull(await stores[0].FindAccountAsync("acct", Ct));
    }

    [PostgreSqlFact]
    public async Task EnsureSchema_AVersion1Schema_MigratesToHoldFactsAndKeepsItsData()
    {
        // A schema as version 1 wrote it: the version 2 table and columns taken away, an account and a transition in it.
        var schema = schemas.NewSchema();
        var first = schemas.Open(schema);
        await first.AddAccountAsync(Account("acct"), T0, Ct);
        await schemas.ExecuteAsync(schema, """
            DROP INDEX {s}.accounts_kept_due;
            ALTER TABLE {s}.accounts DROP COLUMN kept_by;
            DROP TABLE {s}.hold_facts;
            ALTER TABLE {s}.transitions DROP COLUMN deferred_from_ns, DROP COLUMN held_by;
            DELETE FROM {s}.schema_version WHERE version > 1;
            INSERT INTO {s}.transitions (account_id, at_ns, from_status, to_status, reason, episode, product, is_late, evaluated_at_ns)
            VALUES ('acct', 1769934600000000000, 'Active', 'Overdue', 'InArrears', 1, NULL, false, 1769936400000000000);
            """);
        Assert.Equal(1, await schemas.ScalarAsync<int>(schema, "SELECT max(version) FROM {s}.schema_version"));

        var current = schemas.Open(schema);
        var old = Assert.Single(await current.HistoryAsync("acct", Ct));

        Assert.Equal(PostgreSqlArrearsStore.SchemaVersion, await schemas.ScalarAsync<int>(schema, "SELECT max(version) FROM {s}.schema_version"));
        Assert.Equal((T0, (Instant?)null, 0), (old.At, old.DeferredFrom, old.HeldBy.Count));
        var hold = new Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(2), "agent-7", "promise to pay");
        Assert.Equal(new HoldFactsResult(1, 0), await current.AddHoldFactsAsync("acct", [hold], [], T0, Ct));
        Assert.Equal([new HoldRecord(hold, T0)], (await current.FindAccountAsync("acct", Ct))!.HoldRecords);
    }

    [PostgreSqlFact]
    public async Task EnsureSchema_AVersion2SchemaWithAClaimedAccount_MigratesToKeptByAndTheAccountIsClaimedWhenItsLeaseEnds()
    {
        // A schema as version 2 wrote it (no kept_by), with an account claimed under it.
        var schema = schemas.NewSchema();
        var first = schemas.Open(schema);
        await first.AddAccountAsync(Account("acct"), T0, Ct);
        Assert.Single(await first.ClaimDueAsync(T0, 10, Lease, Ct));
        await schemas.ExecuteAsync(schema, """
            DROP INDEX {s}.accounts_kept_due;
            ALTER TABLE {s}.accounts DROP COLUMN kept_by;
            DELETE FROM {s}.schema_version WHERE version > 2;
            """);
        Assert.Equal(2, await schemas.ScalarAsync<int>(schema, "SELECT max(version) FROM {s}.schema_version"));

        var current = schemas.Open(schema);
        var whileLeased = await current.ClaimDueAsync(T0 + Duration.FromMinutes(1), 10, Lease, Ct);
        var afterLease = Assert.Single(await current.ClaimDueAsync(T0 + Lease, 10, Lease, Ct));

        Assert.Equal(PostgreSqlArrearsStore.SchemaVersion, await schemas.ScalarAsync<int>(schema, "SELECT max(version) FROM {s}.schema_version"));
        Assert.Empty(whileLeased);
        Assert.Equal(("acct", 1L), (afterLease.Registration.Id, afterLease.Version));
        Assert.Equal(1L, await schemas.ScalarAsync<long>(schema, "SELECT count(*) FROM {s}.accounts WHERE kept_by IS NOT NULL"));
    }

    [Fact]
    public void Constructor_ASchemaNameThatIsNoIdentifier_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlArrearsStore("Host=localhost", "Arrears; DROP"));

        Assert.Contains("schema", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"Arrears; DROP\"", error.Message, StringComparison.Ordinal);
    }

    // ---- many instances ----

    [PostgreSqlFact]
    public async Task ClaimDue_FourInstancesOverAThousandDueAccounts_ClaimEveryAccountExactlyOnce()
    {
        var store = schemas.CreateStore();
        const int Accounts = 1000;
        await store.ImportAsync([.. Enumerable.Range(0, Accounts).Select(i => new AccountImport(Account($"acct-{i:D4}"), null, null, null, null, T0 + Duration.FromSeconds(i % 17)))], Ct);
        var instances = Enumerable.Range(0, 4).Select(_ => schemas.Open(store.SchemaName)).ToArray();
        using var start = new Barrier(instances.Length);

        var claims = await Task.WhenAll(instances.Select(instance => Task.Run(async () =>
        {
            start.SignalAndWait();
            var ids = new List<string>();
            while (await instance.ClaimDueAsync(T0 + Duration.FromMinutes(1), 13, Lease, Ct) is { Count: > 0 } batch)
            {
                ids.AddRange(batch.Select(a => a.Registration.Id));
            }

            return ids;
        })));

        var all = claims.SelectMany(ids => ids).ToList();
        Assert.Equal(Accounts, all.Count);
        Assert.Equal(Accounts, all.Distinct(StringComparer.Ordinal).Count());
        Assert.All(claims, ids => Assert.NotEmpty(ids));
    }

    [PostgreSqlFact]
    public async Task ClaimDue_TwoInstancesAgainAfterTheirLeases_TakeTheAccountsEachClaimedLastFirstThenTheOthersInDueOrder()
    {
        var store = schemas.CreateStore();
        await store.ImportAsync([.. Enumerable.Range(0, 20).Select(i => new AccountImport(Account($"acct-{i:D2}"), null, null, null, null, T0))], Ct);
        var a = schemas.Open(store.SchemaName);
        var b = schemas.Open(store.SchemaName);
        var firstB = await b.ClaimDueAsync(T0, 10, Lease, Ct);
        var firstA = await a.ClaimDueAsync(T0, 10, Lease, Ct);

        // The leases have ended and nothing was committed: all twenty are due again.
        var later = T0 + Lease + Duration.FromMinutes(1);
        var ownFirst = await a.ClaimDueAsync(later, 5, Lease, Ct);
        var ownThenOthers = await a.ClaimDueAsync(later, 10, Lease, Ct);
        var rest = await b.ClaimDueAsync(later, 10, Lease, Ct);

        static string[] Ids(IReadOnlyList<StoredAccount> accounts) => [.. accounts.Select(x => x.Registration.Id)];
        static string[] Range(int from, int count) => [.. Enumerable.Range(from, count).Select(i => $"acct-{i:D2}")];
        Assert.Equal(Range(0, 10), Ids(firstB));
        Assert.Equal(Range(10, 10), Ids(firstA));
        Assert.Equal(Range(10, 5), Ids(ownFirst));
        Assert.Equal([.. Range(0, 5), .. Range(15, 5)], Ids(ownThenOthers));
        Assert.Equal(Range(5, 5), Ids(rest));
        Assert.Empty(await a.ClaimDueAsync(later, 10, Lease, Ct));
    }

    [PostgreSqlFact]
    public async Task Commit_TwoInstancesWithTheSameClaimedVersion_SaveOnlyOnce()
    {
        var store = schemas.CreateStore();
        var other = schemas.Open(store.SchemaName);
        await store.AddAccountAsync(Account("acct"), T0, Ct);
        var claimed = Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));
        var state = new AccountState([ProductLifecycle.Initial(null)], true, T0);
        OutboxMessage[] outbox = [new() { Key = "acct/1/Suspend", Account = "acct", Kind = OutboxKind.Enforcement, Enforcement = EnforcementKind.Suspend, Episode = 1, At = T0, Currency = "CNY", TimeZone = "Asia/Shanghai" }];
        var commit = new EvaluationCommit("acct", claimed.Version, state, T0, [], [], outbox, T0 + Duration.FromDays(1));

        var saved = await Task.WhenAll(Task.Run(async () => await store.CommitAsync(commit, Ct)), Task.Run(async () => await other.CommitAsync(commit, Ct)));

        Assert.Equal([false, true], saved.Order());
        Assert.Equal(claimed.Version + 1, (await other.FindAccountAsync("acct", Ct))!.Version);
        Assert.Single(await store.QueryOutboxAsync(new OutboxQuery(), Ct));
    }

    [PostgreSqlFact]
    public async Task ClaimOutbox_FourInstancesDispatchingAtOnce_DeliverEveryMessageOnceInEachAccountsOrder()
    {
        var store = schemas.CreateStore();
        const int Accounts = 100, PerAccount = 3;
        await store.ImportAsync([.. Enumerable.Range(0, Accounts).Select(i => new AccountImport(Account($"acct-{i:D3}"), null, null, null, null, T0))], Ct);
        var state = new AccountState([ProductLifecycle.Initial(null)], true, T0);
        foreach (var claimed in await store.ClaimDueAsync(T0, Accounts, Lease, Ct))
        {
            var id = claimed.Registration.Id;
            OutboxMessage[] messages = [.. Enumerable.Range(1, PerAccount).Select(n => new OutboxMessage
            {
                Key = $"{id}/{n}", Account = id, Kind = OutboxKind.Notification, Notification = NotificationKind.Overdue, Episode = 1, At = T0,
                Recipient = "owner", Channel = "Email", Currency = "CNY", TimeZone = "Asia/Shanghai",
            })];
            Assert.True(await store.CommitAsync(new EvaluationCommit(id, claimed.Version, state, T0, [], [], messages, null), Ct));
        }

        var instances = Enumerable.Range(0, 4).Select(_ => schemas.Open(store.SchemaName)).ToArray();
        var delivered = new List<string>();
        using var start = new Barrier(instances.Length);
        await Task.WhenAll(instances.Select(instance => Task.Run(async () =>
        {
            start.SignalAndWait();
            for (var idle = 0; idle < 50;)
            {
                var batch = await instance.ClaimOutboxAsync(T0, 7, Lease, Ct);
                idle = batch.Count == 0 ? idle + 1 : 0;
                foreach (var message in batch)
                {
                    lock (delivered)
                    {
                        delivered.Add(message.Key);
                    }

                    await instance.CompleteOutboxAsync(message.Key, OutboxStatus.Delivered, 1, T0, null, Ct);
                }

                if (batch.Count == 0)
                {
                    await Task.Delay(20);
                }
            }
        })));

        Assert.Equal(Accounts * PerAccount, delivered.Count);
        Assert.Equal(Accounts * PerAccount, delivered.Distinct(StringComparer.Ordinal).Count());
        Assert.All(delivered.GroupBy(key => key[..key.LastIndexOf('/')]), account =>
            Assert.Equal([.. Enumerable.Range(1, PerAccount).Select(n => $"{account.Key}/{n}")], account.ToArray()));
        Assert.Empty(await store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Pending), Ct));
    }

    [PostgreSqlFact]
    public async Task NextDue_AClaimedAccount_IsDueWhenItsLeaseEndsAndAnUnclaimedOneAtItsDueInstant()
    {
        var store = schemas.CreateStore();
        await store.AddAccountAsync(Account("early"), T0, Ct);
        await store.AddAccountAsync(Account("late"), T0 + Duration.FromMinutes(10), Ct);
        var claimed = Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));

        var whileClaimed = await store.NextDueAsync(Ct);
        Assert.True(await store.CommitAsync(new EvaluationCommit("early", claimed.Version, new AccountState([ProductLifecycle.Initial(null)], true, T0), T0, [], [], [], T0 + Duration.FromDays(1)), Ct));
        var afterCommit = await store.NextDueAsync(Ct);

        Assert.Equal(T0 + Lease, whileClaimed);
        Assert.Equal(T0 + Duration.FromMinutes(10), afterCommit);
    }

    // ---- the database's own constraints ----

    [PostgreSqlFact]
    public async Task Outbox_ADuplicateKeyWrittenBySql_IsRefusedByTheDatabase()
    {
        var store = schemas.CreateStore();
        await store.AddAccountAsync(Account("acct"), T0, Ct);
        const string Insert =
            """
            INSERT INTO {s}.outbox (key, account_id, kind, enforcement, episode, at_ns, balance, currency, time_zone, status, attempts, next_attempt_at_ns)
            VALUES ('acct/1/Suspend', 'acct', 'Enforcement', 'Suspend', 1, 0, 0, 'CNY', 'Asia/Shanghai', 'Pending', 0, 0)
            """;
        Assert.Equal(1, await schemas.ExecuteAsync(store.SchemaName, Insert));

        var error = await Assert.ThrowsAsync<PostgresException>(() => schemas.ExecuteAsync(store.SchemaName, Insert));

        Assert.Equal((PostgresErrorCodes.UniqueViolation, "outbox_key_key"), (error.SqlState, error.ConstraintName));
    }

    [PostgreSqlFact]
    public async Task LedgerEntries_TheSameIdTwiceForAnAccountWrittenBySql_IsRefusedByTheDatabase()
    {
        var store = schemas.CreateStore();
        await store.AddAccountAsync(Account("acct"), T0, Ct);
        await store.AddAccountAsync(Account("other"), T0, Ct);
        await store.AppendEntriesAsync("acct", [new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 1m)], T0, Ct);

        var error = await Assert.ThrowsAsync<PostgresException>(() => schemas.ExecuteAsync(store.SchemaName,
            "INSERT INTO {s}.ledger_entries (account_id, id, kind, at_ns, amount) VALUES ('acct', 'c1', 'Payment', 0, 5)"));

        Assert.Equal((PostgresErrorCodes.UniqueViolation, "ledger_entries_pkey"), (error.SqlState, error.ConstraintName));
        Assert.Equal(1, await schemas.ExecuteAsync(store.SchemaName,
            "INSERT INTO {s}.ledger_entries (account_id, id, kind, at_ns, amount) VALUES ('other', 'c1', 'Payment', 0, 5)"));
    }

    [PostgreSqlFact]
    public async Task Commit_ATransitionTheAuditTrailAlreadyHolds_IsRefusedAndSavesNothing()
    {
        var store = schemas.CreateStore();
        await store.AddAccountAsync(Account("acct"), T0, Ct);
        var overdue = new TransitionRecord(T0, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1, null, false, T0);
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Overdue, 1, T0, T0 + Duration.FromDays(1), null)], true, T0);
        var first = Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));
        Assert.True(await store.CommitAsync(new EvaluationCommit("acct", first.Version, state, T0, [overdue], [], [], T0), Ct));
        var second = Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await store.CommitAsync(new EvaluationCommit("acct", second.Version, state, T0, [overdue], [], [], T0 + Duration.FromDays(1)), Ct));

        Assert.Contains("\"acct\"", error.Message, StringComparison.Ordinal);
        Assert.Single(await store.HistoryAsync("acct", Ct));
        Assert.Equal(second.Version, (await store.FindAccountAsync("acct", Ct))!.Version);
    }

    [PostgreSqlFact]
    public async Task CommitBatch_ATransitionTheAuditTrailAlreadyHolds_FailsAloneAndTheOthersAreSaved()
    {
        var store = schemas.CreateStore();
        await store.ImportAsync([.. new[] { "a", "b", "c" }.Select(id => new AccountImport(Account(id), null, null, null, null, T0))], Ct);
        var overdue = new TransitionRecord(T0, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1, null, false, T0);
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Overdue, 1, T0, T0 + Duration.FromDays(1), null)], true, T0);
        var all = (await store.ClaimDueAsync(T0, 10, Lease, Ct)).ToDictionary(a => a.Registration.Id);
        Assert.True(await store.CommitAsync(new EvaluationCommit("b", all["b"].Version, state, T0, [overdue], [], [], T0), Ct));
        var claimed = await store.ClaimDueAsync(T0, 10, Lease, Ct);
        Assert.Equal(["b"], claimed.Select(a => a.Registration.Id));

        // The batch's statement fails on "b"'s repeated transition: the store saves the commits one by one, so only "b" fails.
        OutboxMessage Message(string account) => new() { Key = $"{account}/1/Suspend", Account = account, Kind = OutboxKind.Enforcement, Enforcement = EnforcementKind.Suspend, Episode = 1, At = T0, Currency = "CNY", TimeZone = "Asia/Shanghai" };
        var results = await store.CommitAsync(
        [
            new EvaluationCommit("a", all["a"].Version, state, T0, [overdue], [], [Message("a")], T0 + Duration.FromDays(1)),
            new EvaluationCommit("b", claimed[0].Version, state, T0, [overdue], [], [Message("b")], T0 + Duration.FromDays(1)),
            new EvaluationCommit("c", all["c"].Version, state, T0, [overdue], [], [Message("c")], T0 + Duration.FromDays(1)),
        ], Ct);

        Assert.Equal([CommitOutcome.Saved, CommitOutcome.Failed, CommitOutcome.Saved], results.Select(r => r.Outcome));
        Assert.Contains("\"b\"", Assert.IsType<InvalidOperationException>(results[1].Error).Message, StringComparison.Ordinal);
        Assert.Single(await store.HistoryAsync("b", Ct));
        Assert.Equal(claimed[0].Version, (await store.FindAccountAsync("b", Ct))!.Version);
        Assert.Equal(["a/1/Suspend", "c/1/Suspend"], (await store.QueryOutboxAsync(new OutboxQuery(), Ct)).Select(m => m.Key));
    }

    [PostgreSqlFact]
    public async Task CommitBatch_TwoInstancesCommittingOverlappingBatchesAtOnce_SaveEachAccountOnce()
    {
        var store = schemas.CreateStore();
        var other = schemas.Open(store.SchemaName);
        var ids = Enumerable.Range(0, 200).Select(i => $"acct-{i:D3}").ToArray();
        await store.ImportAsync([.. ids.Select(id => new AccountImport(Account(id), null, null, null, null, T0))], Ct);
        var claimed = await store.ClaimDueAsync(T0, 500, Lease, Ct);
        var state = new AccountState([ProductLifecycle.Initial(null)], true, T0);
        EvaluationCommit[] Commits(IEnumerable<StoredAccount> accounts) =>
        [
            .. accounts.Select(a => new EvaluationCommit(a.Registration.Id, a.Version, state, T0, [], [],
                [new OutboxMessage { Key = $"{a.Registration.Id}/k", Account = a.Registration.Id, Kind = OutboxKind.Notification, Notification = NotificationKind.Overdue, Episode = 1, At = T0, Currency = "CNY", TimeZone = "Asia/Shanghai" }],
                T0 + Duration.FromDays(1))),
        ];

        // Each instance commits its half and the middle third of the accounts, in the opposite order.
        var results = await Task.WhenAll(
            Task.Run(async () => await store.CommitAsync(Commits(claimed.Take(133)), Ct)),
            Task.Run(async () => await other.CommitAsync(Commits(claimed.Skip(67).Reverse()), Ct)));

        var saved = results.SelectMany(r => r).Count(r => r.Outcome == CommitOutcome.Saved);
        Assert.Equal(ids.Length, saved);
        Assert.All(results.SelectMany(r => r), r => Assert.NotEqual(CommitOutcome.Failed, r.Outcome));
        Assert.Equal(ids.Length, (await store.QueryOutboxAsync(new OutboxQuery(max: 1000), Ct)).Count);
        foreach (var account in claimed)
        {
            Assert.Equal(account.Version + 1, (await other.FindAccountAsync(account.Registration.Id, Ct))!.Version);
        }
    }

    // ---- corrupted rows ----

    [PostgreSqlFact]
    public async Task FindAccount_ACorruptedTimeZone_ThrowsNamingTheAccountAndTheColumn()
    {
        var store = schemas.CreateStore();
        await store.AddAccountAsync(Account("acct-7"), T0, Ct);
        await schemas.ExecuteAsync(store.SchemaName, "UPDATE {s}.accounts SET time_zone = 'Mars/Olympus_Mons' WHERE id = 'acct-7'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.FindAccountAsync("acct-7", Ct));

        Assert.Equal(("acct-7", "accounts.time_zone"), (error.Account, error.Column));
        Assert.Equal("account \"acct-7\": column accounts.time_zone: must be an IANA time zone id such as \"Asia/Shanghai\", got \"Mars/Olympus_Mons\"", error.Message);
    }

    [PostgreSqlFact]
    public async Task ClaimDue_CorruptedItems_ThrowsNamingTheAccountAndTheColumn()
    {
        var store = schemas.CreateStore();
        await store.AddAccountAsync(Account("acct-8"), T0, Ct);
        await schemas.ExecuteAsync(store.SchemaName, """UPDATE {s}.accounts SET items = '[{"id": "calls"}]' WHERE id = 'acct-8'""");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.ClaimDueAsync(T0, 10, Lease, Ct));

        Assert.Equal(("acct-8", "accounts.items"), (error.Account, error.Column));
        Assert.Contains("account \"acct-8\": column accounts.items", error.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task History_ACorruptedReason_ThrowsNamingTheAccountTheColumnAndTheValue()
    {
        var store = schemas.CreateStore();
        await store.AddAccountAsync(Account("acct-9"), T0, Ct);
        var claimed = Assert.Single(await store.ClaimDueAsync(T0, 10, Lease, Ct));
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Overdue, 1, T0, T0 + Duration.FromDays(1), null)], true, T0);
        await store.CommitAsync(new EvaluationCommit("acct-9", claimed.Version, state, T0,
            [new TransitionRecord(T0, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1, null, false, T0)], [], [], null), Ct);
        await schemas.ExecuteAsync(store.SchemaName, "UPDATE {s}.transitions SET reason = 'Bogus' WHERE account_id = 'acct-9'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.HistoryAsync("acct-9", Ct));

        Assert.Equal(("acct-9", "transitions.reason"), (error.Account, error.Column));
        Assert.Contains("got \"Bogus\"", error.Message, StringComparison.Ordinal);
    }

    // ---- errors before and without a server ----

    [Fact]
    public async Task FirstCall_NoServerAtTheAddress_ThrowsNamingTheHostAndPort()
    {
        var port = FreePort();
        await using var store = new PostgreSqlArrearsStore($"Host=127.0.0.1;Port={port};Database=arrears;Username=arrears;Password=x;Timeout=5");

        var error = await Assert.ThrowsAsync<PostgreSqlStoreUnavailableException>(async () => await store.NextDueAsync(Ct));

        Assert.StartsWith($"cannot connect to PostgreSQL at 127.0.0.1:{port} (database \"arrears\"): ", error.Message, StringComparison.Ordinal);
        Assert.Equal(("127.0.0.1", (int?)port), (error.Host, error.Port));
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }

    [Fact]
    public async Task AddAccount_AnInstantOutsideTheStoredRange_ThrowsNamingTheFieldBeforeConnecting()
    {
        await using var store = new PostgreSqlArrearsStore("Host=127.0.0.1;Port=1;Timeout=1");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AddAccountAsync(Account("acct"), Instant.FromUtc(2300, 1, 1, 0, 0), Ct));

        Assert.Contains("now: the PostgreSQL store keeps instants from 1677-09-21 to 2262-04-11, got \"2300-01-01T00:00:00Z\"", error.Message, StringComparison.Ordinal);
    }

    // ---- registration ----

    [Fact]
    public async Task UsePostgreSqlStore_OnTheBuilder_RegistersOneStoreAsTheRuntimesStore()
    {
        var services = new ServiceCollection();
        services.AddArrearsPolicy().UsePostgreSqlStore("Host=db.internal;Database=billing;Username=arrears", schema: "billing_arrears");
        await using var provider = services.BuildServiceProvider();

        var store = Assert.IsType<PostgreSqlArrearsStore>(provider.GetRequiredService<IArrearsStore>());

        Assert.Same(store, provider.GetRequiredService<PostgreSqlArrearsStore>());
        Assert.Equal("billing_arrears", store.SchemaName);
        Assert.Single(services, d => d.ServiceType == typeof(IArrearsStore));
    }

    [PostgreSqlFact]
    public async Task UsePostgreSqlStore_WithoutADirectoryOfTheHost_FindsImportedContactsAndElseTheRecipientAsAddress()
    {
        var schema = schemas.NewSchema();
        var services = new ServiceCollection();
        services.AddArrearsPolicy().UsePostgreSqlStore(PostgreSqlServer.Require(), schema);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IArrearsStore>().ImportAsync(
            [new AccountImport(Account("acct"), null, null, null, new Dictionary<string, RecipientContact> { ["owner"] = new("owner@example.com", "+8613800000001") }, T0)], Ct);
        var directory = provider.GetRequiredService<IRecipientDirectory>();

        var owner = await directory.FindAsync("owner", Ct);
        var address = await directory.FindAsync("ops@example.com", Ct);

        Assert.Equal(("owner@example.com", "+8613800000001"), (owner?.Email, owner?.Phone));
        Assert.Equal(("ops@example.com", (string?)null), (address?.Email, address?.Phone));
    }

    [Fact]
    public void UsePostgreSqlStore_AfterTheHostSetItsDirectory_KeepsIt()
    {
        var directory = new InMemoryRecipientDirectory();
        var services = new ServiceCollection();
        services.AddArrearsPolicy().UseRecipientDirectory(directory).UsePostgreSqlStore("Host=db.internal");
        using var provider = services.BuildServiceProvider();

        Assert.Same(directory, provider.GetRequiredService<IRecipientDirectory>());
    }

    [Fact]
    public void UsePostgreSqlStore_AConnectionStringThatDoesNotParse_ThrowsNamingIt()
    {
        var builder = new ServiceCollection().AddArrearsPolicy();

        var error = Assert.Throws<ArgumentException>(() => builder.UsePostgreSqlStore("Hots=db;Databse=billing"));

        Assert.StartsWith("connectionString: not an Npgsql connection string", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
