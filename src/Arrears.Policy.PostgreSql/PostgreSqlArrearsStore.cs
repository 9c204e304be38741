using System.Globalization;
using System.Net.Sockets;
using Arrears.Policy.Billing;
using Arrears.Policy.PostgreSql.Internal;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Npgsql;
using NpgsqlTypes;
using NodaTime;

namespace Arrears.Policy.PostgreSql;

/// <summary>
/// The store for many evaluator hosts over one PostgreSQL database (or a PostgreSQL-compatible one such as Citus): accounts,
/// ledgers, usage, states, the audit trail, the outbox and recipients' contacts, in one schema created and migrated on
/// first use.
/// </summary>
/// <remarks>
/// <para>
/// Several hosts (processes) may use one database at once. <see cref="ClaimDueAsync"/> claims accounts with
/// <c>FOR UPDATE SKIP LOCKED</c> and marks them with a lease, so no two evaluators hold one account; it takes the due
/// accounts this instance claimed last first, then any due account, so that each host keeps evaluating the accounts it
/// has kept in memory;
/// a commit saves a whole evaluation in one statement that succeeds only if the account's version is still the claimed
/// one (<c>UPDATE ... WHERE version = @expected</c>), and the runtime's evaluator saves each claimed batch with
/// <see cref="CommitAsync(IReadOnlyList{EvaluationCommit}, CancellationToken)"/>, one statement for the batch, each commit
/// still checked on its own; outbox keys, ledger entry ids per account and a
/// transition per product, episode, status and instant are unique constraints, so the database refuses a duplicate even
/// if code is wrong. Reads and writes are batched: a claim of 500 accounts is one round trip when this instance
/// kept them all (a few more at the end of a pass, and one for the rows of the accounts it did not keep), the commit of
/// their 500 evaluations one.
/// </para>
/// <para>
/// The schema (by default <c>arrears</c>) is created on first use, with a <c>schema_version</c> table, and migrated
/// forward under an advisory lock, so hosts starting at once migrate it once. A database of a newer schema version is
/// refused with a <see cref="StoreSchemaException"/> naming both versions; a server that cannot be reached gives a
/// <see cref="PostgreSqlStoreUnavailableException"/> naming the host and port. A row that cannot be what the store wrote
/// gives a <see cref="StoreDataException"/> naming the account and the column.
/// </para>
/// <para>
/// Instants are kept as <c>bigint</c> nanoseconds since the Unix epoch (<c>*_ns</c> columns; <c>timestamptz</c> would
/// drop the nanoseconds NodaTime instants carry), amounts as <c>numeric</c>. Outbox <see cref="OutboxMessage.Sequence"/>
/// values come from an identity column: each account's messages are numbered in the order decided, and across accounts
/// in the order written (two commits running at once may become visible in the other order).
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var store = new PostgreSqlArrearsStore("Host=db;Database=billing;Username=arrears;Password=...", schema: "arrears");
/// var runtime = new ArrearsRuntime(store, policies, clock, notifiers, enforcement, directory);
/// </code>
/// </example>
public sealed partial class PostgreSqlArrearsStore : IArrearsStore, IRecipientDirectory, IAsyncDisposable, IDisposable
{
    private const string AccountColumns = Rows.AccountColumns;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly Schema _schema;
    private readonly string _s;
    private readonly string _host;
    private readonly int _port;
    private readonly string? _database;
    private readonly SemaphoreSlim _migration = new(1, 1);
    private readonly string _claimSql;
    private readonly string _claimKeptSql;
    private readonly ClaimCursor _claimCursor = new();
    private readonly ClaimCursor _keptCursor = new();

    // Marks the accounts this instance claimed (accounts.kept_by), so that its next claims take them first (decision 0017).
    private readonly Guid _instance = Guid.NewGuid();
    private readonly string _childrenProductsSql;
    private readonly string _childrenEntriesSql;
    private readonly string _childrenUsageSql;
    private readonly string _childrenHoldsSql;
    private readonly string _commitSql;
    private readonly string _claimOutboxSql;
    private readonly string _nextDueSql;
    private volatile bool _ready;

    /// <summary>The schema the store uses unless told otherwise.</summary>
    public const string DefaultSchema = "arrears";

    /// <summary>Initializes a store over a connection string, with its tables in the schema <c>arrears</c>; the store owns the connection pool and disposes it.</summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=billing;Username=arrears;Password=...</c>.</param>
    /// <exception cref="ArgumentException">The connection string does not parse; the message says why.</exception>
    public PostgreSqlArrearsStore(string connectionString)
        : this(connectionString, DefaultSchema)
    {
    }

    /// <summary>Initializes a store over a connection string, with its tables in <paramref name="schema"/>; the store owns the connection pool and disposes it.</summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=billing;Username=arrears;Password=...</c>.</param>
    /// <param name="schema">The schema holding the store's tables: a lowercase identifier; created on first use.</param>
    /// <exception cref="ArgumentException">The connection string does not parse, or the schema name is not a lowercase identifier; the message names the value.</exception>
    public PostgreSqlArrearsStore(string connectionString, string schema)
        : this(CreateDataSource(connectionString), schema, ownsDataSource: true)
    {
    }

    /// <summary>
    /// Initializes a store over a data source the host owns (and disposes), with its tables in the schema <c>arrears</c>; the
    /// store never disposes it. This is the constructor a container uses when it holds an <see cref="NpgsqlDataSource"/>.
    /// </summary>
    /// <param name="dataSource">The data source, for example from <c>NpgsqlDataSource.Create(connectionString)</c>.</param>
    public PostgreSqlArrearsStore(NpgsqlDataSource dataSource)
        : this(dataSource, DefaultSchema)
    {
    }

