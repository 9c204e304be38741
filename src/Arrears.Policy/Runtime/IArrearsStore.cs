using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// Where the runtime keeps accounts, their ledgers and usage, their states, the audit trail and the outbox: the port the
/// in-memory store implements today and the SQLite and PostgreSQL stores will, held to one contract test suite.
/// </summary>
/// <remarks>
/// <para>
/// Every method is atomic: a batch of entries or usage is applied whole or not at all, and
/// <see cref="CommitAsync(EvaluationCommit, CancellationToken)"/> saves the new state, the transitions, the rated charges
/// and the outbox messages in one unit of work that fails, saving nothing, when the account changed since it was claimed
/// (its <see cref="StoredAccount.Version"/>). <see cref="CommitAsync(IReadOnlyList{EvaluationCommit}, CancellationToken)"/>
/// saves a batch of such commits at once, each still its own unit of work.
/// </para>
/// <para>
/// Due means due: an account is due at its next review instant, the instant of its next recorded future entry, the close
/// of a usage cycle plus its settlement delay, and at once when a new entry or usage record arrives. There is no polling
/// interval: <see cref="NextDueAsync"/> tells the runtime when to wake.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// IArrearsStore store = new InMemoryArrearsStore();
/// await store.AddAccountAsync(registration, clock.GetCurrentInstant(), cancellationToken);
/// var due = await store.ClaimDueAsync(clock.GetCurrentInstant(), 500, Duration.FromMinutes(5), cancellationToken);
/// </code>
/// </example>
public interface IArrearsStore
{
    /// <summary>Adds an account, due at once.</summary>
    /// <param name="account">The registration.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when added; <see langword="false"/> when the same registration already exists.</returns>
    /// <exception cref="ArgumentException">An account with this id exists with a different registration.</exception>
    ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken);

    /// <summary>Reads an account.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account, or <see langword="null"/> when there is none with this id.</returns>
    ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken);

    /// <summary>Appends ledger entries atomically (idempotent by entry id) and makes the account due at <paramref name="recordedAt"/>.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="entries">The entries.</param>
    /// <param name="recordedAt">When the entries became known.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many entries were added and how many were identical replays.</returns>
    /// <exception cref="ArgumentException">The account is unknown, or an entry id exists with different content; nothing is applied.</exception>
    ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Records holds granted and revocations atomically, idempotent by id, each with <paramref name="recordedAt"/>, and makes
    /// the account due at <paramref name="recordedAt"/> when anything is new.
    /// </summary>
    /// <param name="account">The account id.</param>
    /// <param name="holds">The holds granted; none when empty. A hold whose id is stored with the same content is a replay.</param>
    /// <param name="revocations">The revocations; none when empty. Each names a hold of the account or of <paramref name="holds"/>.</param>
    /// <param name="recordedAt">When the facts became known; an evaluation at an earlier instant does not see them.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many holds and revocations were new.</returns>
    /// <exception cref="ArgumentException">
    /// The account is unknown, an id exists with different content, or a revocation names a hold the account does not
    /// have; the message names the id, and nothing is applied.
    /// </exception>
    ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, Instant recordedAt, CancellationToken cancellationToken);

    /// <summary>Reads an account's hold facts: every hold granted and every revocation, with when each was recorded, in the order recorded.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records; empty when the account has no holds.</returns>
    /// <exception cref="ArgumentException">The account is unknown.</exception>
    ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken);

    /// <summary>
    /// Records a batch of usage atomically, idempotent by <paramref name="batch"/>, and makes the account due no later than
    /// <paramref name="dueAt"/> (the earliest cycle close it waits for).
    /// </summary>
    /// <param name="account">The account id.</param>
    /// <param name="batch">The batch's id: recording a batch again with the same id and records is a no-op.</param>
    /// <param name="usage">The usage records, already checked against the account's items by the runtime.</param>
    /// <param name="dueAt">When the earliest cycle the records fall in closes (plus its settlement delay).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">The account is unknown, or the batch id was recorded with other records; nothing is applied.</exception>
    /// <returns><see langword="true"/> when recorded; <see langword="false"/> when the same batch was recorded before.</returns>
    ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> accounts due at or before <paramref name="now"/>, earliest first, that no one else
    /// holds and that were not evaluated after <paramref name="now"/>: each is held until it is committed or until
    /// <paramref name="lease"/> has passed (a crashed evaluator's claims expire), so no two evaluators evaluate one account at once.
    /// </summary>
    /// <param name="now">The current instant.</param>
    /// <param name="max">The most accounts to claim.</param>
    /// <param name="lease">How long a claim holds.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claimed accounts, each a snapshot with its own ledger copy.</returns>
    ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken);

    /// <summary>Saves an evaluation in one unit of work and releases the claim.</summary>
    /// <param name="commit">The new state, transitions, charges, outbox messages and due instant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when saved; <see langword="false"/> (nothing saved) when the account changed since it was claimed.</returns>
    ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken);

    /// <summary>
    /// Saves several evaluations at once (the runtime's evaluator commits each claimed batch this way), each as
    /// <see cref="CommitAsync(EvaluationCommit, CancellationToken)"/> would: version-checked on its own and saved whole or
    /// not at all, so a stale or failed commit saves nothing of itself and the others of the batch are saved. Outbox keys
    /// stay unique across the batch: a message whose key exists, or came earlier in the batch, is skipped.
    /// </summary>
    /// <remarks>
    /// Durable stores save a batch in one transaction (one round trip, one write of the log), which is what makes a bulk
    /// pass fast. The default implementation commits one at a time, for stores that have nothing better.
    /// </remarks>
    /// <param name="commits">The commits, at most one per account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per commit, in the order given.</returns>
    /// <exception cref="ArgumentException">An account appears twice in <paramref name="commits"/>, or the list holds <see langword="null"/>.</exception>
    async ValueTask<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<EvaluationCommit> commits, CancellationToken cancellationToken)
    {
        StoreBatches.Check(commits);
        var results = new CommitResult[commits.Count];
        for (var i = 0; i < results.Length; i++)
        {
            try
            {
                results[i] = await CommitAsync(commits[i], cancellationToken).ConfigureAwait(false) ? CommitResult.Saved : CommitResult.Stale;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                results[i] = CommitResult.Failed(ex);
            }
        }

        return results;
    }

    /// <summary>Claims up to <paramref name="max"/> pending outbox messages whose next attempt is due, in each account's order.</summary>
    /// <param name="now">The current instant.</param>
    /// <param name="max">The most messages to claim.</param>
    /// <param name="lease">How long a claim holds (a crashed dispatcher's claims expire).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages, ordered by account and then <see cref="OutboxMessage.Sequence"/>.</returns>
    ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken);

    /// <summary>Records the outcome of a delivery attempt and releases the claim.</summary>
    /// <param name="key">The message key.</param>
    /// <param name="status">The new status.</param>
    /// <param name="attempts">The number of attempts so far.</param>
    /// <param name="nextAttemptAt">When to try again, for a message still pending.</param>
    /// <param name="lastError">Why the attempt failed, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the outcome is saved.</returns>
    ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken);

    /// <summary>Lists outbox messages in the order they were written (by <see cref="OutboxMessage.Sequence"/>), one page at a time.</summary>
    /// <param name="query">Which messages: a status, an account, the position to start after and the page size.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages, at most <see cref="OutboxQuery.Max"/>.</returns>
    ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken);

    /// <summary>Reads an account's audit trail: every transition saved for it, in the order decided.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The transitions.</returns>
    /// <exception cref="ArgumentException">The account is unknown.</exception>
    ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken);

    /// <summary>
    /// Applies an import whole or not at all: creates each new account, replaces each existing account's registration, adds
    /// entries (idempotent by id), usage (idempotent by batch id) and hold facts (idempotent by id, each with its own
    /// <see cref="HoldRecord.RecordedAt"/>), saves contacts, and makes every changed account due no later than its
    /// <see cref="AccountImport.DueAt"/>.
    /// </summary>
    /// <param name="accounts">The accounts, each at most once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What changed.</returns>
    /// <exception cref="ArgumentException">
    /// An account appears twice, an entry, hold or revocation id exists with other content, a revocation names a hold the
    /// account does not have, or a usage batch id was recorded with other records; the message names the account and the
    /// id, and nothing is applied.
    /// </exception>
    ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken);

    /// <summary>Returns the earliest instant at which an account is due or a pending outbox message may be attempted.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instant, or <see langword="null"/> when nothing will be due without new facts.</returns>
    ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken);
}

