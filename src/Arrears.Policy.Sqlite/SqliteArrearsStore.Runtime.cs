using System.Runtime.InteropServices;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace Arrears.Policy.Sqlite;

/// <summary>What the runtime calls on every pass: claims, commits, the outbox and the due index.</summary>
public sealed partial class SqliteArrearsStore
{
    /// <summary>
    /// Claims due accounts in one statement: the earliest due first, not held by an unexpired claim, not evaluated after
    /// <c>$now</c>; the <c>account_runs_due</c> index on <c>due_at</c> (integer nanoseconds, with the rowid as every index
    /// entry's last part) hands them out in that order, accounts due at one instant in the order their rows were written, so
    /// a claim reads only the rows it takes (and those others hold) without sorting every due account (<c>INDEXED BY</c> here
    /// and below: SQLite fails the statement rather than fall back to reading every row). The rows are updated by rowid.
    /// </summary>
    private const string ClaimSql = $"""
        UPDATE account_runs SET claimed_until = $until
        WHERE rowid IN (SELECT rowid FROM account_runs INDEXED BY account_runs_due
                        WHERE due_at <= $now
                          AND (claimed_until IS NULL OR claimed_until <= $now)
                          AND (last_evaluated_at IS NULL OR last_evaluated_at <= $now)
                        ORDER BY due_at, rowid
                        LIMIT $max)
        RETURNING id, version, due_at, rowid
        """;

    private const string ClaimedRowsSql = $"SELECT {SqliteSql.AccountColumns} FROM {SqliteSql.AccountTables} WHERE a.id IN (SELECT value FROM json_each($ids))";

    private const string CommitAccountSql = """
        UPDATE account_runs SET version = version + 1, due_at = $due, next_review_at = $next_review, claimed_until = NULL,
                            last_evaluated_at = $last_evaluated, alarm_armed = $alarm_armed
        WHERE id = $id AND version = $expected
        """;

    private const string InsertOutboxSql = """
        INSERT INTO outbox (key, account, kind, notification, enforcement, product, episode, at, balance, recipient, channel,
                            next_deadline, currency, time_zone, status, attempts, next_attempt_at, last_error, claimed_until)
        VALUES ($key, $account, $kind, $notification, $enforcement, $product, $episode, $at, $balance, $recipient, $channel,
                $next_deadline, $currency, $time_zone, 'Pending', 0, $next_attempt, NULL, NULL)
        ON CONFLICT (key) DO NOTHING
        """;

    /// <summary>
    /// Claims the pending messages that may go now, in each account's order: a message is claimable when it is due, not
    /// held, and no earlier pending message of its account is either not due or held (it would be delivered out of order).
    /// </summary>
    private const string ClaimOutboxSql = $"""
        WITH blocked AS (
            SELECT account, min(sequence) AS first
            FROM outbox INDEXED BY outbox_pending
            WHERE status = 'Pending' AND (next_attempt_at > $now OR claimed_until > $now)
            GROUP BY account)
        UPDATE outbox SET claimed_until = $until
        WHERE sequence IN (SELECT o.sequence
                           FROM outbox o INDEXED BY outbox_pending LEFT JOIN blocked b ON b.account = o.account
                           WHERE o.status = 'Pending' AND o.next_attempt_at <= $now
                             AND (o.claimed_until IS NULL OR o.claimed_until <= $now)
                             AND (b.first IS NULL OR o.sequence < b.first)
                           ORDER BY o.account, o.sequence
                           LIMIT $max)
        RETURNING {SqliteSql.OutboxColumns}
        """;

