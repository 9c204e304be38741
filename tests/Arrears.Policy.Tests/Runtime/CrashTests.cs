using Arrears.Policy.Runtime;
using NodaTime;
using static Arrears.Policy.Tests.Runtime.RuntimeHarness;

namespace Arrears.Policy.Tests.Runtime;

/// <summary>
/// A process that dies at any step (claiming, evaluating, saving, dispatching, marking delivered, enforcing) loses nothing: after a restart over
/// the same store every transition, notification and enforcement action happens, at least once, and a repeat carries the
/// same key as the first attempt. A store failure while saving one account's evaluation is caught by the evaluator (the
/// account stays claimed until its lease expires, then it is evaluated again); a failure elsewhere reaches the host,
/// which here restarts.
/// </summary>
public sealed class CrashTests
{
    private static readonly Duration Grace = Duration.FromHours(24);

    public static TheoryData<string, int> Steps()
    {
        var data = new TheoryData<string, int>();
        foreach (var step in Enum.GetNames<CrashStep>())
        {
            // The scenario calls the enforcement handler twice (Suspend, Resume); every other step happens at least three times.
            foreach (var occurrence in step == nameof(CrashStep.Enforcement) ? new[] { 1, 2 } : [1, 2, 3])
            {
                data.Add(step, occurrence);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Restart_AfterACrashAtAnyStep_DeliversEverythingWithTheSameKeys(string step, int occurrence)
    {
        var expected = await RunAsync(crash: null);

        var crashed = await RunAsync(new FaultyStore(new InMemoryArrearsStore(), Enum.Parse<CrashStep>(step), occurrence));

        Assert.True(crashed.Crashed, $"the crash at {step} #{occurrence} was not injected");
        Assert.Equal(expected.Transitions, crashed.Transitions);
        Assert.Equal(expected.Keys, crashed.Keys);
        Assert.Equal(expected.Actions, crashed.Actions);
        Assert.Empty(crashed.Pending);
    }

    private static async Task<Outcome> RunAsync(FaultyStore? crash)
    {
        var h = new RuntimeHarness(store: crash ?? (IArrearsStore)new InMemoryArrearsStore());
        if (crash is { Step: CrashStep.Enforcement })
        {
            h.Enforcement.Fail = _ => crash.Crash(CrashStep.Enforcement) ? throw new InvalidOperationException("the gateway's admin API crashed") : null;
        }

        async Task Step(Func<Task> action)
        {
            while (true)
            {
                try
                {
                    await action();
                    return;
                }
                catch (InjectedCrashException)
                {
                    // The process died: a new one starts over the same store once the dead one's claims have expired.
                    h.Clock.Advance(h.Options.ClaimLease + Duration.FromSeconds(1));
                    h.Build();
                }
            }
        }

        await Step(async () => await h.Runtime.RegisterAsync(Account(), default));
        h.Clock.Reset(T0);
        await Step(async () => await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default));
        await Step(() => h.RunUntilAsync(T0 + Grace + Duration.FromHours(2)));
        var paidAt = h.Clock.GetCurrentInstant();
        await Step(async () => await h.Runtime.AppendAsync("acct", [Payment("p1", paidAt, 25m)], default));
        await Step(() => h.RunUntilAsync(paidAt + Duration.FromHours(2)));

        var inner = crash?.Inner ?? h.Store;
        var deliveries = h.Email.Deliveries.Concat(h.Sms.Deliveries).ToList();

        // Every repeat of a notification is the same notification: same key, same content.
        foreach (var repeats in deliveries.GroupBy(d => d.Key))
        {
            Assert.Single(repeats.Select(d => (d.Kind, d.At, d.Recipient, d.Channel, d.Address, d.Balance)).Distinct());
        }

        return new Outcome(
            crash?.Crashed ?? false,
            // When a transition was decided may move with the crash; what was decided may not.
            [.. (await inner.HistoryAsync("acct", default)).Select(t => $"{t.At} {t.From} -> {t.To} ({t.Reason}, {t.Episode}, late: {t.IsLate})")],
            [.. deliveries.Select(d => d.Key).Distinct().Order(StringComparer.Ordinal)],
            [.. h.Enforcement.Actions.Select(a => a.ToString()).Distinct()],
            await inner.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Pending, max: 100), default));
    }

    private sealed record Outcome(bool Crashed, string[] Transitions, string[] Keys, string[] Actions, IReadOnlyList<OutboxMessage> Pending);
}

