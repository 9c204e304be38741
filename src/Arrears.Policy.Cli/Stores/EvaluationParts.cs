using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.Cli.Stores;

/// <summary>The clock of one <c>evaluate</c>: the instant it evaluates at, read once (from <c>--as-of</c> or the system clock).</summary>
internal sealed class FixedClock(Instant now) : IClock
{
    public Instant GetCurrentInstant() => now;
}

/// <summary>
/// The enforcement handler of the tool's runtime, which never dispatches: <c>evaluate</c> writes the outbox and a host's
/// dispatcher delivers it (decision 0010).
/// </summary>
internal sealed class NoDispatch : IEnforcementHandler
{
    public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("arrears evaluate writes the outbox and never delivers it");
}

/// <summary>
/// Passes every call to a store and counts what the saved evaluations decided: accounts, transitions by reason and
/// notifications (the runtime's summary counts transitions by the state reached, which cannot tell Paid from Resumed).
/// </summary>
internal sealed class CountingStore(IArrearsStore inner, Action<EvaluationCommit>? committed = null) : IArrearsStore
{
    /// <summary>
    /// The crash tests' fault point: with <c>ARREARS_TEST_PAUSE</c> set to <c>after-claim</c> or <c>after-commit</c>, the
    /// process says so on standard error and stops there, holding what it claimed, until the test kills it (SIGKILL).
    /// </summary>
    private static readonly string? Pause = Environment.GetEnvironmentVariable("ARREARS_TEST_PAUSE");

    private readonly Lock _lock = new();
    private readonly int[] _reasons = new int[Enum.GetValues<TransitionReason>().Max(r => (int)r) + 1];
    private int _accounts;
    private int _notifications;

    public int Accounts => Volatile.Read(ref _accounts);

    public int Notifications => Volatile.Read(ref _notifications);

    /// <summary>Gets the store every call goes to.</summary>
    public IArrearsStore Inner => inner;

    public IReadOnlyDictionary<TransitionReason, int> Transitions
    {
        get
        {
            lock (_lock)
            {
                return Enum.GetValues<TransitionReason>().ToDictionary(r => r, r => _reasons[(int)r]);
            }
        }
    }

    public async ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (!await inner.CommitAsync(commit, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        lock (_lock)
        {
            _accounts++;
            _notifications += commit.Outbox.Count(m => m.Kind == OutboxKind.Notification);
            foreach (var transition in commit.Transitions)
            {
                _reasons[(int)transition.Reason]++;
            }
        }

        committed?.Invoke(commit);
        PauseIf("after-commit");
        return true;
    }

    public async ValueTask<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<EvaluationCommit> commits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commits);
        var results = await inner.CommitAsync(commits, cancellationToken).ConfigureAwait(false);
        var saved = 0;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Outcome != CommitOutcome.Saved)
            {
                continue;
            }

            var commit = commits[i];
            saved++;
            lock (_lock)
            {
                _accounts++;
                _notifications += commit.Outbox.Count(m => m.Kind == OutboxKind.Notification);
                foreach (var transition in commit.Transitions)
                {
                    _reasons[(int)transition.Reason]++;
                }
            }

            committed?.Invoke(commit);
        }

        if (saved > 0)
        {
            PauseIf("after-commit");
        }

        return results;
    }

    private static void PauseIf(string point)
    {
        if (string.Equals(Pause, point, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"arrears: paused {point} (ARREARS_TEST_PAUSE)");
            Console.Error.Flush();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    public ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken) => inner.AddAccountAsync(account, now, cancellationToken);

    public ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken) => inner.FindAccountAsync(account, cancellationToken);

    public ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken) =>
        inner.AppendEntriesAsync(account, entries, recordedAt, cancellationToken);

    public ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken) =>
        inner.RecordUsageAsync(account, batch, usage, dueAt, cancellationToken);

    public ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, Instant recordedAt, CancellationToken cancellationToken) =>
        inner.AddHoldFactsAsync(account, holds, revocations, recordedAt, cancellationToken);

    public ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken) => inner.HoldsAsync(account, cancellationToken);

    public async ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        var claimed = await inner.ClaimDueAsync(now, max, lease, cancellationToken).ConfigureAwait(false);
        if (claimed.Count > 0)
        {
            PauseIf("after-claim");
        }

        return claimed;
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken) =>
        inner.ClaimOutboxAsync(now, max, lease, cancellationToken);

    public ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken) =>
        inner.CompleteOutboxAsync(key, status, attempts, nextAttemptAt, lastError, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken) => inner.QueryOutboxAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken) => inner.HistoryAsync(account, cancellationToken);

    public ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken) => inner.ImportAsync(accounts, cancellationToken);

    public ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken) => inner.NextDueAsync(cancellationToken);
}