    /// <inheritdoc />
    /// <remarks>
    /// A claimed account whose rows are corrupted is reported with a <see cref="StoreDataException"/> naming it and the
    /// column; the claim of the batch is undone except for that account, which stays held for the lease, so the next pass
    /// claims the others and the corrupted account is reported again once per lease rather than stalling every pass.
    /// </remarks>
    public async ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var nowValue = SqliteInstants.From(now, nameof(now));
        var until = SqliteInstants.From(now + lease, nameof(lease));
        var (accounts, corrupted) = await WriteAsync<(IReadOnlyList<StoredAccount>, StoreDataException?)>(
            Durability.Redone,
            session =>
            {
                session.Transaction.Save("claim");
                try
                {
                    return (Claim(session, nowValue, until, max, _snapshots), null);
                }
                catch (StoreDataException ex) when (ex.Account is not null)
                {
                    session.Transaction.Rollback("claim");
                    var hold = session.Command("UPDATE account_runs SET claimed_until = $until WHERE id = $id");
                    hold.Set("$until", until).Set("$id", ex.Account).ExecuteNonQuery();
                    return ([], ex);
                }
            },
            cancellationToken).ConfigureAwait(false);
        if (corrupted is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(corrupted);
        }

        foreach (var account in accounts)
        {
            _claimed.Remember(account);
        }

