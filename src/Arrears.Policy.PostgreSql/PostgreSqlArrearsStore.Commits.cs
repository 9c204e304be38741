using Arrears.Policy.PostgreSql.Internal;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Npgsql;

namespace Arrears.Policy.PostgreSql;

/// <summary>Batched commits: a claimed batch's evaluations saved in one statement, each still version-checked on its own.</summary>
public sealed partial class PostgreSqlArrearsStore
{
    /// <summary>
    /// The batch commit: the commits as arrays, one row per commit in <c>a</c> and one per child row (lifecycles,
    /// transitions, charges, messages) naming its account. <c>acc</c> updates exactly the accounts whose version is still the
    /// claimed one and whose charges do not contradict their ledger; every other write joins <c>acc</c>, so a refused commit
    /// writes nothing. Accounts and lifecycles are found by <c>= ANY(array)</c> (their primary keys), never by a join the
    /// planner could turn into a scan of every account. The result says, per commit in order, whether it was saved, the conflicting charge if any, and the
    /// version the account had (from the statement's snapshot, before the update).
    /// </summary>
    private string BatchCommitSql => _batchCommitSql ??= $"""
        WITH a AS (
          SELECT * FROM unnest(@a_id::text[], @a_expected::bigint[], @a_due::bigint[], @a_review::bigint[], @a_alarm::boolean[], @a_last::bigint[],
                               @a_products::boolean[], @a_p_count::integer[]) WITH ORDINALITY
            AS a (id, expected, due, review, alarm, last, write_products, p_count, ord)
        ), c AS (
          SELECT * FROM unnest(@c_account::text[], @c_id::text[], @c_kind::text[], @c_at::bigint[], @c_amount::numeric[], @c_product::text[],
                               @c_item::text[], @c_ref::text[]) WITH ORDINALITY
            AS c (account_id, id, kind, at_ns, amount, product, billing_item, external_reference, ord)
        ), conflict AS (
          SELECT c.account_id, min(c.id) AS id FROM c JOIN {_s}.ledger_entries AS e ON e.account_id = c.account_id AND e.id = c.id
          WHERE (e.kind, e.at_ns, e.amount, e.product, e.billing_item, e.external_reference)
            IS DISTINCT FROM (c.kind, c.at_ns, c.amount, c.product, c.billing_item, c.external_reference)
          GROUP BY c.account_id
        ), acc AS (
          UPDATE {_s}.accounts AS t
          SET version = t.version + 1, due_at_ns = a.due, next_review_at_ns = a.review, claimed_until_ns = NULL,
              alarm_armed = a.alarm, last_evaluated_at_ns = a.last
          FROM a
          WHERE t.id = ANY(@a_id::text[]) AND t.id = a.id AND t.version = a.expected
            AND NOT EXISTS (SELECT 1 FROM conflict WHERE conflict.account_id = a.id)
          RETURNING t.id, a.write_products, a.p_count
        ), dropped AS (
          DELETE FROM {_s}.account_products AS p USING acc
          WHERE p.account_id = ANY(ARRAY(SELECT id FROM acc WHERE write_products)) AND p.account_id = acc.id AND p.position >= acc.p_count
        ), products AS (
          INSERT INTO {_s}.account_products (account_id, position, product, status, episode, overdue_since_ns, suspend_at_ns, purge_at_ns)
          SELECT p.account_id, p.position, p.product, p.status, p.episode, p.since, p.suspend, p.purge
          FROM unnest(@p_account::text[], @p_position::integer[], @p_product::text[], @p_status::text[], @p_episode::integer[], @p_since::bigint[],
                      @p_suspend::bigint[], @p_purge::bigint[]) AS p (account_id, position, product, status, episode, since, suspend, purge)
          JOIN acc ON acc.id = p.account_id
          ON CONFLICT (account_id, position) DO UPDATE SET product = excluded.product, status = excluded.status, episode = excluded.episode,
            overdue_since_ns = excluded.overdue_since_ns, suspend_at_ns = excluded.suspend_at_ns, purge_at_ns = excluded.purge_at_ns
        ), transitions AS (
          INSERT INTO {_s}.transitions (account_id, at_ns, from_status, to_status, reason, episode, product, is_late, evaluated_at_ns, deferred_from_ns, held_by)
          SELECT t.account_id, t.at_ns, t.from_status, t.to_status, t.reason, t.episode, t.product, t.is_late, t.evaluated_at_ns, t.deferred_from_ns,
                 CASE WHEN t.held_by IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(t.held_by::jsonb)) END
          FROM unnest(@t_account::text[], @t_at::bigint[], @t_from::text[], @t_to::text[], @t_reason::text[], @t_episode::integer[], @t_product::text[],
                      @t_late::boolean[], @t_evaluated::bigint[], @t_deferred::bigint[], @t_held::text[]) WITH ORDINALITY
            AS t (account_id, at_ns, from_status, to_status, reason, episode, product, is_late, evaluated_at_ns, deferred_from_ns, held_by, ord)
          JOIN acc ON acc.id = t.account_id
          ORDER BY t.ord
        ), charges AS (
          INSERT INTO {_s}.ledger_entries (account_id, id, kind, at_ns, amount, product, billing_item, external_reference)
          SELECT c.account_id, c.id, c.kind, c.at_ns, c.amount, c.product, c.billing_item, c.external_reference
          FROM c JOIN acc ON acc.id = c.account_id
          ORDER BY c.ord
          ON CONFLICT (account_id, id) DO NOTHING
        ), messages AS (
          INSERT INTO {_s}.outbox (key, account_id, kind, notification, enforcement, product, episode, at_ns, balance, recipient, channel,
                                   next_deadline_ns, currency, time_zone, status, attempts, next_attempt_at_ns)
          SELECT m.key, m.account_id, m.kind, m.notification, m.enforcement, m.product, m.episode, m.at_ns, m.balance, m.recipient, m.channel,
                 m.next_deadline_ns, m.currency, m.time_zone, 'Pending', 0, m.next_attempt_ns
          FROM unnest(@m_key::text[], @m_account::text[], @m_kind::text[], @m_notification::text[], @m_enforcement::text[], @m_product::text[],
                      @m_episode::integer[], @m_at::bigint[], @m_balance::numeric[], @m_recipient::text[], @m_channel::text[],
                      @m_deadline::bigint[], @m_currency::text[], @m_zone::text[], @m_next::bigint[], @m_commit::text[]) WITH ORDINALITY
            AS m (key, account_id, kind, notification, enforcement, product, episode, at_ns, balance, recipient, channel,
                  next_deadline_ns, currency, time_zone, next_attempt_ns, commit_id, ord)
          JOIN acc ON acc.id = m.commit_id
          ORDER BY m.ord
          ON CONFLICT (key) DO NOTHING
        )
        SELECT acc.id IS NOT NULL, conflict.id, (SELECT t.version FROM {_s}.accounts AS t WHERE t.id = a.id)
        FROM a LEFT JOIN acc ON acc.id = a.id LEFT JOIN conflict ON conflict.account_id = a.id
        ORDER BY a.ord
        """;

