using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// The host's entry point to the runtime: register accounts, append ledger entries and usage as they happen, grant and
/// revoke holds, evaluate every account that is due, and deliver the outbox. Every decision is saved with its effects in one unit of work, and
/// every effect leaves through the outbox with a deterministic key.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Appending entries makes the account due at once, recording usage makes it due when the usage's cycle
/// closes (plus the settlement delay), and both complete <see cref="WaitForFactsAsync"/>, so
/// a host loop (the hosted service of Arrears.Policy.Extensions) sleeps until <see cref="NextDueAsync"/> or until new facts
/// arrive: there is no polling interval.
/// </para>
/// <para>
/// Bad input is rejected with an error that names the field and the value, and nothing of the batch is applied: an unknown
/// account, an entry whose id exists with other content, usage for an item the account does not have, usage for a cycle
/// that has already been billed.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var runtime = new ArrearsRuntime(new InMemoryArrearsStore(), policies, clock, [emailNotifier], gatewaySwitch, directory);
/// await runtime.RegisterAsync(registration, cancellationToken);
/// await runtime.AppendAsync("acct-1", [new LedgerEntry("c1", LedgerEntryKind.Charge, clock.GetCurrentInstant(), 25m)], cancellationToken);
/// await runtime.RunOnceAsync(cancellationToken);   // evaluates what is due, then delivers the outbox
/// </code>
/// </example>
public sealed class ArrearsRuntime
{
    private readonly IArrearsStore _store;
    private readonly AccountPolicyRegistry _policies;
    private readonly IClock _clock;
    private readonly BulkEvaluator _evaluator;
    private readonly OutboxDispatcher _dispatcher;
    private readonly Lock _signalLock = new();
    private TaskCompletionSource _facts = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Initializes a runtime.</summary>
    /// <param name="store">The store.</param>
    /// <param name="policies">The account policies accounts may follow, by name.</param>
    /// <param name="clock">The clock: NodaTime's <see cref="IClock"/>, a <c>FakeClock</c> in tests.</param>
    /// <param name="notifiers">One notifier per channel the policies route to.</param>
    /// <param name="enforcement">The host's enforcement handler.</param>
    /// <param name="directory">Resolves recipients to addresses.</param>
    /// <param name="options">Batch sizes, parallelism, leases and retries; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid, or two notifiers deliver one channel; every problem is listed.</exception>
    public ArrearsRuntime(
        IArrearsStore store,
        AccountPolicyRegistry policies,
        IClock clock,
        IEnumerable<INotifier> notifiers,
        IEnforcementHandler enforcement,
        IRecipientDirectory directory,
        ArrearsRuntimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(notifiers);
        ArgumentNullException.ThrowIfNull(enforcement);
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new ArrearsRuntimeOptions();
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("options: " + string.Join("; ", errors), nameof(options));
        }