/// <summary>Where a process can die.</summary>
internal enum CrashStep
{
    /// <summary>While claiming due accounts.</summary>
    Claim,

    /// <summary>While evaluating a claimed account (here: its policy cannot be found).</summary>
    Evaluate,

    /// <summary>After claiming and evaluating, before saving.</summary>
    BeforeSave,

    /// <summary>After saving, before anything is dispatched.</summary>
    AfterSave,

    /// <summary>While claiming outbox messages.</summary>
    ClaimOutbox,

    /// <summary>After delivering, before the delivery is recorded (the message is delivered again, with its key).</summary>
    BeforeMarkDelivered,

    /// <summary>After the delivery is recorded.</summary>
    AfterMarkDelivered,

    /// <summary>Inside the host's enforcement handler, which throws (the action is retried with the same key).</summary>
    Enforcement,
}

internal sealed class InjectedCrashException(string message) : Exception(message);

/// <summary>A store that dies once, at the <paramref name="occurrence"/>th call of one step.</summary>
internal sealed class FaultyStore(InMemoryArrearsStore inner, CrashStep step, int occurrence) : IArrearsStore
{
    public CrashStep Step { get; } = step;

    private int _calls;
    private bool _crashed;

    public InMemoryArrearsStore Inner { get; } = inner;

    /// <summary>Gets whether the crash happened (a crash inside an evaluation is caught by the evaluator, one elsewhere reaches the host).</summary>
    public bool Crashed => _crashed;

    public ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken) => Inner.AddAccountAsync(account, now, cancellationToken);

    public ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken) => Inner.FindAccountAsync(account, cancellationToken);

    public ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken) =>
        Inner.AppendEntriesAsync(account, entries, recordedAt, cancellationToken);

    public ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken) =>
        Inner.RecordUsageAsync(account, batch, usage, dueAt, cancellationToken);

    public ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, Instant recordedAt, CancellationToken cancellationToken) =>
        Inner.AddHoldFactsAsync(account, holds, revocations, recordedAt, cancellationToken);

    public ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken) => Inner.HoldsAsync(account, cancellationToken);

    public async ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        var claimed = await Inner.ClaimDueAsync(now, max, lease, cancellationToken);
        Maybe(CrashStep.Claim, claimed.Count > 0);
        if (claimed.Count > 0 && Crash(CrashStep.Evaluate))
        {
            // The first account's evaluation fails: it names a policy the runtime does not have.
            var first = claimed[0];
            var broken = new AccountRegistration(first.Registration.Profile, "crash", first.Registration.Currency, first.Registration.TimeZone, first.Registration.OpeningBalance, first.Registration.Items);
            return [new StoredAccount(broken, first.State, first.Version, first.DueAt, first.Ledger, first.Usage), .. claimed.Skip(1)];
        }

        return claimed;
    }

    public async ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken)
    {
        Maybe(CrashStep.BeforeSave, true);
        var saved = await Inner.CommitAsync(commit, cancellationToken);
        Maybe(CrashStep.AfterSave, saved);
        return saved;
    }

    public async ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        var claimed = await Inner.ClaimOutboxAsync(now, max, lease, cancellationToken);
        Maybe(CrashStep.ClaimOutbox, claimed.Count > 0);
        return claimed;
    }

    public async ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken)
    {
        Maybe(CrashStep.BeforeMarkDelivered, status == OutboxStatus.Delivered);
        await Inner.CompleteOutboxAsync(key, status, attempts, nextAttemptAt, lastError, cancellationToken);
        Maybe(CrashStep.AfterMarkDelivered, status == OutboxStatus.Delivered);
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken) => Inner.QueryOutboxAsync(query, cancellationToken);

    public ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken) => Inner.ImportAsync(accounts, cancellationToken);

    public ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken) => Inner.HistoryAsync(account, cancellationToken);

    public ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken) => Inner.NextDueAsync(cancellationToken);

    /// <summary>Returns whether this call of <paramref name="at"/> is the one that fails (once).</summary>
    public bool Crash(CrashStep at)
    {
        if (at != Step || _crashed || Interlocked.Increment(ref _calls) != occurrence)
        {
            return false;
        }

        _crashed = true;
        return true;
    }

    private void Maybe(CrashStep at, bool counts)
    {
        if (counts && Crash(at))
        {
            throw new InjectedCrashException($"injected crash at {at} #{occurrence}");
        }
    }
}
