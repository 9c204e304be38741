extern alias sqlite;

using Arrears.Policy.Sqlite;
using Microsoft.Data.Sqlite;
using Codec = sqlite::Arrears.Policy.Stores.StoreCodec;
using static Arrears.Policy.Stores.Tests.Sqlite.SqliteTestData;

namespace Arrears.Policy.Stores.Tests.Sqlite;

public sealed class SqliteSchemaTests : IDisposable
{
    private readonly TemporaryDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task OpenAsync_NoFile_CreatesTheFileWithEveryTableAndVersionRow()
    {
        Assert.False(File.Exists(_database.File));

        await _database.OpenAsync();

        Assert.True(File.Exists(_database.File));
        using var connection = _database.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        var tables = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["account_products", "account_runs", "accounts", "contacts", "hold_facts", "ledger_entries", "outbox", "schema_version", "transitions", "usage", "usage_batches"], tables);
        command.CommandText = "SELECT version, description, applied_at FROM schema_version ORDER BY version";
        var versions = new List<(long, string)>();
        using (var rows = command.ExecuteReader())
        {
            while (rows.Read())
            {
                versions.Add((rows.GetInt64(0), rows.GetString(1)));
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", rows.GetString(2));
            }
        }

        Assert.Equal(SqliteSchema.Migrations.Select(m => ((long)m.Version, m.Description)), versions);
        Assert.Equal(SqliteSchema.CurrentVersion, (int)versions[^1].Item1);
    }

    [Fact]
    public async Task OpenAsync_NewFile_IsInWriteAheadLogMode()
    {
        await _database.OpenAsync();

        Assert.Equal("wal", _database.Sql("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task OpenAsync_AnExistingCurrentFile_KeepsItsDataAndWritesNoSecondVersionRow()
    {
        var first = await _database.OpenAsync();
        await first.AddAccountAsync(Account(), T0, Ct);
        first.Dispose();

        var second = await _database.OpenAsync();

        Assert.NotNull(await second.FindAccountAsync("acct", Ct));
        Assert.Equal((long)SqliteSchema.Migrations.Count, _database.Sql("SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task OpenAsync_ADatabaseOfANewerVersion_IsRefusedNamingBothVersions()
    {
        (await _database.OpenAsync()).Dispose();
        _database.Sql("INSERT INTO schema_version (version, description, applied_at) VALUES (7, 'from the future', '2031-01-01T00:00:00.000000000Z')");

        var error = await Assert.ThrowsAsync<StoreSchemaException>(async () => await SqliteArrearsStore.OpenAsync(_database.ConnectionString, Ct));

        Assert.Equal((7, SqliteSchema.CurrentVersion), (error.FoundVersion, error.SupportedVersion));
        Assert.Contains($"schema version 7 is newer than version {SqliteSchema.CurrentVersion}", error.Message, StringComparison.Ordinal);
        Assert.Contains(_database.File, error.Message, StringComparison.Ordinal);
        Assert.Equal(7L, _database.Sql("SELECT max(version) FROM schema_version"));
    }

    [Fact]
    public async Task AnyCall_OnADatabaseOfANewerVersion_IsRefusedBeforeReadingOrWriting()
    {
        (await _database.OpenAsync()).Dispose();
        _database.Sql($"INSERT INTO schema_version (version, description, applied_at) VALUES ({SqliteSchema.CurrentVersion + 1}, 'next', '2031-01-01T00:00:00.000000000Z')");
        var store = _database.Store();

        await Assert.ThrowsAsync<StoreSchemaException>(async () => await store.AddAccountAsync(Account(), T0, Ct));
        await Assert.ThrowsAsync<StoreSchemaException>(async () => await store.NextDueAsync(Ct));

        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM accounts"));
    }

    [Fact]
    public async Task Migrate_AVersion1Database_AppliesTheNewerMigrationsInOrderAndKeepsTheData()
    {
        WriteOldDatabase(1);

        SqliteMigration[] migrations =
        [
            .. SqliteSchema.Migrations,
            new(SqliteSchema.CurrentVersion + 1, "a note per account", "ALTER TABLE accounts ADD COLUMN note TEXT; UPDATE accounts SET note = 'migrated';"),
            new(SqliteSchema.CurrentVersion + 2, "an index on notes", "CREATE INDEX accounts_note ON accounts (note);"),
        ];

        using var newer = new SqliteArrearsStore(_database.ConnectionString, migrations);
        var found = await newer.FindAccountAsync("acct", Ct);

        Assert.NotNull(found);
        Assert.Equal(Account().Items, found.Registration.Items);
        Assert.Equal(string.Join(",", migrations.Select(m => m.Version)), _database.Sql("SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version)"));
        Assert.Equal("migrated", _database.Sql("SELECT note FROM accounts WHERE id = 'acct'"));
        Assert.Equal(1L, _database.Sql("SELECT count(*) FROM sqlite_schema WHERE name = 'accounts_note'"));
    }

    [Fact]
    public async Task Migrate_AVersion1DatabaseWithHistory_UpgradesToHoldFactsAndKeepsItsTransitions()
    {
        // A database as version 1 of the store wrote it: an account with an evaluated transition.
        WriteOldDatabase(1);
        {
            _database.Sql("INSERT INTO transitions (account, at, from_status, to_status, reason, episode, product, late, evaluated_at) VALUES ('acct', '2026-02-01T08:30:00.000000000Z', 'Active', 'Overdue', 'InArrears', 1, NULL, 0, '2026-02-01T09:00:00.000000000Z')");
        }

        Assert.Equal(1L, _database.Sql("SELECT max(version) FROM schema_version"));

        using var current = await SqliteArrearsStore.OpenAsync(_database.ConnectionString, Ct);

        Assert.Equal((long)SqliteSchema.CurrentVersion, _database.Sql("SELECT max(version) FROM schema_version"));
        var old = Assert.Single(await current.HistoryAsync("acct", Ct));
        Assert.Equal(((Instant?)null, 0), (old.DeferredFrom, old.HeldBy.Count));
        Assert.Empty(await current.HoldsAsync("acct", Ct));
        var hold = new Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(2), "agent-7", "promise to pay");
        Assert.Equal(new HoldFactsResult(1, 0), await current.AddHoldFactsAsync("acct", [hold], [], T0, Ct));
        Assert.Equal([new HoldRecord(hold, T0)], (await current.FindAccountAsync("acct", Ct))!.HoldRecords);
    }

    [Fact]
    public async Task Migrate_AMigrationThatFails_LeavesTheDatabaseAtItsVersionWithNothingOfTheEarlierOnes()
    {
        WriteOldDatabase(1);

        SqliteMigration[] migrations =
        [
            .. SqliteSchema.Migrations,
            new(SqliteSchema.CurrentVersion + 1, "a note per account", "ALTER TABLE accounts ADD COLUMN note TEXT;"),
            new(SqliteSchema.CurrentVersion + 2, "broken", "CREATE TABLE broken (;"),
        ];

        using var store = new SqliteArrearsStore(_database.ConnectionString, migrations);
        await Assert.ThrowsAsync<SqliteException>(async () => await store.NextDueAsync(Ct));

        Assert.Equal(1L, _database.Sql("SELECT max(version) FROM schema_version"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM pragma_table_info('accounts') WHERE name = 'note'"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM sqlite_schema WHERE name = 'hold_facts'"));
    }

    [Fact]
    public async Task OpenAsync_SeveralStoresOnANewFileAtOnce_CreateTheSchemaOnce()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(_database.OpenAsync)));

        Assert.Equal(4, stores.Length);
        Assert.Equal((long)SqliteSchema.Migrations.Count, _database.Sql("SELECT count(*) FROM schema_version"));
        Assert.True(await stores[3].AddAccountAsync(Account(), T0, Ct));
        Assert.NotNull(await stores[0].FindAccountAsync("acct", Ct));
    }

    [Fact]
    public async Task Migrate_AVersion2Database_MovesWhatEachPassWritesToAccountRunsAndKeepsIt()
    {
        // A database as version 2 of the store wrote it: an account evaluated at T0, claimed since, with its lifecycle.
        WriteOldDatabase(2);
        Assert.Equal(2L, _database.Sql("SELECT max(version) FROM schema_version"));
        var due = T0 + Duration.FromHours(24);

        using var current = await SqliteArrearsStore.OpenAsync(_database.ConnectionString, Ct);

        Assert.Equal((long)SqliteSchema.CurrentVersion, _database.Sql("SELECT max(version) FROM schema_version"));
        Assert.Equal(
            $"acct|7|{Nanoseconds(due)}|{Nanoseconds(T0 + Lease)}|{Nanoseconds(T0)}|{Nanoseconds(due)}|1",
            _database.Sql("SELECT id || '|' || version || '|' || due_at || '|' || claimed_until || '|' || last_evaluated_at || '|' || next_review_at || '|' || alarm_armed FROM account_runs"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM pragma_table_info('accounts') WHERE name IN ('version', 'due_at', 'claimed_until', 'last_evaluated_at', 'next_review_at', 'alarm_armed')"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM sqlite_schema WHERE name IN ('accounts_due', 'accounts_claimed')"));
        Assert.Equal(2L, _database.Sql("SELECT count(*) FROM sqlite_schema WHERE name IN ('account_runs_due', 'account_runs_claimed')"));

        var found = await current.FindAccountAsync("acct", Ct);
        Assert.NotNull(found);
        Assert.Equal((7L, (Instant?)due, (Instant?)due), (found.Version, found.DueAt, found.NextReviewAt));
        Assert.Equal(((Instant?)T0, true), (found.State.LastEvaluatedAt, found.State.AlarmArmed));
        Assert.Equal(LifecycleStatus.Overdue, Assert.Single(found.State.Lifecycles).Status);
        Assert.Equal(Account().Items, found.Registration.Items);

        // The claim of version 2 still holds the account until it expires; then the account is claimed and committed as before.
        Assert.Equal(due, await current.NextDueAsync(Ct));
        Assert.Empty(await current.ClaimDueAsync(T0 + Duration.FromMinutes(1), 10, Lease, Ct));
        var claimed = Assert.Single(await current.ClaimDueAsync(due, 10, Lease, Ct));
        Assert.Equal(7L, claimed.Version);
        var commit = new EvaluationCommit("acct", claimed.Version, claimed.State, due, [], [], [], due + Duration.FromHours(1), due + Duration.FromHours(1));
        Assert.True(await current.CommitAsync(commit, Ct));
        Assert.Equal(8L, _database.Sql("SELECT version FROM account_runs WHERE id = 'acct'"));
    }

    [Fact]
    public async Task Migrate_AVersion3DatabaseWithRows_KeepsInstantsAsNanosecondsAndReadsTheSameAccountsAndDueInstants()
    {
        // A database as version 3 of the store wrote it: "acct" as WriteOldDatabase writes it (due a day after T0, claimed,
        // evaluated), and three more accounts, written by the code of version 3 in this order: "b-early" due before 1970 with
        // nine fraction digits, never evaluated; "a-latest" due at the latest instant the integer columns hold; "c-tie" due
        // at the same instant as "acct".
        WriteOldDatabase(3);
        var due = T0 + Duration.FromHours(24);
        var early = Instant.FromUtc(1969, 12, 31, 23, 59, 59) + Duration.FromNanoseconds(999_999_999);
        var latest = Instant.FromUtc(2262, 4, 11, 23, 47, 16) + Duration.FromNanoseconds(854_775_807);
        InsertVersion3Account("b-early", 2, early, null, null, null, 0);
        InsertVersion3Account("a-latest", 3, latest, null, T0, latest, 1);
        InsertVersion3Account("c-tie", 4, due, null, T0, due, 0);
        _database.Sql($"""
            INSERT INTO account_products (account, product, position, status, episode, overdue_since, suspend_at, purge_at)
            VALUES ('a-latest', '{Codec.ProductKey(null)}', 0, 'Active', 0, NULL, NULL, NULL), ('c-tie', '{Codec.ProductKey(null)}', 0, 'Active', 0, NULL, NULL, NULL);
            """);
        Assert.Equal(3L, _database.Sql("SELECT max(version) FROM schema_version"));
        Assert.Equal("text", _database.Sql("SELECT typeof(due_at) FROM account_runs WHERE id = 'acct'"));

        using var current = await SqliteArrearsStore.OpenAsync(_database.ConnectionString, Ct);

        Assert.Equal(4L, _database.Sql("SELECT max(version) FROM schema_version"));
        Assert.Equal(
            $"acct|7|{Nanoseconds(due)}|{Nanoseconds(T0 + Lease)}|{Nanoseconds(T0)}|{Nanoseconds(due)}|1;" +
            $"b-early|2|{Nanoseconds(early)}||||0;" +
            $"a-latest|3|{long.MaxValue}||{Nanoseconds(T0)}|{long.MaxValue}|1;" +
            $"c-tie|4|{Nanoseconds(due)}||{Nanoseconds(T0)}|{Nanoseconds(due)}|0",
            _database.Sql("""
                SELECT group_concat(id || '|' || version || '|' || due_at || '|' || coalesce(claimed_until, '') || '|' || coalesce(last_evaluated_at, '') || '|'
                                    || coalesce(next_review_at, '') || '|' || alarm_armed, ';')
                FROM (SELECT * FROM account_runs ORDER BY rowid)
                """));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM account_runs WHERE typeof(due_at) <> 'integer' OR typeof(next_review_at) NOT IN ('integer', 'null') OR typeof(last_evaluated_at) NOT IN ('integer', 'null')"));
        Assert.Equal("due_at", _database.Sql("SELECT group_concat(name) FROM pragma_index_info('account_runs_due')"));
        Assert.Equal("claimed_until", _database.Sql("SELECT group_concat(name) FROM pragma_index_info('account_runs_claimed')"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%account_runs_v4%'"));
        Assert.Equal("ok", _database.Sql("PRAGMA integrity_check"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM pragma_foreign_key_check"));

        // The store reads the same accounts back, at the same instants to the nanosecond.
        var acct = await current.FindAccountAsync("acct", Ct);
        Assert.Equal((7L, (Instant?)due, (Instant?)due, (Instant?)T0, true), (acct!.Version, acct.DueAt, acct.NextReviewAt, acct.State.LastEvaluatedAt, acct.State.AlarmArmed));
        Assert.Equal(LifecycleStatus.Overdue, Assert.Single(acct.State.Lifecycles).Status);
        var b = await current.FindAccountAsync("b-early", Ct);
        Assert.Equal((2L, (Instant?)early, (Instant?)null, (Instant?)null, false), (b!.Version, b.DueAt, b.NextReviewAt, b.State.LastEvaluatedAt, b.State.AlarmArmed));
        var a = await current.FindAccountAsync("a-latest", Ct);
        Assert.Equal((3L, (Instant?)latest, (Instant?)latest, (Instant?)T0, true), (a!.Version, a.DueAt, a.NextReviewAt, a.State.LastEvaluatedAt, a.State.AlarmArmed));
        Assert.Equal(Account("a-latest").Items, a.Registration.Items);

        // Due order: the earliest first; accounts due at one instant ("acct" and "c-tie") in the order their rows were written.
        Assert.Equal(early, await current.NextDueAsync(Ct));
        Assert.Equal(["b-early"], (await current.ClaimDueAsync(T0, 10, Lease, Ct)).Select(x => x.Registration.Id));
        Assert.Equal(["b-early", "acct", "c-tie"], (await current.ClaimDueAsync(due, 10, Lease, Ct)).Select(x => x.Registration.Id));
        Assert.Equal(due + Lease, await current.NextDueAsync(Ct));
    }

    [Theory]
    [InlineData("due_at", "2262-04-11T23:47:16.854775808Z")]
    [InlineData("next_review_at", "8999-12-31T23:59:59.000000000Z")]
    [InlineData("last_evaluated_at", "1677-09-21T00:12:43.145224191Z")]
    [InlineData("claimed_until", "2026-02-30T00:00:00.000000000Z")]
    public async Task Migrate_AVersion3DatabaseWithAnInstantTheIntegerColumnsCannotHold_IsRefusedNamingAccountColumnAndValueAndStaysAtVersion3(string column, string value)
    {
        WriteOldDatabase(3);
        _database.Sql($"UPDATE account_runs SET {column} = '{value}' WHERE id = 'acct'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await SqliteArrearsStore.OpenAsync(_database.ConnectionString, Ct));

        Assert.Equal(("acct", $"account_runs.{column}"), (error.Account, error.Column));
        Assert.Contains($"\"{value}\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(3L, _database.Sql("SELECT max(version) FROM schema_version"));
        Assert.Equal(value, _database.Sql($"SELECT {column} FROM account_runs WHERE id = 'acct'"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM sqlite_schema WHERE name = 'account_runs_v4'"));
    }

    private static long Nanoseconds(Instant instant) => (instant - NodaConstants.UnixEpoch).ToInt64Nanoseconds();

    /// <summary>Inserts an account as version 3 of the store wrote it: its registration in <c>accounts</c>, the rest in <c>account_runs</c> as text.</summary>
    private void InsertVersion3Account(string id, long version, Instant? due, Instant? claimedUntil, Instant? lastEvaluated, Instant? nextReview, int alarmArmed)
    {
        var account = Account(id);
        var text = (string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        _database.Sql($"""
            INSERT INTO accounts (id, policy, currency, time_zone, opening_balance, creator, collaborators, balance_alarm, items, created_at)
            VALUES ({text(id)}, {text(account.Policy)}, {text(account.Currency.Code)}, {text(account.TimeZone.Id)}, {text(Codec.FormatDecimal(account.OpeningBalance))},
                    {text(account.Profile.Creator)}, {text(Codec.FormatCollaborators(account.Profile.Collaborators))}, {text(Codec.FormatDecimal(account.Profile.BalanceAlarm))},
                    {text(Codec.FormatItems(account.Items))}, '{Codec.FormatInstant(T0)}');
            INSERT INTO account_runs (id, version, due_at, claimed_until, last_evaluated_at, next_review_at, alarm_armed)
            VALUES ({text(id)}, {version}, {text(Codec.FormatInstant(due))}, {text(Codec.FormatInstant(claimedUntil))}, {text(Codec.FormatInstant(lastEvaluated))},
                    {text(Codec.FormatInstant(nextReview))}, {alarmArmed});
            """);
    }

    /// <summary>
    /// Writes a database as version <paramref name="version"/> of the store wrote it, through its migrations and plain SQL in
    /// that version's columns (the store's code writes only the newest schema): the account of <see cref="SqliteTestData.Account"/>,
    /// at version 7, last evaluated at <see cref="SqliteTestData.T0"/> (Overdue, alarm armed), due and to be reviewed a day
    /// later, and claimed until <see cref="SqliteTestData.T0"/> plus the lease.
    /// </summary>
    private void WriteOldDatabase(int version)
    {
        using (var connection = _database.Connect())
        {
            SqliteSchema.Migrate(connection, "old", [.. SqliteSchema.Migrations.Take(version)]);
        }

        var due = Codec.FormatInstant(T0 + Duration.FromHours(24));
        if (version >= 3)
        {
            InsertVersion3Account("acct", 7, T0 + Duration.FromHours(24), T0 + Lease, T0, T0 + Duration.FromHours(24), 1);
            _database.Sql($"""
                INSERT INTO account_products (account, product, position, status, episode, overdue_since, suspend_at, purge_at)
                VALUES ('acct', '{Codec.ProductKey(null)}', 0, 'Overdue', 1, '{Codec.FormatInstant(T0)}', '{due}', NULL);
                """);
            return;
        }

        var account = Account();
        var text = (string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        _database.Sql($"""
            INSERT INTO accounts (id, policy, currency, time_zone, opening_balance, creator, collaborators, balance_alarm, items,
                                  version, due_at, claimed_until, last_evaluated_at, next_review_at, alarm_armed, created_at)
            VALUES ('acct', {text(account.Policy)}, {text(account.Currency.Code)}, {text(account.TimeZone.Id)}, {text(Codec.FormatDecimal(account.OpeningBalance))},
                    {text(account.Profile.Creator)}, {text(Codec.FormatCollaborators(account.Profile.Collaborators))}, {text(Codec.FormatDecimal(account.Profile.BalanceAlarm))},
                    {text(Codec.FormatItems(account.Items))}, 7, '{due}', '{Codec.FormatInstant(T0 + Lease)}', '{Codec.FormatInstant(T0)}', '{due}', 1, '{Codec.FormatInstant(T0)}');
            INSERT INTO account_products (account, product, position, status, episode, overdue_since, suspend_at, purge_at)
            VALUES ('acct', '{Codec.ProductKey(null)}', 0, 'Overdue', 1, '{Codec.FormatInstant(T0)}', '{due}', NULL);
            """);
    }
}