        _store = store;
        _policies = policies;
        _clock = clock;
        _evaluator = new BulkEvaluator(store, policies, clock, options);
        _dispatcher = new OutboxDispatcher(store, notifiers, enforcement, directory, clock, options);
    }

    /// <summary>Gets the store.</summary>
    public IArrearsStore Store => _store;

    /// <summary>Registers an account; registering the same account again is a no-op.</summary>
    /// <param name="account">The registration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when added; <see langword="false"/> when the same registration already existed.</returns>
    /// <exception cref="ArgumentException">The policy is unknown, or the account exists with a different registration.</exception>
    public async ValueTask<bool> RegisterAsync(AccountRegistration account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!_policies.TryGet(account.Policy, out _))
        {
            throw new ArgumentException($"account.policy: no account policy \"{account.Policy}\"; the registered policies are {string.Join(", ", _policies.Names.Select(n => $"\"{n}\""))}", nameof(account));
        }

        var added = await _store.AddAccountAsync(account, _clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        if (added)
        {
            Signal();
        }

        return added;
    }

    /// <summary>Appends ledger entries atomically (idempotent by id); the account is due at once.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="entries">The entries (charges, payments, credits, refunds), in any order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many entries were added and how many were identical replays.</returns>
    /// <exception cref="ArgumentException">The account is unknown, or an entry is invalid or has an existing id with other content; nothing is applied.</exception>
    public async ValueTask<AppendResult> AppendAsync(string account, IEnumerable<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var batch = entries.ToList();
        var result = await _store.AppendEntriesAsync(account, batch, _clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        if (result.Added > 0)
        {
            Signal();
        }

        return result;
    }

    /// <summary>
    /// Records usage atomically; it is rated into charges when its cycle closes (plus the item's settlement delay), each
    /// charge once, with the id <c>arrears simulate</c> gives it.
    /// </summary>
    /// <param name="account">The account id.</param>
    /// <param name="batch">
    /// The batch's id, chosen by the host (for example the id of the meter report it comes from): recording the same batch
    /// again, after a timeout or a crash, is a no-op, so usage is never counted twice (a repeat that arrives after its cycle
    /// was billed is rejected as late usage, which is just as safe).
    /// </param>
    /// <param name="usage">The usage records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when recorded; <see langword="false"/> when the same batch was recorded before.</returns>
    /// <exception cref="ArgumentException">
    /// The account is unknown, a record names an item the account does not have, a record falls in a cycle that has
    /// already been billed, or the batch id was recorded with other records; nothing is applied.
    /// </exception>
    public async ValueTask<bool> RecordUsageAsync(string account, string batch, IEnumerable<UsageRecord> usage, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(batch);
        ArgumentNullException.ThrowIfNull(usage);
        var records = usage.ToList();
        var stored = await _store.FindAccountAsync(account, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"account: no account \"{account}\"", nameof(account));
        var registration = stored.Registration;
        var now = _clock.GetCurrentInstant();
        Instant? dueAt = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"usage[{i}]: must not be null", nameof(usage));
            var item = registration.FindItem(record.Item)
                ?? throw new ArgumentException($"usage[{i}].item: account \"{account}\" has no billing item \"{record.Item}\"", nameof(usage));
            var closes = item.Cycle.CycleContaining(record.At, registration.TimeZone).End + item.SettlementDelay;
            if (closes <= now)
            {
                throw new ArgumentException(
                    $"usage[{i}].at: the cycle of \"{record.Item}\" containing {record.At} was billed at {closes}; usage for it can no longer be recorded",
                    nameof(usage));
            }

            dueAt = dueAt is { } earliest && earliest < closes ? earliest : closes;
        }

        var recorded = await _store.RecordUsageAsync(account, batch, records, dueAt ?? now, cancellationToken).ConfigureAwait(false);
        if (recorded && records.Count > 0)
        {
            Signal();
        }

        return recorded;
    }

    /// <summary>
    /// Grants a hold: a promise to pay, a dispute or an exemption that defers the account's suspension or purge for a window
    /// (specification section 9). It is recorded at the clock's current instant, idempotent by <see cref="Hold.Id"/>, and the
    /// account is due at once, so the next evaluation sees it.
    /// </summary>
    /// <param name="account">The account id.</param>
    /// <param name="hold">The hold.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when granted; <see langword="false"/> when the same hold was granted before.</returns>
    /// <exception cref="ArgumentException">
    /// The account is unknown; the hold names a product the account's policy does not have, or its window is longer than the
    /// policy's limit for its kind (<see cref="LifecyclePolicy.HoldLimits"/>; an open-ended hold exceeds any limit); or a hold
    /// with this id exists with other content. The message names the field and the value, and nothing is stored.
    /// </exception>
    /// <remarks>
    /// A hold recorded after a deadline was acted on changes nothing already decided: a suspended product stays suspended.
    /// </remarks>
    public async ValueTask<bool> GrantHoldAsync(string account, Hold hold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var stored = await _store.FindAccountAsync(account, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"account: no account \"{account}\"", nameof(account));
        var policy = _policies[stored.Registration.Policy];
        if (policy.ValidateHolds(new HoldSet([hold])) is [var problem, ..])
        {
            // The policy reports "holds[0].until: ..."; the caller passed one hold.
            var field = problem.Path.StartsWith("holds[0]", StringComparison.Ordinal) ? "hold" + problem.Path["holds[0]".Length..] : problem.Path;
            throw new ArgumentException($"{field}: {problem.Message} (account \"{account}\", policy \"{stored.Registration.Policy}\")", nameof(hold));
        }

        var result = await _store.AddHoldFactsAsync(account, [hold], [], _clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        if (result.Holds > 0)
        {
            Signal();
        }

        return result.Holds > 0;
    }

    /// <summary>
    /// Revokes a hold: it ends at <see cref="HoldRevocation.At"/> (if that is before its own end), and a deadline it deferred
    /// takes effect then, or at the next evaluation when that instant has passed. Recorded at the clock's current instant,
    /// idempotent by <see cref="HoldRevocation.Id"/>; the account is due at once.
    /// </summary>
    /// <param name="account">The account id.</param>
    /// <param name="revocation">The revocation.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when recorded; <see langword="false"/> when the same revocation was recorded before.</returns>
    /// <exception cref="ArgumentException">
    /// The account is unknown, it has no hold with the id the revocation names, or a revocation with this id exists with
    /// other content; the message names the id, and nothing is stored.
    /// </exception>
    public async ValueTask<bool> RevokeHoldAsync(string account, HoldRevocation revocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        var result = await _store.AddHoldFactsAsync(account, [], [revocation], _clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        if (result.Revocations > 0)
        {
            Signal();
        }

        return result.Revocations > 0;
    }

    /// <summary>Lists an account's holds granted and revocations, with when each was recorded, in the order recorded: the audit trail of its holds.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records; empty when the account has no holds.</returns>
    /// <exception cref="ArgumentException">The account is unknown.</exception>
    public ValueTask<IReadOnlyList<HoldRecord>> ListHoldsAsync(string account, CancellationToken cancellationToken) => _store.HoldsAsync(account, cancellationToken);

    /// <summary>Evaluates every account that is due now, batch by batch, and saves each decision with its effects.</summary>
    /// <param name="cancellationToken">Cancels the pass between accounts.</param>
    /// <returns>What the pass did.</returns>
    public Task<EvaluationSummary> EvaluateDueAsync(CancellationToken cancellationToken) => _evaluator.RunAsync(cancellationToken);

    /// <summary>Delivers every outbox message whose attempt is due.</summary>
    /// <param name="cancellationToken">Cancels the pass between messages.</param>
    /// <returns>What the pass did.</returns>
    public Task<DispatchSummary> DispatchAsync(CancellationToken cancellationToken) => _dispatcher.RunAsync(cancellationToken);

    /// <summary>Evaluates what is due, then delivers the outbox.</summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What both passes did.</returns>
    public async Task<(EvaluationSummary Evaluation, DispatchSummary Dispatch)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var evaluation = await EvaluateDueAsync(cancellationToken).ConfigureAwait(false);
        var dispatch = await DispatchAsync(cancellationToken).ConfigureAwait(false);
        return (evaluation, dispatch);
    }

    /// <summary>Returns when the runtime has work next: the earliest due account or outbox attempt.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instant, or <see langword="null"/> when nothing will be due without new facts.</returns>
    public ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken) => _store.NextDueAsync(cancellationToken);

    /// <summary>Returns a task that completes when new facts (an account, entries, usage, a hold or a revocation) arrive after this call.</summary>
    /// <returns>The task.</returns>
    public Task WaitForFactsAsync()
    {
        lock (_signalLock)
        {
            return _facts.Task;
        }
    }

    private void Signal()
    {
        TaskCompletionSource completed;
        lock (_signalLock)
        {
            completed = _facts;
            _facts = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        completed.TrySetResult();
    }
}
