using Arrears.Policy.Sqlite;
using Microsoft.Data.Sqlite;
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

        Assert.Equal(["account_products", "accounts", "contacts", "hold_facts", "ledger_entries", "outbox", "schema_version", "transitions", "usage", "usage_batches"], tables);
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
        using (var v1 = new SqliteArrearsStore(_database.ConnectionString, [SqliteSchema.Migrations[0]]))
        {
            await v1.AddAccountAsync(Account(), T0, Ct);
        }

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
        using (var v1 = new SqliteArrearsStore(_database.ConnectionString, [SqliteSchema.Migrations[0]]))
        {
            await v1.AddAccountAsync(Account(), T0, Ct);
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
        using (var v1 = new SqliteArrearsStore(_database.ConnectionString, [SqliteSchema.Migrations[0]]))
        {
            await v1.AddAccountAsync(Account(), T0, Ct);
        }

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
}