    /// <summary>Initializes a store over a data source the host owns (and disposes), with its tables in <paramref name="schema"/>; the store never disposes it.</summary>
    /// <param name="dataSource">The data source, for example from <c>NpgsqlDataSource.Create(connectionString)</c>.</param>
    /// <param name="schema">The schema holding the store's tables: a lowercase identifier; created on first use.</param>
    /// <exception cref="ArgumentException">The schema name is not a lowercase identifier; the message names the value.</exception>
    public PostgreSqlArrearsStore(NpgsqlDataSource dataSource, string schema)
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), schema, ownsDataSource: false)
    {
    }

    private PostgreSqlArrearsStore(NpgsqlDataSource dataSource, string schema, bool ownsDataSource)
    {
        try
        {
            _schema = new Schema(schema);
        }
        catch
        {
            if (ownsDataSource)
            {
                dataSource.Dispose();
            }

            throw;
        }

        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _s = _schema.Quoted;
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        _host = string.IsNullOrEmpty(settings.Host) ? "localhost" : settings.Host;
        _port = settings.Port;
        _database = settings.Database;

        _claimSql = ClaimSql(_s, kept: false);
        _claimKeptSql = ClaimSql(_s, kept: true);
        _childrenProductsSql = $"SELECT {Rows.ProductColumns} FROM {_s}.account_products WHERE account_id = ANY(@ids) ORDER BY account_id, position";
        _childrenEntriesSql = $"SELECT {Rows.EntryColumns} FROM {_s}.ledger_entries WHERE account_id = ANY(@ids) ORDER BY seq";
        _childrenUsageSql = $"SELECT {Rows.UsageColumns} FROM {_s}.usage WHERE account_id = ANY(@ids) ORDER BY seq";
        _childrenHoldsSql = $"SELECT {HoldFactColumns} FROM {_s}.hold_facts WHERE account_id = ANY(@ids) ORDER BY seq";
        _commitSql = $"""
            WITH c (id, kind, at_ns, amount, product, billing_item, external_reference, ord) AS (
              SELECT * FROM unnest(@c_id::text[], @c_kind::text[], @c_at::bigint[], @c_amount::numeric[], @c_product::text[], @c_item::text[], @c_ref::text[]) WITH ORDINALITY
            ), conflict AS (
              SELECT c.id FROM c JOIN {_s}.ledger_entries AS e ON e.account_id = @account AND e.id = c.id
              WHERE (e.kind, e.at_ns, e.amount, e.product, e.billing_item, e.external_reference)
                IS DISTINCT FROM (c.kind, c.at_ns, c.amount, c.product, c.billing_item, c.external_reference)
            ), acc AS (
              UPDATE {_s}.accounts
              SET version = version + 1, due_at_ns = @due, next_review_at_ns = @review, claimed_until_ns = NULL,
                  alarm_armed = @alarm, last_evaluated_at_ns = @last
              WHERE id = @account AND version = @expected AND NOT EXISTS (SELECT 1 FROM conflict)
              RETURNING id
            ), dropped AS (
              DELETE FROM {_s}.account_products AS p USING acc WHERE p.account_id = acc.id AND p.position >= @p_count
            ), products AS (
              INSERT INTO {_s}.account_products (account_id, position, product, status, episode, overdue_since_ns, suspend_at_ns, purge_at_ns)
              SELECT acc.id, (p.ord - 1)::integer, p.product, p.status, p.episode, p.since, p.suspend, p.purge
              FROM acc, unnest(@p_product::text[], @p_status::text[], @p_episode::integer[], @p_since::bigint[], @p_suspend::bigint[], @p_purge::bigint[])
                WITH ORDINALITY AS p (product, status, episode, since, suspend, purge, ord)
              ON CONFLICT (account_id, position) DO UPDATE SET product = excluded.product, status = excluded.status, episode = excluded.episode,
                overdue_since_ns = excluded.overdue_since_ns, suspend_at_ns = excluded.suspend_at_ns, purge_at_ns = excluded.purge_at_ns
            ), transitions AS (
              INSERT INTO {_s}.transitions (account_id, at_ns, from_status, to_status, reason, episode, product, is_late, evaluated_at_ns, deferred_from_ns, held_by)
              SELECT acc.id, t.at_ns, t.from_status, t.to_status, t.reason, t.episode, t.product, t.is_late, t.evaluated_at_ns, t.deferred_from_ns,
                     CASE WHEN t.held_by IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(t.held_by::jsonb)) END
              FROM acc, unnest(@t_at::bigint[], @t_from::text[], @t_to::text[], @t_reason::text[], @t_episode::integer[], @t_product::text[], @t_late::boolean[], @t_evaluated::bigint[],
                               @t_deferred::bigint[], @t_held::text[])
                WITH ORDINALITY AS t (at_ns, from_status, to_status, reason, episode, product, is_late, evaluated_at_ns, deferred_from_ns, held_by, ord)
              ORDER BY t.ord
            ), charges AS (
              INSERT INTO {_s}.ledger_entries (account_id, id, kind, at_ns, amount, product, billing_item, external_reference)
              SELECT acc.id, c.id, c.kind, c.at_ns, c.amount, c.product, c.billing_item, c.external_reference FROM acc, c ORDER BY c.ord
              ON CONFLICT (account_id, id) DO NOTHING
            ), messages AS (
              INSERT INTO {_s}.outbox (key, account_id, kind, notification, enforcement, product, episode, at_ns, balance, recipient, channel,
                                       next_deadline_ns, currency, time_zone, status, attempts, next_attempt_at_ns)
              SELECT m.key, m.account_id, m.kind, m.notification, m.enforcement, m.product, m.episode, m.at_ns, m.balance, m.recipient, m.channel,
                     m.next_deadline_ns, m.currency, m.time_zone, 'Pending', 0, @evaluated
              FROM acc, unnest(@m_key::text[], @m_account::text[], @m_kind::text[], @m_notification::text[], @m_enforcement::text[], @m_product::text[],
                               @m_episode::integer[], @m_at::bigint[], @m_balance::numeric[], @m_recipient::text[], @m_channel::text[],
                               @m_deadline::bigint[], @m_currency::text[], @m_zone::text[])
                WITH ORDINALITY AS m (key, account_id, kind, notification, enforcement, product, episode, at_ns, balance, recipient, channel,
                                      next_deadline_ns, currency, time_zone, ord)
              ORDER BY m.ord
              ON CONFLICT (key) DO NOTHING
            )
            SELECT (SELECT count(*) FROM acc), (SELECT min(id) FROM conflict), (SELECT version FROM {_s}.accounts WHERE id = @account)
            """;
        // Pending messages in (account, seq) order from the partial index, each taken only if it and every earlier pending
        // message of its account are due and unclaimed (a probe of the account's few earlier rows), until @max are found:
        // the scan stops early instead of sorting every pending message. The ids then update their rows by primary key.
        _claimOutboxSql = $"""
            UPDATE {_s}.outbox SET claimed_until_ns = @until
            WHERE seq = ANY(ARRAY(
              SELECT o.seq FROM {_s}.outbox AS o
              WHERE o.status = 'Pending' AND o.next_attempt_at_ns <= @now AND (o.claimed_until_ns IS NULL OR o.claimed_until_ns <= @now)
                AND (SELECT bool_and(b.next_attempt_at_ns <= @now AND (b.claimed_until_ns IS NULL OR b.claimed_until_ns <= @now))
                     FROM {_s}.outbox AS b
                     WHERE b.account_id = o.account_id AND b.status = 'Pending' AND b.seq < o.seq) IS NOT FALSE
              ORDER BY o.account_id, o.seq
              LIMIT @max))
            RETURNING {Rows.OutboxColumns}
            """;
        // An account is next due at its due instant, or when its claim ends if that is later. Walking the due index, the first
        // account not claimed past its due instant bounds every later one; only claimed accounts before it can be earlier.
        _nextDueSql = $"""
            WITH free AS (
              SELECT min(due_at_ns) AS due FROM {_s}.accounts
              WHERE due_at_ns IS NOT NULL AND (claimed_until_ns IS NULL OR claimed_until_ns <= due_at_ns)
            )
            SELECT least(
              (SELECT due FROM free),
              (SELECT min(claimed_until_ns) FROM {_s}.accounts
               WHERE due_at_ns < coalesce((SELECT due FROM free), 9223372036854775807) AND claimed_until_ns > due_at_ns),
              (SELECT min(greatest(next_attempt_at_ns, coalesce(claimed_until_ns, next_attempt_at_ns)))
               FROM (SELECT DISTINCT ON (account_id) next_attempt_at_ns, claimed_until_ns FROM {_s}.outbox
                     WHERE status = 'Pending' ORDER BY account_id, seq) AS first))
            """;
    }

    /// <summary>Gets the newest schema version this library creates and reads; a database with a newer one is refused.</summary>
    public static int SchemaVersion => Schema.Current;

    /// <summary>Gets the name of the schema holding the store's tables.</summary>
    public string SchemaName => _schema.Name;

    /// <summary>
    /// Creates the schema, or migrates it to <see cref="SchemaVersion"/>, now rather than on the first call (for example when
    /// a host starts, or from a deployment step); safe when several processes do it at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="PostgreSqlStoreUnavailableException">The database cannot be reached.</exception>
    /// <exception cref="StoreSchemaException">The database's schema version is newer than <see cref="SchemaVersion"/>.</exception>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        StoreCodec.CheckTimeZone(account.TimeZone, "account.timeZone");
        var due = Nanoseconds.From(now, nameof(now));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var insert = new NpgsqlCommand(
            $"""
            INSERT INTO {_s}.accounts (id, policy, creator, collaborators, balance_alarm, currency, time_zone, opening_balance, items, version, due_at_ns)
            VALUES (@id, @policy, @creator, @collaborators, @alarm, @currency, @zone, @opening, @items::jsonb, 1, @due)
            ON CONFLICT (id) DO NOTHING
            """,
            connection);
        await using (insert.ConfigureAwait(false))
        {
            AddRegistration(insert.Parameters, account);
            insert.Parameters.AddWithValue("due", due);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return true;
            }
        }

        var existing = await ReadAccountRowAsync(connection, null, account.Id, forUpdate: false, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"account \"{account.Id}\" neither inserted nor found");
        return StoreCodec.SameRegistration(existing.Registration, account) ? false : throw StoreErrors.RegistrationDiffers(account.Id);
    }

    /// <inheritdoc />
    public async ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // One snapshot for the row and its children, so that the state, ledger and usage are those of the version read.
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var rows = new List<AccountRow>(1);
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            var select = new NpgsqlBatchCommand($"SELECT {AccountColumns} FROM {_s}.accounts WHERE id = @id");
            select.Parameters.AddWithValue("id", account);
            batch.BatchCommands.Add(select);
            AddChildren(batch, [account]);
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Rows.ReadAccount(reader));
            }

            await ReadChildrenAsync(reader, rows, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].ToStored();
    }

    /// <inheritdoc />
    public async ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(entries);
        var recorded = Nanoseconds.From(recordedAt, nameof(recordedAt));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        // Lock the account (every change to it does, so this append and a commit or a claim's snapshot never interleave),
        // then read the entries whose ids the batch repeats.
        var ids = entries.Where(e => e is not null).Select(e => e.Id).Distinct(StringComparer.Ordinal).ToArray();
        Currency currency = default;
        decimal opening = 0m;
        var found = false;
        var existing = new List<LedgerEntry>();
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            var lockRow = new NpgsqlBatchCommand($"SELECT currency, opening_balance FROM {_s}.accounts WHERE id = @id FOR UPDATE");
            lockRow.Parameters.AddWithValue("id", account);
            var repeated = new NpgsqlBatchCommand($"SELECT {Rows.EntryColumns} FROM {_s}.ledger_entries WHERE account_id = @id AND id = ANY(@ids)");
            repeated.Parameters.AddWithValue("id", account);
            repeated.Parameters.AddWithValue("ids", ids);
            batch.BatchCommands.Add(lockRow);
            batch.BatchCommands.Add(repeated);
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found = true;
                var code = reader.GetString(0);
                currency = StoreCodec.ParseCurrency(code, account, "accounts.currency");
                opening = reader.GetDecimal(1);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                existing.Add(Rows.ReadEntry(reader, account));
            }
        }

        if (!found)
        {
            throw StoreErrors.UnknownAccount(account);
        }

        // The ledger's own checks, with its messages: amounts in the currency's minor units, an id with other content refused.
        var check = new Ledger(currency, opening);
        check.Append(existing);
        var result = check.Append(entries);
        if (result.Added == 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }

        var known = existing.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var added = entries.Where(e => known.Add(e.Id)).ToList();
        var write = new NpgsqlBatch(connection, transaction);
        await using (write.ConfigureAwait(false))
        {
            write.BatchCommands.Add(InsertEntries(account, added));
            var touch = new NpgsqlBatchCommand($"UPDATE {_s}.accounts SET version = version + 1, due_at_ns = least(due_at_ns, @recorded) WHERE id = @id");
            touch.Parameters.AddWithValue("id", account);
            touch.Parameters.AddWithValue("recorded", recorded);
            write.BatchCommands.Add(touch);
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(batch);
        ArgumentNullException.ThrowIfNull(usage);
        var due = Nanoseconds.From(dueAt, nameof(dueAt));
        foreach (var record in usage)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(usage));
            Nanoseconds.From(record.At, "usage.at");
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var found = false;
        int? recordedCount = null;
        var recorded = new List<UsageRecord>();
        var read = new NpgsqlBatch(connection, transaction);
        await using (read.ConfigureAwait(false))
        {
            var lockRow = new NpgsqlBatchCommand($"SELECT 1 FROM {_s}.accounts WHERE id = @id FOR UPDATE");
            lockRow.Parameters.AddWithValue("id", account);
            var known = new NpgsqlBatchCommand($"SELECT records FROM {_s}.usage_batches WHERE account_id = @id AND batch = @batch");
            known.Parameters.AddWithValue("id", account);
            known.Parameters.AddWithValue("batch", batch);
            var records = new NpgsqlBatchCommand($"SELECT {Rows.UsageColumns} FROM {_s}.usage WHERE account_id = @id AND batch = @batch ORDER BY position");
            records.Parameters.AddWithValue("id", account);
            records.Parameters.AddWithValue("batch", batch);
            read.BatchCommands.Add(lockRow);
            read.BatchCommands.Add(known);
            read.BatchCommands.Add(records);
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            found = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                recordedCount = reader.GetInt32(0);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                recorded.Add(Rows.ReadUsage(reader, account));
            }
        }

        if (!found)
        {
            throw StoreErrors.UnknownAccount(account);
        }

        if (recordedCount is not null)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return recordedCount == recorded.Count && recorded.SequenceEqual(usage)
                ? false
                : throw StoreErrors.BatchDiffers(account, batch);
        }

        var write = new NpgsqlBatch(connection, transaction);
        await using (write.ConfigureAwait(false))
        {
            var batchRow = new NpgsqlBatchCommand($"INSERT INTO {_s}.usage_batches (account_id, batch, records) VALUES (@id, @batch, @records)");
            batchRow.Parameters.AddWithValue("id", account);
            batchRow.Parameters.AddWithValue("batch", batch);
            batchRow.Parameters.AddWithValue("records", usage.Count);
            write.BatchCommands.Add(batchRow);
            if (usage.Count > 0)
            {
                var rows = new NpgsqlBatchCommand(
                    $"""
                    INSERT INTO {_s}.usage (account_id, batch, position, item, at_ns, quantity)
                    SELECT @id, @batch, (u.ord - 1)::integer, u.item, u.at_ns, u.quantity
                    FROM unnest(@items::text[], @ats::bigint[], @quantities::numeric[]) WITH ORDINALITY AS u (item, at_ns, quantity, ord)
                    ORDER BY u.ord
                    """);
                rows.Parameters.AddWithValue("id", account);
                rows.Parameters.AddWithValue("batch", batch);
                rows.Parameters.AddWithValue("items", usage.Select(u => u.Item).ToArray());
                rows.Parameters.AddWithValue("ats", usage.Select(u => Nanoseconds.From(u.At, "usage.at")).ToArray());
                rows.Parameters.AddWithValue("quantities", usage.Select(u => u.Quantity).ToArray());
                write.BatchCommands.Add(rows);
                var touch = new NpgsqlBatchCommand($"UPDATE {_s}.accounts SET version = version + 1, due_at_ns = least(due_at_ns, @due) WHERE id = @id");
                touch.Parameters.AddWithValue("id", account);
                touch.Parameters.AddWithValue("due", due);
                write.BatchCommands.Add(touch);
            }

            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The claim statement: up to <c>@max</c> due accounts after <c>(@after_due, @after_id)</c> in due order, each given a lease
    /// and marked as kept by this instance; with <paramref name="kept"/>, only the accounts this instance marked before.
    /// </summary>
    /// <remarks>
    /// The ids are gathered into an array first, so the update finds its rows by primary key (a join here may be planned as
    /// a hash join over every account). A claim by the instance that kept the account changes no indexed column, so it
    /// stays a heap-only update.
    /// </remarks>
    private static string ClaimSql(string s, bool kept) => $"""
        UPDATE {s}.accounts SET claimed_until_ns = @until, kept_by = @me
        WHERE id = ANY(ARRAY(
          SELECT id FROM {s}.accounts
          WHERE {(kept ? "kept_by = @me AND " : string.Empty)}due_at_ns <= @now AND (due_at_ns, id) > (@after_due, @after_id)
            AND (claimed_until_ns IS NULL OR claimed_until_ns <= @now)
            AND (last_evaluated_at_ns IS NULL OR last_evaluated_at_ns <= @now)
          ORDER BY due_at_ns, id
          LIMIT @max
          FOR UPDATE SKIP LOCKED))
        RETURNING id, version, due_at_ns
        """;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var nowNs = Nanoseconds.From(now, nameof(now));
        var until = Nanoseconds.From(now + lease, nameof(lease));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // The claim's row locks are held until the children are read: nothing can change the claimed accounts in between
        // (every change updates the account's row), so each snapshot is exactly its version.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        // The accounts this instance kept at the version claimed are built from what it kept (decision 0015); the others are read.
        // A claim takes the due accounts this instance claimed last time first (kept_by, decision 0017), then any due account.
        // Each part goes on after the last account it claimed at this instant (ClaimCursor); should that find too few, it looks
        // once more from the start, so that an account due behind the cursor is not left for another call.
        var claimed = new List<StoredAccount>();
        var read = new List<string>();
        var (keptLast, keptExhausted) = await ClaimPartAsync(_claimKeptSql, _keptCursor.Start(nowNs)).ConfigureAwait(false);
        (long Due, string Id)? anyLast = null;
        var anyExhausted = false;
        if (keptExhausted)
        {
            (anyLast, anyExhausted) = await ClaimPartAsync(_claimSql, _claimCursor.Start(nowNs)).ConfigureAwait(false);
        }

        async Task<((long Due, string Id)? Last, bool Exhausted)> ClaimPartAsync(string sql, (long Due, string Id) after)
        {
            (long Due, string Id)? last = null;
            var fromStart = after == ClaimCursor.Beginning;
            while (true)
            {
                last = await ClaimRowsAsync(sql, after, last).ConfigureAwait(false);
                if (claimed.Count + read.Count >= max)
                {
                    return (last, false);
                }

                if (fromStart)
                {
                    return (last, true);
                }

                after = ClaimCursor.Beginning;
                fromStart = true;
            }
        }

        async Task<(long Due, string Id)?> ClaimRowsAsync(string sql, (long Due, string Id) after, (long Due, string Id)? last)
        {
            var claim = new NpgsqlCommand(sql, connection, transaction);
            await using var claimScope = claim.ConfigureAwait(false);
            claim.Parameters.AddWithValue("now", nowNs);
            claim.Parameters.AddWithValue("until", until);
            claim.Parameters.AddWithValue("max", max - claimed.Count - read.Count);
            claim.Parameters.AddWithValue("after_due", after.Due);
            claim.Parameters.AddWithValue("after_id", after.Id);
            claim.Parameters.AddWithValue("me", _instance);
            var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                var dueNs = reader.GetInt64(2);
                last = ClaimCursor.Max(last, (dueNs, id));
                if (_snapshots.Find(id, reader.GetInt64(1), Nanoseconds.ToInstant(dueNs)) is { } kept)
                {
                    claimed.Add(kept);
                }
                else
                {
                    read.Add(id);
                }
            }

            return last;
        }

        var rows = new List<AccountRow>(read.Count);
        if (read.Count > 0)
        {
            var batch = new NpgsqlBatch(connection, transaction);
            await using var batchScope = batch.ConfigureAwait(false);
            var select = new NpgsqlBatchCommand($"SELECT {AccountColumns} FROM {_s}.accounts WHERE id = ANY(@ids)");
            select.Parameters.AddWithValue("ids", read.ToArray());
            batch.BatchCommands.Add(select);
            AddChildren(batch, [.. read]);
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Rows.ReadAccount(reader));
            }

            await ReadChildrenAsync(reader, rows, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _keptCursor.Advance(nowNs, keptLast, keptExhausted);
        if (keptExhausted)
        {
            _claimCursor.Advance(nowNs, anyLast, anyExhausted);
        }
        foreach (var row in rows)
        {
            var account = row.ToStored(snapshot: true);
            _snapshots.Keep(account);
            claimed.Add(account);
        }

        claimed.Sort(static (a, b) =>
        {
            var byDue = Nullable.Compare(a.DueAt, b.DueAt);
            return byDue != 0 ? byDue : string.CompareOrdinal(a.Registration.Id, b.Registration.Id);
        });
        foreach (var account in claimed)
        {
            _claimed.Remember(account);
        }

        return claimed;
    }

    /// <inheritdoc />
    public async ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var lifecycles = commit.State.Lifecycles;
        var transitions = commit.Transitions;
        var charges = commit.Charges;
        var outbox = commit.Outbox;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = new NpgsqlCommand(_commitSql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        var p = command.Parameters;
        p.AddWithValue("account", commit.Account);
        p.AddWithValue("expected", commit.ExpectedVersion);
        AddNullable(p, "due", Nanoseconds.From(commit.DueAt, "dueAt"));
        AddNullable(p, "review", Nanoseconds.From(commit.NextReviewAt, "nextReviewAt"));
        p.AddWithValue("alarm", commit.State.AlarmArmed);
        AddNullable(p, "last", Nanoseconds.From(commit.State.LastEvaluatedAt, "state.lastEvaluatedAt"));
        p.AddWithValue("evaluated", Nanoseconds.From(commit.EvaluatedAt, "evaluatedAt"));

        p.AddWithValue("p_count", lifecycles.Count);
        p.AddWithValue("p_product", Texts(lifecycles, l => l.Product));
        p.AddWithValue("p_status", Texts(lifecycles, l => l.Status.ToString()));
        p.AddWithValue("p_episode", lifecycles.Select(l => l.Episode).ToArray());
        p.AddWithValue("p_since", lifecycles.Select(l => Nanoseconds.From(l.OverdueSince, "state.overdueSince")).ToArray());
        p.AddWithValue("p_suspend", lifecycles.Select(l => Nanoseconds.From(l.SuspendAt, "state.suspendAt")).ToArray());
        p.AddWithValue("p_purge", lifecycles.Select(l => Nanoseconds.From(l.PurgeAt, "state.purgeAt")).ToArray());

        p.AddWithValue("t_at", transitions.Select(t => Nanoseconds.From(t.At, "transitions.at")).ToArray());
        p.AddWithValue("t_from", Texts(transitions, t => t.From.ToString()));
        p.AddWithValue("t_to", Texts(transitions, t => t.To.ToString()));
        p.AddWithValue("t_reason", Texts(transitions, t => t.Reason.ToString()));
        p.AddWithValue("t_episode", transitions.Select(t => t.Episode).ToArray());
        p.AddWithValue("t_product", Texts(transitions, t => t.Product));
        p.AddWithValue("t_late", transitions.Select(t => t.IsLate).ToArray());
        p.AddWithValue("t_evaluated", transitions.Select(t => Nanoseconds.From(t.EvaluatedAt, "transitions.evaluatedAt")).ToArray());
        p.AddWithValue("t_deferred", transitions.Select(t => Nanoseconds.From(t.DeferredFrom, "transitions.deferredFrom")).ToArray());
        p.AddWithValue("t_held", Texts(transitions, t => t.HeldBy.Count == 0 ? null : StoreCodec.JsonArray(t.HeldBy)));

        p.AddWithValue("c_id", Texts(charges, c => c.Id));
        p.AddWithValue("c_kind", Texts(charges, c => c.Kind.ToString()));
        p.AddWithValue("c_at", charges.Select(c => Nanoseconds.From(c.At, "charges.at")).ToArray());
        p.AddWithValue("c_amount", charges.Select(c => c.Amount).ToArray());
        p.AddWithValue("c_product", Texts(charges, c => c.Product));
        p.AddWithValue("c_item", Texts(charges, c => c.BillingItem));
        p.AddWithValue("c_ref", Texts(charges, c => c.ExternalReference));

        p.AddWithValue("m_key", Texts(outbox, m => m.Key));
        p.AddWithValue("m_account", Texts(outbox, m => m.Account));
        p.AddWithValue("m_kind", Texts(outbox, m => m.Kind.ToString()));
        p.AddWithValue("m_notification", Texts(outbox, m => m.Kind == OutboxKind.Notification ? m.Notification.ToString() : null));
        p.AddWithValue("m_enforcement", Texts(outbox, m => m.Kind == OutboxKind.Enforcement ? m.Enforcement.ToString() : null));
        p.AddWithValue("m_product", Texts(outbox, m => m.Product));
        p.AddWithValue("m_episode", outbox.Select(m => m.Episode).ToArray());
        p.AddWithValue("m_at", outbox.Select(m => Nanoseconds.From(m.At, "outbox.at")).ToArray());
        p.AddWithValue("m_balance", outbox.Select(m => m.Balance).ToArray());
        p.AddWithValue("m_recipient", Texts(outbox, m => m.Recipient));
        p.AddWithValue("m_channel", Texts(outbox, m => m.Channel));
        p.AddWithValue("m_deadline", outbox.Select(m => Nanoseconds.From(m.NextDeadline, "outbox.nextDeadline")).ToArray());
        p.AddWithValue("m_currency", Texts(outbox, m => m.Currency));
        p.AddWithValue("m_zone", Texts(outbox, m => m.TimeZone));

        long saved;
        string? conflict;
        long? version;
        try
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            saved = reader.GetInt64(0);
            conflict = reader.IsDBNull(1) ? null : reader.GetString(1);
            version = reader.IsDBNull(2) ? null : reader.GetInt64(2);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "transitions_once")
        {
            throw new InvalidOperationException(
                $"account \"{commit.Account}\": the store already holds one of the commit's transitions (a product enters a status once per episode and instant); nothing was saved ({ex.Detail ?? ex.MessageText})",
                ex);
        }

        if (saved == 1)
        {
            return true;
        }

        if (version is null)
        {
            throw StoreErrors.UnknownAccount(commit.Account);
        }

        return version == commit.ExpectedVersion && conflict is not null
            ? throw new ArgumentException($"account \"{commit.Account}\": charges: an entry with id \"{conflict}\" already exists with different content; nothing was saved", nameof(commit))
            : false;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var nowNs = Nanoseconds.From(now, nameof(now));
        var until = Nanoseconds.From(now + lease, nameof(lease));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // An account's messages go in order, so a claim reads each account's pending queue as a whole: dispatchers take
        // turns (a transaction-level advisory lock, released at once), each seeing the previous one's claims. One round trip.
        var messages = new List<OutboxMessage>();
        var batch = new NpgsqlBatch(connection);
        await using (batch.ConfigureAwait(false))
        {
            var turn = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@class, @object)");
            turn.Parameters.AddWithValue("class", OutboxLockClass);
            turn.Parameters.AddWithValue("object", Schema.LockObject(_schema.Name));
            var claim = new NpgsqlBatchCommand(_claimOutboxSql);
            claim.Parameters.AddWithValue("now", nowNs);
            claim.Parameters.AddWithValue("until", until);
            claim.Parameters.AddWithValue("max", max);
            batch.BatchCommands.Add(turn);
            batch.BatchCommands.Add(claim);
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                messages.Add(Rows.ReadOutbox(reader));
            }
        }

        messages.Sort(static (a, b) =>
        {
            var byAccount = string.CompareOrdinal(a.Account, b.Account);
            return byAccount != 0 ? byAccount : a.Sequence.CompareTo(b.Sequence);
        });
        return messages;
    }

    /// <inheritdoc />
    public async ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentException($"status: not an outbox status, got \"{status}\"", nameof(status));
        }

        var next = Nanoseconds.From(nextAttemptAt, nameof(nextAttemptAt));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = new NpgsqlCommand(
            $"""
            UPDATE {_s}.outbox SET status = @status, attempts = @attempts, next_attempt_at_ns = @next, last_error = @error, claimed_until_ns = NULL
            WHERE key = @key
            """,
            connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("status", status.ToString());
        command.Parameters.AddWithValue("attempts", attempts);
        command.Parameters.AddWithValue("next", next);
        AddNullable(command.Parameters, "error", lastError);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw StoreErrors.UnknownOutboxKey(key);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var where = "seq > @after" + (query.Status is null ? string.Empty : " AND status = @status") + (query.Account is null ? string.Empty : " AND account_id = @account");
        var command = new NpgsqlCommand($"SELECT {Rows.OutboxColumns} FROM {_s}.outbox WHERE {where} ORDER BY seq LIMIT @max", connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("after", query.After);
        command.Parameters.AddWithValue("max", query.Max);
        if (query.Status is { } status)
        {
            command.Parameters.AddWithValue("status", status.ToString());
        }

        if (query.Account is { } account)
        {
            command.Parameters.AddWithValue("account", account);
        }

        var messages = new List<OutboxMessage>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            messages.Add(Rows.ReadOutbox(reader));
        }

        return messages;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken) =>
        await AccountRowsAsync(account, $"SELECT {Rows.TransitionColumns} FROM {_s}.transitions WHERE account_id = @id ORDER BY seq", Rows.ReadTransition, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>
    /// Reads an account's rows of one table in one round trip: whether the account exists (an unknown account is an error),
    /// then the rows <paramref name="sql"/> selects with the account as <c>@id</c>.
    /// </summary>
    private async ValueTask<IReadOnlyList<T>> AccountRowsAsync<T>(string account, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var batch = new NpgsqlBatch(connection);
        await using var batchScope = batch.ConfigureAwait(false);
        var exists = new NpgsqlBatchCommand($"SELECT 1 FROM {_s}.accounts WHERE id = @id");
        exists.Parameters.AddWithValue("id", account);
        var rows = new NpgsqlBatchCommand(sql);
        rows.Parameters.AddWithValue("id", account);
        batch.BatchCommands.Add(exists);
        batch.BatchCommands.Add(rows);
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw StoreErrors.UnknownAccount(account);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(read(reader));
        }

        return records;
    }

    /// <inheritdoc />
    public async ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var import in accounts)
        {
            ArgumentNullException.ThrowIfNull(import, nameof(accounts));
            if (!seen.Add(import.Registration.Id))
            {
                throw StoreErrors.ImportRepeats(import.Registration.Id);
            }

            StoreCodec.CheckTimeZone(import.Registration.TimeZone, $"accounts[\"{import.Registration.Id}\"].timeZone");
            Nanoseconds.From(import.DueAt, $"accounts[\"{import.Registration.Id}\"].dueAt");
            foreach (var entry in import.Entries)
            {
                Nanoseconds.From(entry.At, $"accounts[\"{import.Registration.Id}\"].entries[\"{entry.Id}\"].at");
            }

            foreach (var record in import.Usage)
            {
                Nanoseconds.From(record.At, $"accounts[\"{import.Registration.Id}\"].usage.at");
            }
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var plan = await ImportPlan.ReadAsync(this, connection, transaction, accounts, cancellationToken).ConfigureAwait(false);
        var result = plan.Check(accounts);
        await plan.WriteAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public async ValueTask<RecipientContact?> FindAsync(string recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = new NpgsqlCommand($"SELECT email, phone FROM {_s}.contacts WHERE recipient = @recipient", connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("recipient", recipient);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return Rows.ReadContact(recipient, reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <inheritdoc />
    public async ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = new NpgsqlCommand(_nextDueSql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long nanoseconds ? Nanoseconds.ToInstant(nanoseconds) : null;
    }

    /// <summary>Releases the connection pool when the store created it from a connection string.</summary>
    /// <returns>A task that completes when the pool is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _migration.Dispose();
    }

    /// <summary>Releases the connection pool when the store created it from a connection string.</summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }

        _migration.Dispose();
    }

    /// <summary>The advisory lock class dispatchers take turns on when they claim outbox messages ("ARRO").</summary>
    private const int OutboxLockClass = 0x4152524F;

    internal string Quoted => _s;

    /// <summary>Returns the columns' text values (nulls kept) as an array for <c>unnest</c>.</summary>
    internal static string?[] Texts<T>(IReadOnlyList<T> items, Func<T, string?> select)
    {
        var array = new string?[items.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = select(items[i]);
        }

        return array;
    }

    internal static void AddNullable<T>(NpgsqlParameterCollection parameters, string name, T? value)
        where T : struct =>
        parameters.Add(new NpgsqlParameter<T?>(name, value));

    internal static void AddNullable(NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter<string?>(name, NpgsqlDbType.Text) { TypedValue = value });

    internal static void AddRegistration(NpgsqlParameterCollection parameters, AccountRegistration registration)
    {
        parameters.AddWithValue("id", registration.Id);
        parameters.AddWithValue("policy", registration.Policy);
        parameters.AddWithValue("creator", registration.Profile.Creator);
        parameters.AddWithValue("collaborators", registration.Profile.Collaborators.ToArray());
        AddNullable(parameters, "alarm", registration.Profile.BalanceAlarm);
        parameters.AddWithValue("currency", registration.Currency.Code);
        parameters.AddWithValue("zone", registration.TimeZone.Id);
        parameters.AddWithValue("opening", registration.OpeningBalance);
        parameters.AddWithValue("items", StoreCodec.FormatItems(registration.Items));
    }

    internal NpgsqlBatchCommand InsertEntries(string account, IReadOnlyList<LedgerEntry> entries)
    {
        var insert = new NpgsqlBatchCommand(
            $"""
            INSERT INTO {_s}.ledger_entries (account_id, id, kind, at_ns, amount, product, billing_item, external_reference)
            SELECT @account, e.id, e.kind, e.at_ns, e.amount, e.product, e.billing_item, e.external_reference
            FROM unnest(@ids::text[], @kinds::text[], @ats::bigint[], @amounts::numeric[], @products::text[], @items::text[], @refs::text[])
              WITH ORDINALITY AS e (id, kind, at_ns, amount, product, billing_item, external_reference, ord)
            ORDER BY e.ord
            """);
        insert.Parameters.AddWithValue("account", account);
        insert.Parameters.AddWithValue("ids", Texts(entries, e => e.Id));
        insert.Parameters.AddWithValue("kinds", Texts(entries, e => e.Kind.ToString()));
        insert.Parameters.AddWithValue("ats", entries.Select(e => Nanoseconds.From(e.At, "entries.at")).ToArray());
        insert.Parameters.AddWithValue("amounts", entries.Select(e => e.Amount).ToArray());
        insert.Parameters.AddWithValue("products", Texts(entries, e => e.Product));
        insert.Parameters.AddWithValue("items", Texts(entries, e => e.BillingItem));
        insert.Parameters.AddWithValue("refs", Texts(entries, e => e.ExternalReference));
        return insert;
    }

    internal async Task<AccountRow?> ReadAccountRowAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string id, bool forUpdate, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand($"SELECT {AccountColumns} FROM {_s}.accounts WHERE id = @id{(forUpdate ? " FOR UPDATE" : string.Empty)}", connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("id", id);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Rows.ReadAccount(reader) : null;
    }

    /// <summary>Adds the four reads of accounts' products, entries, usage and hold facts to a batch.</summary>
    private void AddChildren(NpgsqlBatch batch, string[] ids)
    {
        foreach (var sql in new[] { _childrenProductsSql, _childrenEntriesSql, _childrenUsageSql, _childrenHoldsSql })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("ids", ids);
            batch.BatchCommands.Add(command);
        }
    }

    /// <summary>Reads the results of <see cref="AddChildren"/> into the rows.</summary>
    private static async Task ReadChildrenAsync(NpgsqlDataReader reader, List<AccountRow> rows, CancellationToken cancellationToken)
    {
        var byId = rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var account = reader.GetString(0);
            byId[account].Products.Add(Rows.ReadProduct(reader, account));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var account = reader.GetString(0);
            byId[account].Entries.Add(Rows.ReadEntry(reader, account));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var account = reader.GetString(0);
            byId[account].Usage.Add(Rows.ReadUsage(reader, account));
        }

        await ReadHoldChildrenAsync(reader, byId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a pooled connection, creating or migrating the schema on the first call.</summary>
    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Unreachable(ex) is { } reason)
        {
            throw new PostgreSqlStoreUnavailableException(_host, _port, _database, reason, ex);
        }

        if (_ready)
        {
            return connection;
        }

        try
        {
            await _migration.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_ready)
                {
                    await _schema.EnsureAsync(connection, Describe(), cancellationToken).ConfigureAwait(false);
                    _ready = true;
                }
            }
            finally
            {
                _migration.Release();
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    private string Describe() =>
        $"PostgreSQL database \"{_database}\" at {_host}:{_port.ToString(CultureInfo.InvariantCulture)}, schema \"{_schema.Name}\"";

    /// <summary>Returns why a connection could not be opened, when the server is unreachable or refuses the login; otherwise null.</summary>
    private static string? Unreachable(Exception ex) => ex switch
    {
        PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("28", StringComparison.Ordinal) ||
            pg.SqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections => pg.MessageText,
        PostgresException => null,
        NpgsqlException { InnerException: SocketException socket } => socket.Message,
        NpgsqlException { InnerException: TimeoutException } => "the connection timed out",
        NpgsqlException npgsql => npgsql.InnerException?.Message ?? npgsql.Message,
        SocketException socket => socket.Message,
        TimeoutException => "the connection timed out",
        _ => null,
    };

    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlDataSourceBuilder builder;
        try
        {
            builder = new NpgsqlDataSourceBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"connectionString: not an Npgsql connection string ({ex.Message})", nameof(connectionString), ex);
        }

        // The store runs the same few statements all day: prepare them (which also spares each pooled connection a DISCARD
        // ALL on return) unless the connection string says otherwise.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.Keys.Cast<string>().Any(key => string.Equals(key.Replace(" ", string.Empty, StringComparison.Ordinal), "MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        }

        return builder.Build();
    }
}
