using System.Text.RegularExpressions;
using Arrears.Policy.Runtime;
using Npgsql;

namespace Arrears.Policy.PostgreSql.Internal;

/// <summary>
/// The store's tables in one PostgreSQL schema, created on first use and migrated forward in order, one version at a time,
/// under a transaction-level advisory lock so that several processes starting at once migrate it exactly once.
/// </summary>
/// <remarks>
/// <para>
/// <c>schema_version</c> holds one row per applied version. A database whose newest version is above
/// <see cref="Current"/> was written by a newer library and is refused (<see cref="StoreSchemaException"/>), never read or
/// written with the wrong layout. DDL is transactional in PostgreSQL: a migration that fails leaves the previous version.
/// </para>
/// <para>
/// Design choices: instants are <c>bigint</c> nanoseconds since the Unix epoch (<c>*_ns</c> columns) because
/// <c>timestamptz</c> keeps microseconds and the engine's instants carry nanoseconds; money and quantities are
/// <c>numeric</c> (exact, scale kept); ids are <c>text COLLATE "C"</c> so that the claim order is the ordinal order of
/// the in-memory store whatever the database's collation; enums are their names, checked where the set is closed.
/// </para>
/// </remarks>
internal sealed partial class Schema
{
    /// <summary>The newest schema version this library knows.</summary>
    public const int Current = 3;

    /// <summary>The advisory lock class shared by every Arrears.Policy schema ("ARRS"); the object id is the schema name's hash.</summary>
    private const int LockClass = 0x41525253;

    private static readonly (string Description, string[] Statements)[] Migrations =
    [
        ("accounts, products, ledger, usage, transitions, outbox, contacts", V1()),
        ("hold facts (holds granted and revocations, with when each was recorded); deferred transitions' deferred_from_ns and held_by", V2()),
        ("accounts.kept_by: the store instance that claimed an account last, whose next claims take it first", V3()),
    ];

    public Schema(string schema)
    {
        if (schema is null || !Identifier().IsMatch(schema))
        {
            throw new ArgumentException(
                $"schema: must be a PostgreSQL identifier of 1 to 63 lowercase letters, digits and underscores, starting with a letter or underscore, got \"{schema}\"",
                nameof(schema));
        }

        Name = schema;
        Quoted = $"\"{schema}\"";
    }

    /// <summary>Gets the schema's name.</summary>
    public string Name { get; }

    /// <summary>Gets the schema's name, quoted for SQL.</summary>
    public string Quoted { get; }

