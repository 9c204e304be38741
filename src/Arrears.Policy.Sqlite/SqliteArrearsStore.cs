using System.Collections.Concurrent;
using System.Globalization;
using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace Arrears.Policy.Sqlite;

/// <summary>
/// The embedded durable store: accounts, ledgers, usage, states, the audit trail, the outbox and recipients' contacts in one
/// SQLite file, for a host on one machine. It keeps everything the <see cref="InMemoryArrearsStore"/> keeps, across
/// restarts and crashes, with the same answers.
/// </summary>
/// <remarks>
/// <para>
/// <b>Opening.</b> The file is created on first use (its folder must exist), in WAL mode, with its schema: a
/// <c>schema_version</c> table records each forward migration applied, and opening a database of an older version applies
/// the missing ones in one transaction. A database written by a newer version is refused with a
/// <see cref="StoreSchemaException"/> naming both versions; a corrupted row gives a <see cref="StoreDataException"/> naming
/// the account and the column. The schema is checked on the first call, or at once through <see cref="OpenAsync"/>.
/// </para>
/// <para>
/// <b>Transactions.</b> Every method is one transaction. Writes begin with <c>BEGIN IMMEDIATE</c>, so several processes on
/// one file (an <c>arrears evaluate</c> beside a host) serialize on the file's write lock instead of failing, waiting up to
/// the connection string's <c>Default Timeout</c> (30 seconds unless set); within one process, writes queue before
/// reaching SQLite. A commit checks the account's version inside its transaction; the runtime's evaluator saves each
/// claimed batch with <see cref="CommitAsync(IReadOnlyList{EvaluationCommit}, CancellationToken)"/>, one transaction for
/// the batch with a savepoint per commit, so a stale commit is refused alone and nothing of any one account is half
/// written. <see cref="ImportAsync"/> applies a whole import in one transaction. A claim reads the claimed accounts' rows,
/// ledger entries and usage with one query per table for the whole batch.
/// </para>
/// <para>
/// <b>Durability.</b> What the host hands over is on disk when the call returns: <see cref="AddAccountAsync"/>,
/// <see cref="AppendEntriesAsync"/>, <see cref="RecordUsageAsync"/> and <see cref="ImportAsync"/> commit with
/// <c>synchronous = FULL</c>, so an appended payment survives a power cut, not only a crash of the process. The store's own
/// work (claims, commits of evaluations, the outbox's claims and outcomes) commits with <c>synchronous = NORMAL</c>:
/// it survives a crash of the process, and a power cut can only take back the most recent of it, since everything written
/// before a synced write reaches the disk with it (the log is written in order, and a sync writes all of it). What is
/// taken back is done again as after a crash: the account is still due and is evaluated again with the same keys, and a
/// message is delivered again with its key.
/// A sync costs a few milliseconds on an ordinary disk, so this keeps one per fact instead of one per evaluation and
/// delivery (about 5 ms against 0.1 ms per write on the machine the store was measured on).
/// </para>
/// <para>
/// <b>Instants</b> are stored as fixed-width UTC text to the nanosecond (<c>2026-02-01T08:30:00.000000000Z</c>), amounts as
/// decimal text, statuses by name; the file can be read with any SQLite client. <c>account_runs</c> holds what every pass
/// writes (the version, due instant, claim, last evaluation and next review; <c>accounts</c> the registration), and keeps
/// its instants as integer nanoseconds since the Unix epoch, so that its due index is small: <c>sqlite3 arrears.db "SELECT
/// id, strftime('%Y-%m-%dT%H:%M:%SZ', due_at / 1000000000, 'unixepoch') FROM account_runs ORDER BY due_at LIMIT 10"</c>.
/// Those instants range from 1677-09-21 to 2262-04-11: a due instant, review, evaluation or claim outside it is refused
/// with an <see cref="ArgumentException"/> naming the field and the value (a commit carrying one fails alone).
/// </para>
/// <para>
/// Microsoft.Data.Sqlite runs every command synchronously, so the methods complete on the calling thread once the database
/// answers. One instance is safe to use from many threads; dispose it to close its connections.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var store = await SqliteArrearsStore.OpenAsync("Data Source=arrears.db", cancellationToken);
/// var runtime = new ArrearsRuntime(store, policies, clock, [emailNotifier], enforcementHandler, store);
/// await runtime.RunOnceAsync(cancellationToken);
/// </code>
/// </example>
public sealed partial class SqliteArrearsStore : IArrearsStore, IRecipientDirectory, IDisposable
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly IReadOnlyList<SqliteMigration> _migrations;
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private readonly ClaimedStates _claimed = new();
    private readonly AccountSnapshots _snapshots = new();
    private SqliteConnection? _writer;
    private SqliteAccountRunUpdate? _accountRunUpdate;
    private Durability _writerDurability = Durability.Synced;
    private volatile bool _schemaReady;
    private volatile bool _disposed;

    /// <summary>Initializes a store over a SQLite file; nothing is opened until the first call (or <see cref="OpenAsync"/>).</summary>
    /// <param name="connectionString">
    /// A Microsoft.Data.Sqlite connection string naming a file, for example <c>Data Source=arrears.db</c>. <c>Default Timeout</c>
    /// (seconds) bounds how long a call waits for another process's write; the store manages its own connections, so
    /// <c>Pooling</c> is ignored. In-memory databases are refused: each connection would see its own.
    /// </param>
    /// <exception cref="ArgumentException">The connection string does not parse, names no file, or opens the database read-only or in memory; the message names the value.</exception>
    public SqliteArrearsStore(string connectionString)
        : this(connectionString, SqliteSchema.Migrations)
    {
    }

    internal SqliteArrearsStore(string connectionString, IReadOnlyList<SqliteMigration> migrations)
    {
        var builder = ParseConnectionString(connectionString);
        _connectionString = builder.ToString();
        _busyTimeoutMilliseconds = checked(builder.DefaultTimeout * 1000);
        _migrations = migrations;
        DataSource = builder.DataSource;
    }

    /// <summary>Parses and checks a connection string as the constructor does, with pooling off and foreign keys on.</summary>
    /// <exception cref="ArgumentException">The connection string is not one the store can use; the message names it.</exception>
    internal static SqliteConnectionStringBuilder ParseConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"connectionString: not a SQLite connection string ({ex.Message}), got \"{connectionString}\"", nameof(connectionString), ex);
        }

        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrWhiteSpace(builder.DataSource) ||
            string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"connectionString: must name a database file such as \"Data Source=arrears.db\" (an in-memory database is private to one connection; use InMemoryArrearsStore), got \"{connectionString}\"",
                nameof(connectionString));
        }

        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            throw new ArgumentException($"connectionString: the store writes its schema, claims and outbox, so the database cannot be opened read-only, got \"{connectionString}\"", nameof(connectionString));
        }

        builder.Pooling = false;
        builder.ForeignKeys = true;
        return builder;
    }

    /// <summary>Gets the database file, as the connection string names it.</summary>
    public string DataSource { get; }

    /// <summary>What the database is, for messages.</summary>
    internal string Description => $"SQLite database {DataSource}";

    /// <summary>Creates a store and makes sure its database is ready: created with its schema, or migrated forward.</summary>
    /// <param name="connectionString">The connection string, as for <see cref="SqliteArrearsStore(string)"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The store, ready to use; dispose it to close its connections.</returns>
    /// <exception cref="ArgumentException">The connection string is invalid.</exception>
    /// <exception cref="StoreSchemaException">The database was written by a newer version of Arrears.Policy.</exception>
    /// <exception cref="IOException">The file cannot be opened or created; the message names it.</exception>
    public static async ValueTask<SqliteArrearsStore> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var store = new SqliteArrearsStore(connectionString);
        try
        {
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        StoreCodec.CheckTimeZone(account.TimeZone, "account.timeZone");
        var due = SqliteInstants.From(now, nameof(now));
        return WriteAsync(
            Durability.Synced,
            session =>
            {
                if (FindRow(session, account.Id) is { } existing)
                {
                    return StoreCodec.SameRegistration(existing.Registration, account) ? false : throw StoreErrors.RegistrationDiffers(account.Id);
                }

                var insert = session.Command(InsertAccountSql);
                BindRegistration(insert, account).Set("$due", due).ExecuteNonQuery();
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return ReadAsync(
            session => FindRow(session, account) is { } row
                ? LoadAccounts(session, [row])[0]
                : null,
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(entries);
        var recorded = SqliteInstants.From(recordedAt, nameof(recordedAt));
        return WriteAsync(
            Durability.Synced,
            session =>
            {
                var row = FindRow(session, account) ?? throw StoreErrors.UnknownAccount(account);
                var (result, added) = CheckEntries(session, account, row.Registration.Currency, row.Registration.OpeningBalance, entries);
                if (added.Count > 0)
                {
                    InsertEntries(session, account, added);
                    Touch(session, account, recorded);
                }

                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(batch);
        ArgumentNullException.ThrowIfNull(usage);
        for (var i = 0; i < usage.Count; i++)
        {
            if (usage[i] is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"usage[{i}]: must not be null"), nameof(usage));
            }
        }

        var due = SqliteInstants.From(dueAt, nameof(dueAt));
        return WriteAsync(
            Durability.Synced,
            session =>
            {
                if (!Exists(session, account))
                {
                    throw StoreErrors.UnknownAccount(account);
                }

                var fingerprint = StoreCodec.UsageFingerprint(usage);
                if (FindBatch(session, account, batch) is { } recorded)
                {
                    return recorded.Records == usage.Count && string.Equals(recorded.Fingerprint, fingerprint, StringComparison.Ordinal)
                        ? false
                        : throw StoreErrors.BatchDiffers(account, batch);
                }

                InsertBatch(session, account, batch, usage, fingerprint);
                if (usage.Count > 0)
                {
                    Touch(session, account, due);
                }

                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return ReadAsync<IReadOnlyList<TransitionRecord>>(
            session =>
            {
                if (!Exists(session, account))
                {
                    throw StoreErrors.UnknownAccount(account);
                }

                var select = session.Command("SELECT account, at, from_status, to_status, reason, episode, product, late, evaluated_at, deferred_from, held_by FROM transitions WHERE account = $account ORDER BY seq");
                using var reader = select.Set("$account", account).ExecuteReader();
                var records = new List<TransitionRecord>();
                while (reader.Read())
                {
                    records.Add(SqliteRows.Transition(reader));
                }

                return records;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RecipientContact?> FindAsync(string recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return ReadAsync(
            session =>
            {
                var select = session.Command("SELECT recipient, email, phone FROM contacts WHERE recipient = $recipient");
                using var reader = select.Set("$recipient", recipient).ExecuteReader();
                return reader.Read() ? SqliteRows.Contact(reader) : null;
            },
            cancellationToken);
    }

    /// <summary>Closes the store's connections; the last one to close checkpoints the write-ahead log into the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }

        _accountRunUpdate?.Dispose();
        _writer?.Dispose();
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    /// <summary>Reads <c>PRAGMA synchronous</c> of the writing connection (1 NORMAL, 2 FULL), or <see langword="null"/> before the first write.</summary>
    internal async ValueTask<long?> WriterSynchronousAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            using var pragma = _writer?.CreateCommand();
            if (pragma is null)
            {
                return null;
            }

            pragma.CommandText = "PRAGMA synchronous";
            return (long?)pragma.ExecuteScalar();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Makes sure the schema is current, once per store; a failure is reported again on the next call.</summary>
    internal async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            var connection = OpenConnection();
            try
            {
                SqliteSchema.Migrate(connection, Description, _migrations);
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            _idle.Add(connection);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <summary>Runs a read in a deferred transaction, so that its queries see one snapshot.</summary>
    private async ValueTask<T> ReadAsync<T>(Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = connection.BeginTransaction(deferred: true);
            using var session = new SqliteSession(connection, transaction, null);
            var result = work(session);
            transaction.Commit();
            return result;
        }
        finally
        {
            Return(connection);
        }
    }

    /// <summary>
    /// Runs a write in a <c>BEGIN IMMEDIATE</c> transaction (the file's write lock taken up front, so the transaction never
    /// fails half-way for want of it) on the store's one writing connection, one write at a time within this process; an
    /// exception rolls everything back.
    /// </summary>
    /// <param name="durability">
    /// <see cref="Durability.Synced"/> for facts the host hands over (the commit syncs the log to disk, and with it every
    /// earlier commit); <see cref="Durability.Redone"/> for the store's own work, which a power cut may take back and the
    /// runtime then repeats (see the class remarks).
    /// </param>
    /// <param name="work">The statements, run in the session; the transaction commits when it returns.</param>
    /// <param name="cancellationToken">Cancels waiting for the write to begin.</param>
    private async ValueTask<T> WriteAsync<T>(Durability durability, Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            var connection = _writer ??= OpenConnection();
            if (_writerDurability != durability)
            {
                using var pragma = connection.CreateCommand();
                pragma.CommandText = durability == Durability.Synced ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
                pragma.ExecuteNonQuery();
                _writerDurability = durability;
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            var result = work(new SqliteSession(connection, transaction, _prepared));
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async ValueTask<SqliteConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return _idle.TryTake(out var connection) ? connection : OpenConnection();
    }

    private void Return(SqliteConnection connection)
    {
        if (_disposed || connection.State != System.Data.ConnectionState.Open)
        {
            connection.Dispose();
            return;
        }

        _idle.Add(connection);
        if (_disposed && _idle.TryTake(out var late))
        {
            late.Dispose();
        }
    }

    /// <summary>Opens a connection and sets what SQLite keeps per connection: WAL, full syncs, the busy timeout, the page cache.</summary>
    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds}");
            pragma.ExecuteNonQuery();
            pragma.CommandText = "PRAGMA synchronous = FULL";
            pragma.ExecuteNonQuery();

            // A page cache of 32 MiB rather than 2: a batch's commit touches again the pages its claim read.
            pragma.CommandText = "PRAGMA cache_size = -32768";
            pragma.ExecuteNonQuery();
            pragma.CommandText = "PRAGMA journal_mode = WAL";
            var mode = pragma.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException($"{Description}: cannot use write-ahead logging (journal mode is {mode ?? "unknown"}); the store needs a file on a local file system");
            }

            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new IOException($"{Description}: cannot open the database ({ex.Message}); check that its folder exists and that the file is a SQLite database this process may write", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>How far a write must reach before its call returns.</summary>
    private enum Durability
    {
        /// <summary>On disk (<c>synchronous = FULL</c>): survives a power cut.</summary>
        Synced,

        /// <summary>In the log (<c>synchronous = NORMAL</c>): survives a crash of the process; a power cut may take it back, and the runtime does it again.</summary>
        Redone,
    }
}