        return accounts;
    }

    /// <inheritdoc />
    public async ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var result = (await CommitAsync([commit], cancellationToken).ConfigureAwait(false))[0];
        if (result.Error is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return result.Outcome == CommitOutcome.Saved;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The batch is one write transaction (one write of the log, one lock of the file); each commit in it is checked and
    /// written under a savepoint of its own, so a stale or refused commit leaves nothing of itself and the others are saved.
    /// A commit that changes nothing but the account's row (no transitions, charges or messages, the lifecycles as claimed)
    /// is a single <c>UPDATE</c>.
    /// </remarks>
    public async ValueTask<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<EvaluationCommit> commits, CancellationToken cancellationToken)
    {
        CommitBatch.Check(commits);
        if (commits.Count == 0)
        {
            return [];
        }

        // Which commits keep their claimed lifecycles is settled before the write lock is taken.
        var unchanged = new bool[commits.Count];
        for (var i = 0; i < unchanged.Length; i++)
        {
            unchanged[i] = _claimed.Unchanged(commits[i]);
        }

        var saved = await WriteAsync(
            Durability.Redone,
            session =>
            {
                var results = new CommitResult[commits.Count];
                var update = _accountRunUpdate ??= new SqliteAccountRunUpdate(session.Connection, CommitAccountSql);
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = CommitOne(session, update, commits[i], unchanged[i]);
                }

                return results;
            },
            cancellationToken).ConfigureAwait(false);

        // What this instance keeps of the accounts moves to the versions just written.
        _snapshots.Saved(commits, saved);

        return saved;
    }

    /// <summary>Saves one commit of a batch inside the batch's transaction, all of it or (under its savepoint) nothing.</summary>
    private static CommitResult CommitOne(SqliteSession session, SqliteAccountRunUpdate update, EvaluationCommit commit, bool lifecyclesUnchanged)
    {
        if (lifecyclesUnchanged && commit.Charges.Count == 0 && commit.Transitions.Count == 0 && commit.Outbox.Count == 0)
        {
            // One statement, atomic by itself: the commit of an evaluation that decided nothing new.
            try
            {
                return update.Execute(commit) ? CommitResult.Saved : Refused(session, commit);
            }
            catch (ArgumentException ex)
            {
                // An instant the columns cannot hold: refused before anything was written; the batch goes on.
                return CommitResult.Failed(ex);
            }
        }

        session.Transaction.Save("commit");
        try
        {
            // The version first: a stale commit is refused whatever else it carries, as a single commit is.
            if (!update.Execute(commit))
            {
                session.Transaction.Release("commit");
                return Refused(session, commit);
            }

            if (commit.Charges.Count > 0)
            {
                // The charges must fit the ledger (only the currency and opening balance are read, not the registration).
                string currency, opening;
                using (var reader = session.Command("SELECT currency, opening_balance FROM accounts WHERE id = $id").Set("$id", commit.Account).ExecuteReader())
                {
                    reader.Read();
                    (currency, opening) = (reader.GetString(0), reader.GetString(1));
                }

                var charges = CheckEntries(
                    session,
                    commit.Account,
                    StoreCodec.ParseCurrency(currency, commit.Account, "accounts.currency"),
                    StoreCodec.ParseDecimal(opening, commit.Account, "accounts.opening_balance"),
                    commit.Charges).Added;
                InsertEntries(session, commit.Account, charges);
            }

            if (!lifecyclesUnchanged)
            {
                SaveLifecycles(session, commit.Account, commit.State);
            }

            InsertTransitions(session, commit.Account, commit.Transitions);
            InsertOutbox(session, commit.Outbox, commit.EvaluatedAt);
            session.Transaction.Release("commit");
            return CommitResult.Saved;
        }
        catch (Exception ex) when (ex is ArgumentException or StoreDataException or SqliteException { SqliteErrorCode: ConstraintViolation })
        {
            // Nothing of this commit stays; the batch goes on.
            session.Transaction.Rollback("commit");
            session.Transaction.Release("commit");
            return CommitResult.Failed(ex);
        }
    }

    /// <summary>SQLite's result code for a broken constraint (<c>SQLITE_CONSTRAINT</c>).</summary>
    private const int ConstraintViolation = 19;

    /// <summary>Why a commit's version check found no row: the account changed since it was claimed, or there is no such account.</summary>
    private static CommitResult Refused(SqliteSession session, EvaluationCommit commit) =>
        Exists(session, commit.Account) ? CommitResult.Stale : CommitResult.Failed(StoreErrors.UnknownAccount(commit.Account));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return WriteAsync<IReadOnlyList<OutboxMessage>>(
            Durability.Redone,
            session =>
            {
                var messages = new List<OutboxMessage>();
                var claim = session.Command(ClaimOutboxSql);
                claim.Set("$now", StoreCodec.FormatInstant(now)).Set("$until", StoreCodec.FormatInstant(now + lease)).Set("$max", max);
                using var reader = claim.ExecuteReader();
                while (reader.Read())
                {
                    messages.Add(SqliteRows.Outbox(reader));
                }

                messages.Sort(static (a, b) =>
                {
                    var byAccount = string.CompareOrdinal(a.Account, b.Account);
                    return byAccount != 0 ? byAccount : a.Sequence.CompareTo(b.Sequence);
                });
                return messages;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var statusName = StoreCodec.FormatEnum(status);
        await WriteAsync(
            Durability.Redone,
            session =>
            {
                var update = session.Command("UPDATE outbox SET status = $status, attempts = $attempts, next_attempt_at = $next_attempt, last_error = $last_error, claimed_until = NULL WHERE key = $key");
                var changed = update
                    .Set("$key", key)
                    .Set("$status", statusName)
                    .Set("$attempts", attempts)
                    .Set("$next_attempt", StoreCodec.FormatInstant(nextAttemptAt))
                    .Set("$last_error", lastError)
                    .ExecuteNonQuery();
                return changed == 1 ? true : throw StoreErrors.UnknownOutboxKey(key);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = $"SELECT {SqliteSql.OutboxColumns} FROM outbox WHERE sequence > $after"
            + (query.Status is null ? string.Empty : " AND status = $status")
            + (query.Account is null ? string.Empty : " AND account = $account")
            + " ORDER BY sequence LIMIT $max";
        return ReadAsync<IReadOnlyList<OutboxMessage>>(
            session =>
            {
                var select = session.Command(sql);
                select.Set("$after", query.After).Set("$max", query.Max);
                if (query.Status is { } status)
                {
                    select.Set("$status", StoreCodec.FormatEnum(status));
                }

                if (query.Account is { } account)
                {
                    select.Set("$account", account);
                }

                using var reader = select.ExecuteReader();
                var messages = new List<OutboxMessage>();
                while (reader.Read())
                {
                    messages.Add(SqliteRows.Outbox(reader));
                }

                return messages;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken) =>
        ReadAsync<Instant?>(
            session =>
            {
                // An account is due at due_at, or when its claim expires if that is later; only an account's first pending
                // message can go next, at its next attempt or when its claim expires. Each part reads an index: the due or claimed
                // accounts, and the pending messages. The accounts' instants are integers and the outbox's text, so the two
                // are read apart (in one transaction) and compared here.
                Instant? next = null;
                var accounts = session.Command("""
                    SELECT min(next) FROM (
                        SELECT * FROM (SELECT due_at AS next FROM account_runs INDEXED BY account_runs_due
                                       WHERE due_at IS NOT NULL AND claimed_until IS NULL ORDER BY due_at LIMIT 1)
                        UNION ALL
                        SELECT * FROM (SELECT max(due_at, claimed_until) AS next FROM account_runs INDEXED BY account_runs_claimed
                                       WHERE claimed_until IS NOT NULL AND due_at IS NOT NULL ORDER BY next LIMIT 1))
                    """);
                using (var reader = accounts.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        next = SqliteInstants.Read(reader, 0);
                    }
                }

                var outbox = session.Command("""
                    SELECT max(o.next_attempt_at, coalesce(o.claimed_until, o.next_attempt_at)) AS next, o.account
                    FROM (SELECT account, min(sequence) AS first FROM outbox INDEXED BY outbox_pending
                          WHERE status = 'Pending' GROUP BY account) f
                    JOIN outbox o ON o.sequence = f.first
                    ORDER BY next LIMIT 1
                    """);
                using (var reader = outbox.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        var attempt = StoreCodec.ParseInstant(reader.GetString(0), reader.GetString(1), "outbox.next_attempt_at");
                        next = next is { } due && due <= attempt ? due : attempt;
                    }
                }

                return next;
            },
            cancellationToken);

    /// <summary>
    /// Claims due accounts and builds them: those this instance kept at the version claimed (<see cref="AccountSnapshots"/>)
    /// from what it kept, the others from their rows, which are then kept in turn.
    /// </summary>
    private static List<StoredAccount> Claim(SqliteSession session, long now, long until, int max, AccountSnapshots snapshots)
    {
        var accounts = new List<StoredAccount>();
        var order = new Dictionary<string, (long Due, long Rowid)>(StringComparer.Ordinal);
        List<string>? read = null;
        using (var reader = session.Command(ClaimSql).Set("$now", now).Set("$until", until).Set("$max", max).ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetString(0);
                var due = reader.GetInt64(2);
                order[id] = (due, reader.GetInt64(3));
                if (snapshots.Find(id, reader.GetInt64(1), SqliteInstants.ToInstant(due)) is { } kept)
                {
                    accounts.Add(kept);
                }
                else
                {
                    (read ??= []).Add(id);
                }
            }
        }

        if (read is not null)
        {
            var rows = new List<AccountRow>(read.Count);
            using (var reader = session.Command(ClaimedRowsSql).Set("$ids", StoreCodec.JsonArray(read)).ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add(SqliteRows.Account(reader));
                }
            }

            accounts.AddRange(LoadAccounts(session, rows, snapshots));
        }

        // RETURNING gives no order: sort as the claim chose, earliest due first, then in the due index's order (by rowid),
        // on keys looked up once per account (the claim holds the writer while it sorts).
        var keys = new (long Due, long Rowid)[accounts.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = order[accounts[i].Registration.Id];
        }

        keys.AsSpan().Sort(CollectionsMarshal.AsSpan(accounts));
        return accounts;
    }

    private static void SaveLifecycles(SqliteSession session, string account, AccountState state)
    {
        session.Command("DELETE FROM account_products WHERE account = $account").Set("$account", account).ExecuteNonQuery();

        var insert = session.Command("""
            INSERT INTO account_products (account, product, position, status, episode, overdue_since, suspend_at, purge_at)
            VALUES ($account, $product, $position, $status, $episode, $overdue_since, $suspend_at, $purge_at)
            """);
        insert.Set("$account", account);
        var position = 0;
        foreach (var lifecycle in state.Lifecycles)
        {
            insert
                .Set("$product", StoreCodec.ProductKey(lifecycle.Product))
                .Set("$position", position++)
                .Set("$status", StoreCodec.FormatEnum(lifecycle.Status))
                .Set("$episode", lifecycle.Episode)
                .Set("$overdue_since", StoreCodec.FormatInstant(lifecycle.OverdueSince))
                .Set("$suspend_at", StoreCodec.FormatInstant(lifecycle.SuspendAt))
                .Set("$purge_at", StoreCodec.FormatInstant(lifecycle.PurgeAt))
                .ExecuteNonQuery();
        }
    }

    private static void InsertTransitions(SqliteSession session, string account, IReadOnlyList<TransitionRecord> transitions)
    {
        if (transitions.Count == 0)
        {
            return;
        }

        var insert = session.Command("""
            INSERT INTO transitions (account, at, from_status, to_status, reason, episode, product, late, evaluated_at, deferred_from, held_by)
            VALUES ($account, $at, $from, $to, $reason, $episode, $product, $late, $evaluated_at, $deferred_from, $held_by)
            """);
        insert.Set("$account", account);
        foreach (var transition in transitions)
        {
            insert
                .Set("$at", StoreCodec.FormatInstant(transition.At))
                .Set("$from", StoreCodec.FormatEnum(transition.From))
                .Set("$to", StoreCodec.FormatEnum(transition.To))
                .Set("$reason", StoreCodec.FormatEnum(transition.Reason))
                .Set("$episode", transition.Episode)
                .Set("$product", transition.Product)
                .Set("$late", transition.IsLate ? 1 : 0)
                .Set("$evaluated_at", StoreCodec.FormatInstant(transition.EvaluatedAt))
                .Set("$deferred_from", StoreCodec.FormatInstant(transition.DeferredFrom))
                .Set("$held_by", transition.HeldBy.Count == 0 ? null : StoreCodec.JsonArray(transition.HeldBy))
                .ExecuteNonQuery();
        }
    }

    private static void InsertOutbox(SqliteSession session, IReadOnlyList<OutboxMessage> outbox, Instant evaluatedAt)
    {
        if (outbox.Count == 0)
        {
            return;
        }

        var nextAttempt = StoreCodec.FormatInstant(evaluatedAt);
        var insert = session.Command(InsertOutboxSql);
        foreach (var message in outbox)
        {
            // A kind's column is empty when the message is of the other kind and carries its default: nothing is lost.
            var notification = message.Kind == OutboxKind.Enforcement && message.Notification == default ? null : StoreCodec.FormatEnum(message.Notification);
            var enforcement = message.Kind == OutboxKind.Notification && message.Enforcement == default ? null : StoreCodec.FormatEnum(message.Enforcement);
            insert
                .Set("$key", message.Key)
                .Set("$account", message.Account)
                .Set("$kind", StoreCodec.FormatEnum(message.Kind))
                .Set("$notification", notification)
                .Set("$enforcement", enforcement)
                .Set("$product", message.Product)
                .Set("$episode", message.Episode)
                .Set("$at", StoreCodec.FormatInstant(message.At))
                .Set("$balance", StoreCodec.FormatDecimal(message.Balance))
                .Set("$recipient", message.Recipient)
                .Set("$channel", message.Channel)
                .Set("$next_deadline", StoreCodec.FormatInstant(message.NextDeadline))
                .Set("$currency", message.Currency)
                .Set("$time_zone", message.TimeZone)
                .Set("$next_attempt", nextAttempt)
                .ExecuteNonQuery();
        }
    }
}