/// <summary>An account as a store holds it: its registration, state, version, due instant, ledger, usage and holds.</summary>
/// <example>
/// <code>
/// var stored = await store.FindAccountAsync("acct-1", cancellationToken);
/// Console.WriteLine($"{stored!.Registration.Id}: {stored.State}, due {stored.DueAt}, balance {stored.Ledger.BalanceAt(now)}");
/// </code>
/// </example>
public sealed class StoredAccount
{
    private readonly CompactLedger? _snapshot;
    private readonly Instant? _lastHoldRecordedAt;
    private Ledger? _ledger;

    /// <summary>Initializes a stored account.</summary>
    /// <param name="registration">The registration.</param>
    /// <param name="state">The state saved by the last evaluation.</param>
    /// <param name="version">The version: it changes whenever anything of the account changes.</param>
    /// <param name="dueAt">When the account is due next, or <see langword="null"/>.</param>
    /// <param name="ledger">The account's ledger; the caller's own copy.</param>
    /// <param name="usage">The usage recorded for it.</param>
    /// <param name="nextReviewAt">The next review instant the last evaluation returned, or <see langword="null"/>.</param>
    /// <param name="holds">The account's hold facts in the order recorded (<see cref="IArrearsStore.HoldsAsync"/>); none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The hold facts do not make a <see cref="HoldSet"/> (an id repeated with other content, a revocation of an unknown hold).</exception>
    public StoredAccount(
        AccountRegistration registration, AccountState state, long version, Instant? dueAt, Ledger ledger, IReadOnlyList<UsageRecord> usage, Instant? nextReviewAt = null,
        IReadOnlyList<HoldRecord>? holds = null)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(usage);
        Registration = registration;
        State = state;
        Version = version;
        DueAt = dueAt;
        Usage = usage;
        NextReviewAt = nextReviewAt;
        _ledger = ledger;
        if (holds is { Count: > 0 })
        {
            HoldRecords = [.. holds];
            Holds = HoldRecord.ToSet(HoldRecords);
            _lastHoldRecordedAt = HoldRecords.Max(record => record.RecordedAt);
        }
        else
        {
            HoldRecords = [];
            Holds = HoldSet.Empty;
        }
    }

    /// <summary>
    /// Initializes a stored account over a compact ledger snapshot (the in-memory store's): the engine reads the snapshot
    /// itself, and <see cref="Ledger"/> is materialised only when someone asks for it.
    /// </summary>
    internal StoredAccount(
        AccountRegistration registration, AccountState state, long version, Instant? dueAt, CompactLedger snapshot, IReadOnlyList<UsageRecord> usage, Instant? nextReviewAt, Instant? ratedThrough,
        HoldSet holds, IReadOnlyList<HoldRecord> holdRecords, Instant? lastHoldRecordedAt)
    {
        Holds = holds;
        HoldRecords = holdRecords;
        _lastHoldRecordedAt = lastHoldRecordedAt;
        Registration = registration;
        State = state;
        Version = version;
        DueAt = dueAt;
        _snapshot = snapshot;
        Usage = usage;
        NextReviewAt = nextReviewAt;
        RatedThrough = ratedThrough;
    }

    /// <summary>Gets the registration.</summary>
    public AccountRegistration Registration { get; }

    /// <summary>
    /// Creates a stored account over a compact ledger snapshot that a durable store keeps between claims (decision 0015):
    /// as <see cref="StoredAccount(AccountRegistration, AccountState, long, Instant?, Ledger, IReadOnlyList{UsageRecord}, Instant?, IReadOnlyList{HoldRecord}?)"/>
    /// but without a ledger of its own, which is materialised only when asked for.
    /// </summary>
    /// <exception cref="ArgumentException">The hold facts do not make a <see cref="HoldSet"/>.</exception>
    internal static StoredAccount OverSnapshot(
        AccountRegistration registration, AccountState state, long version, Instant? dueAt, CompactLedger snapshot, IReadOnlyList<UsageRecord> usage, Instant? nextReviewAt,
        IReadOnlyList<HoldRecord>? holds)
    {
        if (holds is not { Count: > 0 })
        {
            return new StoredAccount(registration, state, version, dueAt, snapshot, usage, nextReviewAt, null, HoldSet.Empty, [], null);
        }

        HoldRecord[] records = [.. holds];
        return new StoredAccount(registration, state, version, dueAt, snapshot, usage, nextReviewAt, null, HoldRecord.ToSet(records), records, records.Max(record => record.RecordedAt));
    }

    /// <summary>Gets the compact ledger snapshot this account is over, or <see langword="null"/> when it has a <see cref="Ledger"/> of its own.</summary>
    internal CompactLedger? Snapshot => _snapshot;

    /// <summary>Returns a new claim's own copy of this account over the same snapshot, due at <paramref name="dueAt"/>.</summary>
    internal StoredAccount Reclaimed(Instant? dueAt) =>
        new(Registration, State, Version, dueAt, _snapshot!, Usage, NextReviewAt, RatedThrough, Holds, HoldRecords, _lastHoldRecordedAt);

    /// <summary>
    /// Returns this account as a saved commit of it left it (the commit's state, due instant and next review, its charges
    /// appended, the next version), or <see langword="null"/> when the charges do not fit the compact layout (or, which a
    /// saved commit rules out, contradict it: the caller then forgets the account rather than fail a commit that is saved).
    /// </summary>
    internal StoredAccount? AfterCommit(EvaluationCommit commit)
    {
        CompactLedger? snapshot;
        try
        {
            snapshot = commit.Charges.Count == 0 ? _snapshot : _snapshot?.Append(commit.Charges, out _);
        }
        catch (ArgumentException)
        {
            snapshot = null;
        }

        return snapshot is null
            ? null
            : new StoredAccount(Registration, commit.State, commit.ExpectedVersion + 1, commit.DueAt, snapshot, Usage, commit.NextReviewAt, RatedThrough, Holds, HoldRecords, _lastHoldRecordedAt);
    }

    /// <summary>Gets the state saved by the last evaluation.</summary>
    public AccountState State { get; }

    /// <summary>Gets the version.</summary>
    public long Version { get; }

    /// <summary>Gets when the account is due next, or <see langword="null"/>.</summary>
    public Instant? DueAt { get; }

    /// <summary>Gets the account's ledger: the caller's own copy.</summary>
    public Ledger Ledger
    {
        get
        {
            if (_ledger is null)
            {
                Interlocked.CompareExchange(ref _ledger, _snapshot!.ToLedger(), null);
            }

            return _ledger;
        }
    }

    /// <summary>Gets what the engine reads: the store's immutable snapshot when there is one, or <see cref="Ledger"/>.</summary>
    internal IBalanceHistory Balances => (IBalanceHistory?)_snapshot ?? Ledger;

    /// <summary>
    /// Gets the instant through which the charges of every closed usage cycle are already in the ledger (the evaluation
    /// instant of the last commit by the runtime, when no usage for an earlier cycle arrived since), or <see langword="null"/>
    /// when unknown (then all usage is rated).
    /// </summary>
    internal Instant? RatedThrough { get; }

    /// <summary>Returns whether the ledger holds an entry with this id, without materialising it.</summary>
    internal bool HasEntry(string id) => _snapshot is { } snapshot && _ledger is null ? snapshot.Contains(id) : Ledger.TryGetEntry(id, out _);

    /// <summary>Returns a ledger the caller may change: <see cref="Ledger"/> itself for a store's own copy, a new one over a snapshot.</summary>
    internal Ledger MutableLedger() => _snapshot is { } snapshot ? snapshot.ToLedger() : Ledger;

    /// <summary>Gets the usage recorded for the account.</summary>
    public IReadOnlyList<UsageRecord> Usage { get; }

    /// <summary>
    /// Gets the next review instant the last evaluation returned (<see cref="Evaluation.NextReviewAt"/>): unlike
    /// <see cref="DueAt"/>, it leaves out future entries and usage cycles.
    /// </summary>
    public Instant? NextReviewAt { get; }

    /// <summary>Gets the account's holds and revocations, every one recorded (<see cref="HoldSet.Empty"/> when it has none).</summary>
    public HoldSet Holds { get; }

    /// <summary>Gets the account's hold facts with when each was recorded, in the order recorded (empty when it has none).</summary>
    public IReadOnlyList<HoldRecord> HoldRecords { get; }

    /// <summary>
    /// Returns the holds an evaluation at <paramref name="now"/> sees: those recorded by then (a fact recorded later must not
    /// change what was decided before it). <see cref="Holds"/> itself, without allocating, when every fact was recorded by then.
    /// </summary>
    internal HoldSet HoldsKnownAt(Instant now) =>
        _lastHoldRecordedAt is not { } last || last <= now ? Holds : HoldRecord.KnownAt(HoldRecords, now);

    /// <summary>Returns the earliest instant after <paramref name="now"/> at which a hold fact was recorded, or <see langword="null"/> (without allocating) when none was.</summary>
    internal Instant? NextHoldRecordedAfter(Instant now)
    {
        if (_lastHoldRecordedAt is not { } last || last <= now)
        {
            return null;
        }

        Instant? next = null;
        foreach (var record in HoldRecords)
        {
            if (record.RecordedAt > now && (next is null || record.RecordedAt < next))
            {
                next = record.RecordedAt;
            }
        }

        return next;
    }
}