    /// <summary>Returns the version a database's schema has, or 0 when it has none yet.</summary>
    public async Task<int> VersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection, transaction);
        await using var existsScope = exists.ConfigureAwait(false);
        exists.Parameters.AddWithValue("table", $"{Quoted}.schema_version");
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return 0;
        }

        var max = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {Quoted}.schema_version", connection, transaction);
        await using var maxScope = max.ConfigureAwait(false);
        return (int)(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Creates or migrates the schema to <see cref="Current"/>, or throws when the database is newer.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="describe">What the database is, for messages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="StoreSchemaException">The database's schema version is newer than <see cref="Current"/>.</exception>
    public async Task EnsureAsync(NpgsqlConnection connection, string describe, CancellationToken cancellationToken)
    {
        // Most opens find the schema current: one read, no lock.
        var found = await VersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (found == Current)
        {
            return;
        }

        if (found > Current)
        {
            throw new StoreSchemaException(describe, found, Current);
        }

        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@class, @object)", connection, transaction);
        await using (lockCommand.ConfigureAwait(false))
        {
            lockCommand.Parameters.AddWithValue("class", LockClass);
            lockCommand.Parameters.AddWithValue("object", LockObject(Name));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Another process may have migrated while this one waited for the lock: read again under it.
        var create = new NpgsqlCommand(
            $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{Name}') THEN CREATE SCHEMA {Quoted}; END IF;
            END $$;
            CREATE TABLE IF NOT EXISTS {Quoted}.schema_version (
              version integer PRIMARY KEY,
              description text NOT NULL,
              applied_at timestamptz NOT NULL DEFAULT now()
            );
            """,
            connection,
            transaction);
        await using (create.ConfigureAwait(false))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        found = await VersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (found > Current)
        {
            throw new StoreSchemaException(describe, found, Current);
        }

        for (var version = found + 1; version <= Current; version++)
        {
            var (description, statements) = Migrations[version - 1];
            foreach (var statement in statements)
            {
                var command = new NpgsqlCommand(statement.Replace("{s}", Quoted, StringComparison.Ordinal), connection, transaction);
                await using var commandScope = command.ConfigureAwait(false);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var record = new NpgsqlCommand($"INSERT INTO {Quoted}.schema_version (version, description) VALUES (@version, @description)", connection, transaction);
            await using var recordScope = record.ConfigureAwait(false);
            record.Parameters.AddWithValue("version", version);
            record.Parameters.AddWithValue("description", description);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the advisory lock object id of a schema: its FNV-1a hash, stable across processes and versions.</summary>
    internal static int LockObject(string schema)
    {
        var hash = 2166136261u;
        foreach (var c in schema)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return unchecked((int)hash);
    }

    /// <summary>Version 1: every table of the store.</summary>
    private static string[] V1() =>
    [
        """
        CREATE TABLE {s}.accounts (
          id text COLLATE "C" PRIMARY KEY,
          policy text NOT NULL,
          creator text NOT NULL,
          collaborators text[] NOT NULL,
          balance_alarm numeric,
          currency text NOT NULL,
          time_zone text NOT NULL,
          opening_balance numeric NOT NULL CHECK (opening_balance >= 0),
          items jsonb NOT NULL,
          version bigint NOT NULL,
          due_at_ns bigint,
          claimed_until_ns bigint,
          next_review_at_ns bigint,
          alarm_armed boolean NOT NULL DEFAULT false,
          last_evaluated_at_ns bigint
        ) WITH (fillfactor = 90)
        """,
        // Claims walk this index in due order, and so does NextDue. claimed_until_ns has no index, so that a claim (which
        // changes only it) is a heap-only update in the room fillfactor 90 leaves.
        """CREATE INDEX accounts_due ON {s}.accounts (due_at_ns, id) WHERE due_at_ns IS NOT NULL""",
        """
        CREATE TABLE {s}.account_products (
          account_id text COLLATE "C" NOT NULL REFERENCES {s}.accounts (id),
          position integer NOT NULL CHECK (position >= 0),
          product text COLLATE "C",
          status text NOT NULL CHECK (status IN ('Active', 'Overdue', 'Suspended', 'Purged')),
          episode integer NOT NULL CHECK (episode >= 0),
          overdue_since_ns bigint,
          suspend_at_ns bigint,
          purge_at_ns bigint,
          PRIMARY KEY (account_id, position)
        )
        """,
        """
        CREATE TABLE {s}.ledger_entries (
          account_id text COLLATE "C" NOT NULL REFERENCES {s}.accounts (id),
          id text COLLATE "C" NOT NULL,
          seq bigint GENERATED ALWAYS AS IDENTITY,
          kind text NOT NULL CHECK (kind IN ('Charge', 'Payment', 'Credit', 'Refund')),
          at_ns bigint NOT NULL,
          amount numeric NOT NULL CHECK (amount > 0),
          product text,
          billing_item text,
          external_reference text,
          PRIMARY KEY (account_id, id)
        )
        """,
        """
        CREATE TABLE {s}.usage_batches (
          account_id text COLLATE "C" NOT NULL REFERENCES {s}.accounts (id),
          batch text COLLATE "C" NOT NULL,
          records integer NOT NULL CHECK (records >= 0),
          PRIMARY KEY (account_id, batch)
        )
        """,
        """
        CREATE TABLE {s}.usage (
          account_id text COLLATE "C" NOT NULL,
          batch text COLLATE "C" NOT NULL,
          position integer NOT NULL CHECK (position >= 0),
          seq bigint GENERATED ALWAYS AS IDENTITY,
          item text NOT NULL,
          at_ns bigint NOT NULL,
          quantity numeric NOT NULL,
          PRIMARY KEY (account_id, batch, position),
          FOREIGN KEY (account_id, batch) REFERENCES {s}.usage_batches (account_id, batch)
        )
        """,
        """
        CREATE TABLE {s}.transitions (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          account_id text COLLATE "C" NOT NULL REFERENCES {s}.accounts (id),
          at_ns bigint NOT NULL,
          from_status text NOT NULL CHECK (from_status IN ('Active', 'Overdue', 'Suspended', 'Purged')),
          to_status text NOT NULL CHECK (to_status IN ('Active', 'Overdue', 'Suspended', 'Purged') AND to_status <> from_status),
          reason text NOT NULL,
          episode integer NOT NULL CHECK (episode >= 1),
          product text COLLATE "C",
          is_late boolean NOT NULL,
          evaluated_at_ns bigint NOT NULL CHECK (evaluated_at_ns >= at_ns)
        )
        """,
        // A product enters a status at most once per arrears episode: the audit trail cannot hold a transition twice.
        """CREATE UNIQUE INDEX transitions_once ON {s}.transitions (account_id, coalesce(product, ''), episode, to_status, at_ns)""",
        """
        CREATE TABLE {s}.outbox (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          key text COLLATE "C" NOT NULL UNIQUE,
          account_id text COLLATE "C" NOT NULL REFERENCES {s}.accounts (id),
          kind text NOT NULL CHECK (kind IN ('Notification', 'Enforcement')),
          notification text,
          enforcement text,
          product text,
          episode integer NOT NULL,
          at_ns bigint NOT NULL,
          balance numeric NOT NULL,
          recipient text,
          channel text,
          next_deadline_ns bigint,
          currency text NOT NULL,
          time_zone text NOT NULL,
          status text NOT NULL CHECK (status IN ('Pending', 'Delivered', 'DeadLettered')),
          attempts integer NOT NULL CHECK (attempts >= 0),
          next_attempt_at_ns bigint NOT NULL,
          last_error text,
          claimed_until_ns bigint
        )
        """,
        """CREATE INDEX outbox_pending ON {s}.outbox (account_id, seq) WHERE status = 'Pending'""",
        """CREATE INDEX outbox_account ON {s}.outbox (account_id, seq)""",
        """CREATE INDEX outbox_status ON {s}.outbox (status, seq)""",
        """
        CREATE TABLE {s}.contacts (
          recipient text COLLATE "C" PRIMARY KEY,
          email text,
          phone text
        )
        """,
        """COMMENT ON COLUMN {s}.accounts.due_at_ns IS 'nanoseconds since 1970-01-01T00:00:00Z, as every *_ns column; to_timestamp(due_at_ns / 1e9) to read'""",
    ];

    /// <summary>Version 2: hold facts, and what a deferred transition keeps.</summary>
    private static string[] V2() =>
    [
        // One row per hold granted or revocation, in the order recorded (seq); "fact" tells them apart, and the checks keep
        // each row's columns those of its kind.
        """
        CREATE TABLE {s}.hold_facts (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          account_id text COLLATE "C" NOT NULL REFERENCES {s}.accounts (id),
          fact text NOT NULL CHECK (fact IN ('Hold', 'Revocation')),
          id text COLLATE "C" NOT NULL,
          kind text CHECK (kind IN ('Suspension', 'Purge', 'All')),
          from_ns bigint,
          until_ns bigint CHECK (until_ns > from_ns),
          product text,
          revokes text COLLATE "C",
          at_ns bigint,
          actor text NOT NULL,
          reason text NOT NULL,
          recorded_at_ns bigint NOT NULL,
          UNIQUE (account_id, fact, id),
          CHECK (fact <> 'Hold' OR (kind IS NOT NULL AND from_ns IS NOT NULL AND revokes IS NULL AND at_ns IS NULL)),
          CHECK (fact <> 'Revocation' OR (revokes IS NOT NULL AND at_ns IS NOT NULL AND kind IS NULL AND from_ns IS NULL AND until_ns IS NULL AND product IS NULL))
        )
        """,
        """CREATE INDEX hold_facts_account ON {s}.hold_facts (account_id, seq)""",
        """ALTER TABLE {s}.transitions ADD COLUMN deferred_from_ns bigint CHECK (deferred_from_ns < at_ns), ADD COLUMN held_by text[]""",
    ];

    /// <summary>
    /// Version 3: <c>accounts.kept_by</c>, the store instance that claimed the account last (decision 0017), and an index of
    /// each instance's accounts in due order, which its claims walk first.
    /// </summary>
    private static string[] V3() =>
    [
        """ALTER TABLE {s}.accounts ADD COLUMN kept_by uuid""",
        """CREATE INDEX accounts_kept_due ON {s}.accounts (kept_by, due_at_ns, id) WHERE due_at_ns IS NOT NULL AND kept_by IS NOT NULL""",
    ];

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