    private string? _batchCommitSql;
    private string? _quietCommitSql;

    /// <summary>The commits that change nothing but their accounts' rows: each row updated only at its claimed version.</summary>
    private string QuietCommitSql => _quietCommitSql ??= $"""
        UPDATE {_s}.accounts AS t
        SET version = t.version + 1, due_at_ns = a.due, next_review_at_ns = a.review, claimed_until_ns = NULL,
            alarm_armed = a.alarm, last_evaluated_at_ns = a.last
        FROM unnest(@id::text[], @expected::bigint[], @due::bigint[], @review::bigint[], @alarm::boolean[], @last::bigint[])
          AS a (id, expected, due, review, alarm, last)
        WHERE t.id = ANY(@id::text[]) AND t.id = a.id AND t.version = a.expected
        RETURNING t.id
        """;

    private readonly ClaimedStates _claimed = new();
    private readonly AccountSnapshots _snapshots = new();

    /// <inheritdoc />
    /// <remarks>
    /// The batch is one statement (one round trip, one transaction): every commit is checked against its account's version
    /// and its charges against the ledger inside it, and only the commits that pass are written, each whole; a commit whose
    /// lifecycles are those it was claimed with does not rewrite them. The commits that change nothing but their accounts'
    /// rows (no transitions, charges or messages, the lifecycles as claimed: most of a bulk pass) are one plain
    /// <c>UPDATE</c> before it, each row still version-checked. Should the statement fail as a whole (a transition the
    /// audit trail already holds, say), the commits are saved one at a time, so that only the offending one fails.
    /// </remarks>
    public async ValueTask<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<EvaluationCommit> commits, CancellationToken cancellationToken)
    {
        CommitBatch.Check(commits);
        var results = new CommitResult[commits.Count];
        if (commits.Count == 0)
        {
            return results;
        }

        // Values the columns cannot hold (instants past 2262) fail their commit alone, before anything is sent. The commits
        // that change nothing but their accounts' rows (most of a bulk pass) go in a plain UPDATE of their own.
        var batch = new BatchArrays(commits.Count);
        var indices = new List<int>(commits.Count);
        var quiet = new List<int>(commits.Count);
        for (var i = 0; i < commits.Count; i++)
        {
            var commit = commits[i];
            var unchanged = _claimed.Unchanged(commit);
            try
            {
                BatchArrays.Check(commit);
            }
            catch (ArgumentException ex)
            {
                results[i] = CommitResult.Failed(ex);
                continue;
            }

            if (unchanged && commit.Charges.Count == 0 && commit.Transitions.Count == 0 && commit.Outbox.Count == 0)
            {
                quiet.Add(i);
                continue;
            }

            batch.Add(commit, !unchanged);
            indices.Add(i);
        }

        if (indices.Count == 0 && quiet.Count == 0)
        {
            return results;
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        if (quiet.Count > 0)
        {
            await CommitQuietAsync(connection, commits, quiet, results, cancellationToken).ConfigureAwait(false);
        }

        if (indices.Count > 0)
        {
            await CommitStatementAsync(connection, commits, batch, indices, results, cancellationToken).ConfigureAwait(false);
        }

        // What this instance keeps of the accounts moves to the versions just written.
        _snapshots.Saved(commits, results);

        return results;
    }

    /// <summary>
    /// Saves the commits that change nothing but their accounts' rows with one <c>UPDATE</c> (atomic by itself; each row
    /// only at its claimed version); those it did not update are stale, or of accounts that do not exist.
    /// </summary>
    private async Task CommitQuietAsync(NpgsqlConnection connection, IReadOnlyList<EvaluationCommit> commits, List<int> quiet, CommitResult[] results, CancellationToken cancellationToken)
    {
        var ids = new string[quiet.Count];
        var expected = new long[quiet.Count];
        var due = new long?[quiet.Count];
        var review = new long?[quiet.Count];
        var alarm = new bool[quiet.Count];
        var last = new long?[quiet.Count];
        for (var n = 0; n < quiet.Count; n++)
        {
            var commit = commits[quiet[n]];
            ids[n] = commit.Account;
            expected[n] = commit.ExpectedVersion;
            due[n] = Nanoseconds.From(commit.DueAt, "dueAt");
            review[n] = Nanoseconds.From(commit.NextReviewAt, "nextReviewAt");
            alarm[n] = commit.State.AlarmArmed;
            last[n] = Nanoseconds.From(commit.State.LastEvaluatedAt, "state.lastEvaluatedAt");
        }

        var saved = new HashSet<string>(StringComparer.Ordinal);
        var command = new NpgsqlCommand(QuietCommitSql, connection);
        await using (command.ConfigureAwait(false))
        {
            var p = command.Parameters;
            p.AddWithValue("id", ids);
            p.AddWithValue("expected", expected);
            p.AddWithValue("due", due);
            p.AddWithValue("review", review);
            p.AddWithValue("alarm", alarm);
            p.AddWithValue("last", last);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                saved.Add(reader.GetString(0));
            }
        }

        var refused = quiet.Where(i => !saved.Contains(commits[i].Account)).ToArray();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        if (refused.Length > 0)
        {
            var exists = new NpgsqlCommand($"SELECT id FROM {_s}.accounts WHERE id = ANY(@ids)", connection);
            await using var existsScope = exists.ConfigureAwait(false);
            exists.Parameters.AddWithValue("ids", refused.Select(i => commits[i].Account).ToArray());
            var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                existing.Add(reader.GetString(0));
            }
        }

        foreach (var i in quiet)
        {
            var account = commits[i].Account;
            results[i] = saved.Contains(account) ? CommitResult.Saved
                : existing.Contains(account) ? CommitResult.Stale
                : CommitResult.Failed(StoreErrors.UnknownAccount(account));
        }
    }

    /// <summary>Saves the other commits of a batch with the batch commit statement, or one at a time should it fail as a whole.</summary>
    private async Task CommitStatementAsync(
        NpgsqlConnection connection, IReadOnlyList<EvaluationCommit> commits, BatchArrays batch, List<int> indices, CommitResult[] results, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(BatchCommitSql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        batch.Bind(command.Parameters);
        try
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var n = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var index = indices[n++];
                var commit = commits[index];
                var saved = reader.GetBoolean(0);
                var conflict = reader.IsDBNull(1) ? null : reader.GetString(1);
                long? version = reader.IsDBNull(2) ? null : reader.GetInt64(2);
                results[index] = saved ? CommitResult.Saved
                    : version is null ? CommitResult.Failed(StoreErrors.UnknownAccount(commit.Account))
                    : version == commit.ExpectedVersion && conflict is not null ? CommitResult.Failed(ChargeConflict(commit.Account, conflict, nameof(commits)))
                    : CommitResult.Stale;
            }
        }
        catch (PostgresException)
        {
            // Nothing of the statement was saved. One commit of it is refused (a unique constraint, most likely): save them
            // one at a time, so that it fails alone.
            foreach (var index in indices)
            {
                try
                {
                    results[index] = await CommitAsync(commits[index], cancellationToken).ConfigureAwait(false) ? CommitResult.Saved : CommitResult.Stale;
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or StoreDataException)
                {
                    results[index] = CommitResult.Failed(ex);
                }
            }
        }
    }

    private static ArgumentException ChargeConflict(string account, string entry, string parameter) =>
        new($"account \"{account}\": charges: an entry with id \"{entry}\" already exists with different content; nothing was saved", parameter);

    /// <summary>The batch's columns, one array per parameter, filled commit by commit.</summary>
    private sealed class BatchArrays(int commits)
    {
        private readonly List<string> _aId = new(commits);
        private readonly List<long> _aExpected = new(commits);
        private readonly List<long?> _aDue = new(commits);
        private readonly List<long?> _aReview = new(commits);
        private readonly List<bool> _aAlarm = new(commits);
        private readonly List<long?> _aLast = new(commits);
        private readonly List<bool> _aProducts = new(commits);
        private readonly List<int> _aCount = new(commits);

        private readonly List<string> _pAccount = [];
        private readonly List<int> _pPosition = [];
        private readonly List<string?> _pProduct = [];
        private readonly List<string> _pStatus = [];
        private readonly List<int> _pEpisode = [];
        private readonly List<long?> _pSince = [];
        private readonly List<long?> _pSuspend = [];
        private readonly List<long?> _pPurge = [];

        private readonly List<string> _tAccount = [];
        private readonly List<long> _tAt = [];
        private readonly List<string> _tFrom = [];
        private readonly List<string> _tTo = [];
        private readonly List<string> _tReason = [];
        private readonly List<int> _tEpisode = [];
        private readonly List<string?> _tProduct = [];
        private readonly List<bool> _tLate = [];
        private readonly List<long> _tEvaluated = [];
        private readonly List<long?> _tDeferred = [];
        private readonly List<string?> _tHeld = [];

        private readonly List<string> _cAccount = [];
        private readonly List<string> _cId = [];
        private readonly List<string> _cKind = [];
        private readonly List<long> _cAt = [];
        private readonly List<decimal> _cAmount = [];
        private readonly List<string?> _cProduct = [];
        private readonly List<string?> _cItem = [];
        private readonly List<string?> _cRef = [];

        private readonly List<string> _mKey = [];
        private readonly List<string> _mAccount = [];
        private readonly List<string> _mKind = [];
        private readonly List<string?> _mNotification = [];
        private readonly List<string?> _mEnforcement = [];
        private readonly List<string?> _mProduct = [];
        private readonly List<int> _mEpisode = [];
        private readonly List<long> _mAt = [];
        private readonly List<decimal> _mBalance = [];
        private readonly List<string?> _mRecipient = [];
        private readonly List<string?> _mChannel = [];
        private readonly List<long?> _mDeadline = [];
        private readonly List<string> _mCurrency = [];
        private readonly List<string> _mZone = [];
        private readonly List<long> _mNext = [];
        private readonly List<string> _mCommit = [];

        /// <summary>Adds a commit's rows (after <see cref="Check"/>).</summary>
        public void Add(EvaluationCommit commit, bool writeProducts)
        {
            var account = commit.Account;
            var lifecycles = commit.State.Lifecycles;
            _aId.Add(account);
            _aExpected.Add(commit.ExpectedVersion);
            _aDue.Add(Nanoseconds.From(commit.DueAt, "dueAt"));
            _aReview.Add(Nanoseconds.From(commit.NextReviewAt, "nextReviewAt"));
            _aAlarm.Add(commit.State.AlarmArmed);
            _aLast.Add(Nanoseconds.From(commit.State.LastEvaluatedAt, "state.lastEvaluatedAt"));
            _aProducts.Add(writeProducts);
            _aCount.Add(lifecycles.Count);
            var evaluated = Nanoseconds.From(commit.EvaluatedAt, "evaluatedAt");

            if (writeProducts)
            {
                for (var i = 0; i < lifecycles.Count; i++)
                {
                    var l = lifecycles[i];
                    _pAccount.Add(account);
                    _pPosition.Add(i);
                    _pProduct.Add(l.Product);
                    _pStatus.Add(l.Status.ToString());
                    _pEpisode.Add(l.Episode);
                    _pSince.Add(Nanoseconds.From(l.OverdueSince, "state.overdueSince"));
                    _pSuspend.Add(Nanoseconds.From(l.SuspendAt, "state.suspendAt"));
                    _pPurge.Add(Nanoseconds.From(l.PurgeAt, "state.purgeAt"));
                }
            }

            foreach (var t in commit.Transitions)
            {
                _tAccount.Add(account);
                _tAt.Add(Nanoseconds.From(t.At, "transitions.at"));
                _tFrom.Add(t.From.ToString());
                _tTo.Add(t.To.ToString());
                _tReason.Add(t.Reason.ToString());
                _tEpisode.Add(t.Episode);
                _tProduct.Add(t.Product);
                _tLate.Add(t.IsLate);
                _tEvaluated.Add(Nanoseconds.From(t.EvaluatedAt, "transitions.evaluatedAt"));
                _tDeferred.Add(Nanoseconds.From(t.DeferredFrom, "transitions.deferredFrom"));
                _tHeld.Add(t.HeldBy.Count == 0 ? null : StoreCodec.JsonArray(t.HeldBy));
            }

            foreach (var c in commit.Charges)
            {
                _cAccount.Add(account);
                _cId.Add(c.Id);
                _cKind.Add(c.Kind.ToString());
                _cAt.Add(Nanoseconds.From(c.At, "charges.at"));
                _cAmount.Add(c.Amount);
                _cProduct.Add(c.Product);
                _cItem.Add(c.BillingItem);
                _cRef.Add(c.ExternalReference);
            }

            foreach (var m in commit.Outbox)
            {
                _mKey.Add(m.Key);
                _mAccount.Add(m.Account);
                _mKind.Add(m.Kind.ToString());
                _mNotification.Add(m.Kind == OutboxKind.Notification ? m.Notification.ToString() : null);
                _mEnforcement.Add(m.Kind == OutboxKind.Enforcement ? m.Enforcement.ToString() : null);
                _mProduct.Add(m.Product);
                _mEpisode.Add(m.Episode);
                _mAt.Add(Nanoseconds.From(m.At, "outbox.at"));
                _mBalance.Add(m.Balance);
                _mRecipient.Add(m.Recipient);
                _mChannel.Add(m.Channel);
                _mDeadline.Add(Nanoseconds.From(m.NextDeadline, "outbox.nextDeadline"));
                _mCurrency.Add(m.Currency);
                _mZone.Add(m.TimeZone);
                _mNext.Add(evaluated);
                _mCommit.Add(account);
            }
        }

        /// <summary>Checks that every instant of a commit fits the columns, without adding it.</summary>
        /// <exception cref="ArgumentException">An instant is out of the columns' range; the message names the field.</exception>
        public static void Check(EvaluationCommit commit)
        {
            Nanoseconds.From(commit.DueAt, "dueAt");
            Nanoseconds.From(commit.NextReviewAt, "nextReviewAt");
            Nanoseconds.From(commit.State.LastEvaluatedAt, "state.lastEvaluatedAt");
            Nanoseconds.From(commit.EvaluatedAt, "evaluatedAt");
            foreach (var l in commit.State.Lifecycles)
            {
                Nanoseconds.From(l.OverdueSince, "state.overdueSince");
                Nanoseconds.From(l.SuspendAt, "state.suspendAt");
                Nanoseconds.From(l.PurgeAt, "state.purgeAt");
            }

            foreach (var t in commit.Transitions)
            {
                Nanoseconds.From(t.At, "transitions.at");
                Nanoseconds.From(t.EvaluatedAt, "transitions.evaluatedAt");
                Nanoseconds.From(t.DeferredFrom, "transitions.deferredFrom");
            }

            foreach (var c in commit.Charges)
            {
                Nanoseconds.From(c.At, "charges.at");
            }

            foreach (var m in commit.Outbox)
            {
                Nanoseconds.From(m.At, "outbox.at");
                Nanoseconds.From(m.NextDeadline, "outbox.nextDeadline");
            }
        }

        public void Bind(NpgsqlParameterCollection p)
        {
            p.AddWithValue("a_id", _aId.ToArray());
            p.AddWithValue("a_expected", _aExpected.ToArray());
            p.AddWithValue("a_due", _aDue.ToArray());
            p.AddWithValue("a_review", _aReview.ToArray());
            p.AddWithValue("a_alarm", _aAlarm.ToArray());
            p.AddWithValue("a_last", _aLast.ToArray());
            p.AddWithValue("a_products", _aProducts.ToArray());
            p.AddWithValue("a_p_count", _aCount.ToArray());

            p.AddWithValue("p_account", _pAccount.ToArray());
            p.AddWithValue("p_position", _pPosition.ToArray());
            p.AddWithValue("p_product", _pProduct.ToArray());
            p.AddWithValue("p_status", _pStatus.ToArray());
            p.AddWithValue("p_episode", _pEpisode.ToArray());
            p.AddWithValue("p_since", _pSince.ToArray());
            p.AddWithValue("p_suspend", _pSuspend.ToArray());
            p.AddWithValue("p_purge", _pPurge.ToArray());

            p.AddWithValue("t_account", _tAccount.ToArray());
            p.AddWithValue("t_at", _tAt.ToArray());
            p.AddWithValue("t_from", _tFrom.ToArray());
            p.AddWithValue("t_to", _tTo.ToArray());
            p.AddWithValue("t_reason", _tReason.ToArray());
            p.AddWithValue("t_episode", _tEpisode.ToArray());
            p.AddWithValue("t_product", _tProduct.ToArray());
            p.AddWithValue("t_late", _tLate.ToArray());
            p.AddWithValue("t_evaluated", _tEvaluated.ToArray());
            p.AddWithValue("t_deferred", _tDeferred.ToArray());
            p.AddWithValue("t_held", _tHeld.ToArray());

            p.AddWithValue("c_account", _cAccount.ToArray());
            p.AddWithValue("c_id", _cId.ToArray());
            p.AddWithValue("c_kind", _cKind.ToArray());
            p.AddWithValue("c_at", _cAt.ToArray());
            p.AddWithValue("c_amount", _cAmount.ToArray());
            p.AddWithValue("c_product", _cProduct.ToArray());
            p.AddWithValue("c_item", _cItem.ToArray());
            p.AddWithValue("c_ref", _cRef.ToArray());

            p.AddWithValue("m_key", _mKey.ToArray());
            p.AddWithValue("m_account", _mAccount.ToArray());
            p.AddWithValue("m_kind", _mKind.ToArray());
            p.AddWithValue("m_notification", _mNotification.ToArray());
            p.AddWithValue("m_enforcement", _mEnforcement.ToArray());
            p.AddWithValue("m_product", _mProduct.ToArray());
            p.AddWithValue("m_episode", _mEpisode.ToArray());
            p.AddWithValue("m_at", _mAt.ToArray());
            p.AddWithValue("m_balance", _mBalance.ToArray());
            p.AddWithValue("m_recipient", _mRecipient.ToArray());
            p.AddWithValue("m_channel", _mChannel.ToArray());
            p.AddWithValue("m_deadline", _mDeadline.ToArray());
            p.AddWithValue("m_currency", _mCurrency.ToArray());
            p.AddWithValue("m_zone", _mZone.ToArray());
            p.AddWithValue("m_next", _mNext.ToArray());
            p.AddWithValue("m_commit", _mCommit.ToArray());
        }
    }
}