/// <summary>What one evaluation saves, in one unit of work.</summary>
/// <example>
/// <code>
/// var saved = await store.CommitAsync(new EvaluationCommit(account.Registration.Id, account.Version, evaluation.State, now,
///     evaluation.Transitions, charges, outbox, dueAt), cancellationToken);
/// </code>
/// </example>
public sealed class EvaluationCommit
{
    /// <summary>Initializes a commit.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="expectedVersion">The version the account had when claimed; the commit fails if it changed.</param>
    /// <param name="state">The new state.</param>
    /// <param name="evaluatedAt">The evaluation instant.</param>
    /// <param name="transitions">The transitions, appended to the audit trail.</param>
    /// <param name="charges">Charges rated from usage whose cycles closed, appended to the ledger (idempotent by id).</param>
    /// <param name="outbox">The outbox messages (a message whose key exists is skipped).</param>
    /// <param name="dueAt">When the account is due next, or <see langword="null"/>.</param>
    /// <param name="nextReviewAt">The evaluation's <see cref="Evaluation.NextReviewAt"/>.</param>
    public EvaluationCommit(string account, long expectedVersion, AccountState state, Instant evaluatedAt, IReadOnlyList<TransitionRecord> transitions, IReadOnlyList<LedgerEntry> charges, IReadOnlyList<OutboxMessage> outbox, Instant? dueAt, Instant? nextReviewAt = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(outbox);
        Account = account;
        ExpectedVersion = expectedVersion;
        State = state;
        EvaluatedAt = evaluatedAt;
        Transitions = transitions;
        Charges = charges;
        Outbox = outbox;
        DueAt = dueAt;
        NextReviewAt = nextReviewAt;
    }

    /// <summary>Gets the account id.</summary>
    public string Account { get; }

    /// <summary>Gets the version the account had when claimed.</summary>
    public long ExpectedVersion { get; }

    /// <summary>Gets the new state.</summary>
    public AccountState State { get; }

    /// <summary>Gets the evaluation instant.</summary>
    public Instant EvaluatedAt { get; }

    /// <summary>Gets the transitions.</summary>
    public IReadOnlyList<TransitionRecord> Transitions { get; }

    /// <summary>Gets the charges rated from usage.</summary>
    public IReadOnlyList<LedgerEntry> Charges { get; }

    /// <summary>Gets the outbox messages.</summary>
    public IReadOnlyList<OutboxMessage> Outbox { get; }

    /// <summary>Gets when the account is due next.</summary>
    public Instant? DueAt { get; }

    /// <summary>Gets the evaluation's next review instant.</summary>
    public Instant? NextReviewAt { get; }

    /// <summary>
    /// Gets the instant through which the charges of every closed usage cycle are in the ledger once this commit is saved
    /// (the runtime's evaluator sets it to the evaluation instant), or <see langword="null"/> when the commit does not say.
    /// </summary>
    internal Instant? RatedThrough { get; init; }
}
