using System.Globalization;
using Arrears.Policy.Runtime;
using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Sqlite;

/// <summary>One forward migration: the schema version it brings the database to, what it does, and its SQL.</summary>
/// <param name="Version">The version after the migration; migrations run in increasing order, each once.</param>
/// <param name="Description">What it changes, recorded in <c>schema_version</c> for operators.</param>
/// <param name="Sql">The statements, run inside the migration's transaction.</param>
/// <param name="Then">
/// What the migration does in code after <paramref name="Sql"/>, in the same transaction (converting values SQL alone
/// would convert unchecked), or <see langword="null"/>.
/// </param>
internal sealed record SqliteMigration(int Version, string Description, string Sql, Action<SqliteConnection, SqliteTransaction>? Then = null);

/// <summary>
/// The schema of a SQLite store and its forward migrations: the database records each applied migration in
/// <c>schema_version</c>; opening applies the missing ones in order, in one transaction, and refuses a database whose
/// version is newer than the code knows.
/// </summary>
/// <remarks>
/// Tables and columns carry the same logical model as the PostgreSQL store, so operators query either alike: instants are
/// fixed-width UTC text (<c>2026-02-01T08:30:00.000000000Z</c>, ordered as text as in time), amounts decimal text, enums
/// their names; see <c>StoreCodec</c>. Since version 4 the instants of <c>account_runs</c>, which every pass writes and
/// the due index holds, are <c>INTEGER</c> nanoseconds since the Unix epoch (<see cref="SqliteInstants"/>). Tables are
/// <c>STRICT</c>, so a column never holds a value of another type.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>The migrations, in order; the last one's version is the version this code writes.</summary>
    public static readonly IReadOnlyList<SqliteMigration> Migrations =
    [
        new(1, "accounts, products, ledger entries, usage, transitions, outbox, contacts", """
            CREATE TABLE accounts (
                id                TEXT    NOT NULL PRIMARY KEY,
                policy            TEXT    NOT NULL,
                currency          TEXT    NOT NULL,
                time_zone         TEXT    NOT NULL,
                opening_balance   TEXT    NOT NULL,
                creator           TEXT    NOT NULL,
                collaborators     TEXT    NOT NULL,
                balance_alarm     TEXT,
                items             TEXT    NOT NULL,
                version           INTEGER NOT NULL,
                due_at            TEXT,
                claimed_until     TEXT,
                last_evaluated_at TEXT,
                next_review_at    TEXT,
                alarm_armed       INTEGER NOT NULL,
                created_at        TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX accounts_due ON accounts (due_at, id) WHERE due_at IS NOT NULL;
            CREATE INDEX accounts_claimed ON accounts (claimed_until) WHERE claimed_until IS NOT NULL;

            CREATE TABLE account_products (
                account       TEXT    NOT NULL REFERENCES accounts (id),
                product       TEXT    NOT NULL,
                position      INTEGER NOT NULL,
                status        TEXT    NOT NULL,
                episode       INTEGER NOT NULL,
                overdue_since TEXT,
                suspend_at    TEXT,
                purge_at      TEXT,
                PRIMARY KEY (account, product)
            ) STRICT, WITHOUT ROWID;

            CREATE TABLE ledger_entries (
                seq                INTEGER PRIMARY KEY,
                account            TEXT    NOT NULL REFERENCES accounts (id),
                id                 TEXT    NOT NULL,
                kind               TEXT    NOT NULL,
                at                 TEXT    NOT NULL,
                amount             TEXT    NOT NULL,
                product            TEXT,
                billing_item       TEXT,
                external_reference TEXT
            ) STRICT;
            CREATE UNIQUE INDEX ledger_entries_id ON ledger_entries (account, id);
            CREATE INDEX ledger_entries_account ON ledger_entries (account, seq);

            CREATE TABLE usage_batches (
                account     TEXT    NOT NULL REFERENCES accounts (id),
                batch       TEXT    NOT NULL,
                records     INTEGER NOT NULL,
                fingerprint TEXT    NOT NULL,
                PRIMARY KEY (account, batch)
            ) STRICT, WITHOUT ROWID;

            CREATE TABLE usage (
                seq      INTEGER PRIMARY KEY,
                account  TEXT    NOT NULL,
                batch    TEXT    NOT NULL,
                item     TEXT    NOT NULL,
                at       TEXT    NOT NULL,
                quantity TEXT    NOT NULL,
                FOREIGN KEY (account, batch) REFERENCES usage_batches (account, batch)
            ) STRICT;
            CREATE INDEX usage_account ON usage (account, seq);

            CREATE TABLE transitions (
                seq          INTEGER PRIMARY KEY,
                account      TEXT    NOT NULL REFERENCES accounts (id),
                at           TEXT    NOT NULL,
                from_status  TEXT    NOT NULL,
                to_status    TEXT    NOT NULL,
                reason       TEXT    NOT NULL,
                episode      INTEGER NOT NULL,
                product      TEXT,
                late         INTEGER NOT NULL,
                evaluated_at TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX transitions_account ON transitions (account, seq);

            CREATE TABLE outbox (
                sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
                key             TEXT    NOT NULL UNIQUE,
                account         TEXT    NOT NULL REFERENCES accounts (id),
                kind            TEXT    NOT NULL,
                notification    TEXT,
                enforcement     TEXT,
                product         TEXT,
                episode         INTEGER NOT NULL,
                at              TEXT    NOT NULL,
                balance         TEXT    NOT NULL,
                recipient       TEXT,
                channel         TEXT,
                next_deadline   TEXT,
                currency        TEXT    NOT NULL,
                time_zone       TEXT    NOT NULL,
                status          TEXT    NOT NULL,
                attempts        INTEGER NOT NULL,
                next_attempt_at TEXT    NOT NULL,
                last_error      TEXT,
                claimed_until   TEXT
            ) STRICT;
            CREATE INDEX outbox_pending ON outbox (account, sequence) WHERE status = 'Pending';
            CREATE INDEX outbox_account ON outbox (account, sequence);
            CREATE INDEX outbox_status ON outbox (status, sequence);

            CREATE TABLE contacts (
                recipient TEXT NOT NULL PRIMARY KEY,
                email     TEXT,
                phone     TEXT
            ) STRICT, WITHOUT ROWID;
            """),
        new(2, "hold facts (holds granted and revocations, with when each was recorded); deferred transitions' deferred_from and held_by", """
            CREATE TABLE hold_facts (
                seq         INTEGER PRIMARY KEY,
                account     TEXT    NOT NULL REFERENCES accounts (id),
                fact        TEXT    NOT NULL CHECK (fact IN ('Hold', 'Revocation')),
                id          TEXT    NOT NULL,
                kind        TEXT,
                from_at     TEXT,
                until_at    TEXT,
                product     TEXT,
                revokes     TEXT,
                at          TEXT,
                actor       TEXT    NOT NULL,
                reason      TEXT    NOT NULL,
                recorded_at TEXT    NOT NULL
            ) STRICT;
            CREATE UNIQUE INDEX hold_facts_id ON hold_facts (account, fact, id);
            CREATE INDEX hold_facts_account ON hold_facts (account, seq);

            ALTER TABLE transitions ADD COLUMN deferred_from TEXT;
            ALTER TABLE transitions ADD COLUMN held_by TEXT;
            """),
        new(3, "what every pass writes (version, due instant, claim, last evaluation, next review, alarm) moved from accounts to the narrow account_runs, with the due and claimed indexes", """
            CREATE TABLE account_runs (
                id                TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (id),
                version           INTEGER NOT NULL,
                due_at            TEXT,
                claimed_until     TEXT,
                last_evaluated_at TEXT,
                next_review_at    TEXT,
                alarm_armed       INTEGER NOT NULL
            ) STRICT;
            INSERT INTO account_runs (id, version, due_at, claimed_until, last_evaluated_at, next_review_at, alarm_armed)
            SELECT id, version, due_at, claimed_until, last_evaluated_at, next_review_at, alarm_armed FROM accounts ORDER BY id;

            DROP INDEX accounts_due;
            DROP INDEX accounts_claimed;
            ALTER TABLE accounts DROP COLUMN version;
            ALTER TABLE accounts DROP COLUMN due_at;
            ALTER TABLE accounts DROP COLUMN claimed_until;
            ALTER TABLE accounts DROP COLUMN last_evaluated_at;
            ALTER TABLE accounts DROP COLUMN next_review_at;
            ALTER TABLE accounts DROP COLUMN alarm_armed;

            CREATE INDEX account_runs_due ON account_runs (due_at, id) WHERE due_at IS NOT NULL;
            CREATE INDEX account_runs_claimed ON account_runs (claimed_until) WHERE claimed_until IS NOT NULL;
            """),
        new(4, "account_runs keeps its instants (due_at, claimed_until, last_evaluated_at, next_review_at) as INTEGER nanoseconds since the Unix epoch; the due index is on due_at alone", """
            CREATE TABLE account_runs_v4 (
                id                TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (id),
                version           INTEGER NOT NULL,
                due_at            INTEGER,
                claimed_until     INTEGER,
                last_evaluated_at INTEGER,
                next_review_at    INTEGER,
                alarm_armed       INTEGER NOT NULL
            ) STRICT;
            """,
            MoveAccountRunsToVersion4),
    ];

    /// <summary>
    /// Copies every <c>account_runs</c> row of version 3 into the table of version 4 (with its rowid, so accounts due at one
    /// instant are claimed in the same order), each instant read and checked as the store reads it and written as
    /// nanoseconds, then replaces the table and indexes it.
    /// </summary>
    /// <exception cref="StoreDataException">A row holds text that is not an instant, or an instant outside 1677 to 2262; names the account, the column and the value.</exception>
    private static void MoveAccountRunsToVersion4(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var insert = SqliteSql.Command(connection, transaction, """
            INSERT INTO account_runs_v4 (rowid, id, version, due_at, claimed_until, last_evaluated_at, next_review_at, alarm_armed)
            VALUES ($rowid, $id, $version, $due_at, $claimed_until, $last_evaluated_at, $next_review_at, $alarm_armed)
            """);
        using (var select = SqliteSql.Command(connection, transaction, "SELECT rowid, id, version, due_at, claimed_until, last_evaluated_at, next_review_at, alarm_armed FROM account_runs ORDER BY rowid"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetString(1);
                insert
                    .Set("$rowid", reader.GetInt64(0))
                    .Set("$id", id)
                    .Set("$version", reader.GetInt64(2))
                    .Set("$due_at", SqliteInstants.FromVersion3(reader.Text(3), id, "account_runs.due_at"))
                    .Set("$claimed_until", SqliteInstants.FromVersion3(reader.Text(4), id, "account_runs.claimed_until"))
                    .Set("$last_evaluated_at", SqliteInstants.FromVersion3(reader.Text(5), id, "account_runs.last_evaluated_at"))
                    .Set("$next_review_at", SqliteInstants.FromVersion3(reader.Text(6), id, "account_runs.next_review_at"))
                    .Set("$alarm_armed", reader.GetInt64(7))
                    .ExecuteNonQuery();
            }
        }

        using var finish = SqliteSql.Command(connection, transaction, """
            DROP TABLE account_runs;
            ALTER TABLE account_runs_v4 RENAME TO account_runs;
            CREATE INDEX account_runs_due ON account_runs (due_at) WHERE due_at IS NOT NULL;
            CREATE INDEX account_runs_claimed ON account_runs (claimed_until) WHERE claimed_until IS NOT NULL;
            """);
        finish.ExecuteNonQuery();
    }

    /// <summary>The schema version this code writes.</summary>
    public static int CurrentVersion => Migrations[^1].Version;

    /// <summary>
    /// Brings the database to the newest version of <paramref name="migrations"/>: creates <c>schema_version</c> if there is
    /// none, applies every missing migration in order and records each, all in one transaction (a failed migration leaves the
    /// database as it was). A database already current is only read.
    /// </summary>
    /// <param name="connection">An open connection, outside any transaction.</param>
    /// <param name="store">What the database is, for messages.</param>
    /// <param name="migrations">The migrations, in increasing order of version.</param>
    /// <returns>The version the database had before (0 for a new database).</returns>
    /// <exception cref="StoreSchemaException">The database's version is newer than the last migration's.</exception>
    public static int Migrate(SqliteConnection connection, string store, IReadOnlyList<SqliteMigration> migrations)
    {
        var supported = migrations[^1].Version;
        var found = ReadVersion(connection, null);
        Check(store, found, supported);
        if (found == supported)
        {
            return found;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version     INTEGER NOT NULL PRIMARY KEY,
                    description TEXT    NOT NULL,
                    applied_at  TEXT    NOT NULL
                ) STRICT;
                """;
            create.ExecuteNonQuery();
        }

        // Another process may have migrated between the read above and the write lock.
        found = ReadVersion(connection, transaction);
        Check(store, found, supported);
        foreach (var migration in migrations)
        {
            if (migration.Version <= found)
            {
                continue;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = migration.Sql;
            command.ExecuteNonQuery();
            migration.Then?.Invoke(connection, transaction);
            command.CommandText = $"INSERT INTO schema_version (version, description, applied_at) VALUES ($version, $description, {SqliteSql.DatabaseNow})";
            command.Parameters.AddWithValue("$version", migration.Version);
            command.Parameters.AddWithValue("$description", migration.Description);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return found;
    }

    /// <summary>Reads the database's schema version: 0 when it has no <c>schema_version</c> table or no row in it.</summary>
    public static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT max(version) FROM schema_version";
        return command.ExecuteScalar() is long version ? checked((int)version) : 0;
    }

    private static void Check(string store, int found, int supported)
    {
        if (found > supported)
        {
            throw new StoreSchemaException(store, found, supported);
        }
    }
}
