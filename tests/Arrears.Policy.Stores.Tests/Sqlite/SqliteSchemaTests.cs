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

        Assert.Equal(["account_products", "accounts", "contacts", "ledger_entries", "outbox", "schema_version", "transitions", "usage", "usage_batches"], tables);
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
        Assert.Equal(1L, _database.Sql("SELECT count(*) FROM schema_version"));
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
        _database.Sql("INSERT INTO schema_version (version, description, applied_at) VALUES (2, 'next', '2031-01-01T00:00:00.000000000Z')");
        var store = _database.Store();

        await Assert.ThrowsAsync<StoreSchemaException>(async () => await store.AddAccountAsync(Account(), T0, Ct));
        await Assert.ThrowsAsync<StoreSchemaException>(async () => await store.NextDueAsync(Ct));

        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM accounts"));
    }

    [Fact]
    public async Task Migrate_AVersion1Database_AppliesTheNewerMigrationsInOrderAndKeepsTheData()
    {
        var v1 = await _database.OpenAsync();
        await v1.AddAccountAsync(Account(), T0, Ct);
        v1.Dispose();
        SqliteMigration[] migrations =
        [
            SqliteSchema.Migrations[0],
            new(2, "a note per account", "ALTER TABLE accounts ADD COLUMN note TEXT; UPDATE accounts SET note = 'migrated';"),
            new(3, "an index on notes", "CREATE INDEX accounts_note ON accounts (note);"),
        ];

        using var v3 = new SqliteArrearsStore(_database.ConnectionString, migrations);
        var found = await v3.FindAccountAsync("acct", Ct);

        Assert.NotNull(found);
        Assert.Equal(Account().Items, found.Registration.Items);
        Assert.Equal("1,2,3", _database.Sql("SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version)"));
        Assert.Equal("migrated", _database.Sql("SELECT note FROM accounts WHERE id = 'acct'"));
        Assert.Equal(1L, _database.Sql("SELECT count(*) FROM sqlite_schema WHERE name = 'accounts_note'"));
    }

    [Fact]
    public async Task Migrate_AMigrationThatFails_LeavesTheDatabaseAtItsVersionWithNothingOfTheEarlierOnes()
    {
        (await _database.OpenAsync()).Dispose();
        SqliteMigration[] migrations =
        [
            SqliteSchema.Migrations[0],
            new(2, "a note per account", "ALTER TABLE accounts ADD COLUMN note TEXT;"),
            new(3, "broken", "CREATE TABLE broken (;"),
        ];

        using var store = new SqliteArrearsStore(_database.ConnectionString, migrations);
        await Assert.ThrowsAsync<SqliteException>(async () => await store.NextDueAsync(Ct));

        Assert.Equal(1L, _database.Sql("SELECT max(version) FROM schema_version"));
        Assert.Equal(0L, _database.Sql("SELECT count(*) FROM pragma_table_info('accounts') WHERE name = 'note'"));
    }

    [Fact]
    public async Task OpenAsync_SeveralStoresOnANewFileAtOnce_CreateTheSchemaOnce()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(_database.OpenAsync)));

        Assert.Equal(4, stores.Length);
        Assert.Equal(1L, _database.Sql("SELECT count(*) FROM schema_version"));
        Assert.True(await stores[3].AddAccountAsync(Account(), T0, Ct));
        Assert.NotNull(await stores[0].FindAccountAsync("acct", Ct));
    }
}
