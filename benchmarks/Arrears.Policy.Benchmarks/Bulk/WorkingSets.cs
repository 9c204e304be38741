using NodaTime;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// The evaluator's working set in the compact layout: one struct row per account (profile, compact ledger snapshot,
/// state) and, apart, each account's due instant in a contiguous <see cref="long"/> array, so that an account with
/// nothing due costs one comparison.
/// </summary>
public sealed class EngineWorkingSet
{
    private readonly Row[] _rows;
    private readonly long[] _due;
    private readonly int[] _transitioning;
    private int _pass;

    /// <summary>Builds the population of <paramref name="accounts"/> accounts and evaluates each at <see cref="Population.Start"/>.</summary>
    public EngineWorkingSet(int accounts)
    {
        _rows = new Row[accounts];
        _due = new long[accounts];
        var transitioning = new List<int>();
        for (var i = 0; i < accounts; i++)
        {
            var spec = Population.Account(i);
            _rows[i] = new Row
            {
                Profile = spec.Profile,
                History = CompactLedger.Empty(Population.Cny, spec.Opening).Append(spec.Entries, out _)!,
            };
            Evaluate(i, Population.Start);
            if (spec.Mix == Mix.Transitioning)
            {
                transitioning.Add(i);
            }
        }

        _transitioning = [.. transitioning];
    }

    /// <summary>Gets an account's state.</summary>
    public AccountState StateOf(int index) => _rows[index].State;

    /// <summary>Appends the hour's facts of pass <paramref name="pass"/> to the transitioning accounts, making them due.</summary>
    public void Arrive(int pass)
    {
        var flip = Population.Flip(pass);
        var at = CompactLedger.ToNanoseconds(flip.At);
        foreach (var i in _transitioning)
        {
            _rows[i].History = _rows[i].History.Append([flip], out _)!;
            _due[i] = Math.Min(_due[i], at);
        }
    }

    /// <summary>Appends one entry to one account (recorded when it took effect), making it due.</summary>
    public void Append(int index, LedgerEntry entry)
    {
        _rows[index].History = _rows[index].History.Append([entry], out _)!;
        _due[index] = Math.Min(_due[index], CompactLedger.ToNanoseconds(entry.At));
    }

    /// <summary>The next hour: its facts arrive (see <see cref="Arrive"/>), and the next pass evaluates at its end.</summary>
    public void NextHour() => Arrive(++_pass);

    /// <summary>One pass at the current hour, evaluating only the accounts due by then.</summary>
    /// <returns>The number of transitions.</returns>
    public int PassDue(int threads) => PassDue(Population.PassAt(_pass), threads);

    /// <summary>Counts the accounts due by the end of the current hour (those <see cref="PassDue(int)"/> evaluates).</summary>
    public int CountDue()
    {
        var now = CompactLedger.ToNanoseconds(Population.PassAt(_pass));
        var count = 0;
        foreach (var due in _due)
        {
            count += due <= now ? 1 : 0;
        }

        return count;
    }

    /// <summary>One pass at the current hour, evaluating every account, as without a due index.</summary>
    /// <returns>The number of transitions.</returns>
    public int PassAll(int threads) => Run(Population.PassAt(_pass), threads, dueOnly: false);

    /// <summary>One pass at <paramref name="now"/>: evaluates only the accounts due by then.</summary>
    /// <returns>The number of transitions.</returns>
    public int PassDue(Instant now, int threads) => Run(now, threads, dueOnly: true);

    private int Run(Instant now, int threads, bool dueOnly)
    {
        var nowNanos = CompactLedger.ToNanoseconds(now);
        if (threads <= 1)
        {
            return Range(0, _rows.Length, now, nowNanos, dueOnly);
        }

        var total = 0;
        var chunk = Math.Max(1024, _rows.Length / (threads * 8));
        Parallel.For(
            0,
            (_rows.Length + chunk - 1) / chunk,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            c => Interlocked.Add(ref total, Range(c * chunk, Math.Min(_rows.Length, (c + 1) * chunk), now, nowNanos, dueOnly)));
        return total;
    }

    private int Range(int from, int to, Instant now, long nowNanos, bool dueOnly)
    {
        var transitions = 0;
        var due = _due;
        for (var i = from; i < to; i++)
        {
            if (dueOnly && due[i] > nowNanos)
            {
                continue;
            }

            transitions += Evaluate(i, now);
        }

        return transitions;
    }

    private int Evaluate(int index, Instant now)
    {
        ref var row = ref _rows[index];
        var evaluation = Population.Policy.Evaluate(row.Profile, row.History, row.State, now);
        row.State = evaluation.State;
        var next = evaluation.NextReviewAt is { } review ? CompactLedger.ToNanoseconds(review) : long.MaxValue;
        if (row.History.TryGetNextEntryInstant(now, out var entry))
        {
            next = Math.Min(next, CompactLedger.ToNanoseconds(entry));
        }

        _due[index] = next;
        return evaluation.Transitions.Count;
    }

    private struct Row
    {
        public AccountProfile Profile;
        public CompactLedger History;
        public AccountState State;
    }
}

/// <summary>The baseline's working set: one <see cref="NaiveAccount"/> (a Stateless machine and a list of entries) per account.</summary>
public sealed class BaselineWorkingSet
{
    private readonly int[] _transitioning;
    private int _pass;

    /// <summary>Builds the population of <paramref name="accounts"/> accounts and evaluates each at <see cref="Population.Start"/>.</summary>
    public BaselineWorkingSet(int accounts)
    {
        Accounts = new NaiveAccount[accounts];
        var transitioning = new List<int>();
        for (var i = 0; i < accounts; i++)
        {
            var spec = Population.Account(i);
            Accounts[i] = new NaiveAccount(spec.Profile.Id, spec.Profile.Creator, spec.Opening, PolicyPresets.AlibabaCloud.Policy, spec.Entries);
            Accounts[i].Evaluate(Population.Start);
            if (spec.Mix == Mix.Transitioning)
            {
                transitioning.Add(i);
            }
        }

        _transitioning = [.. transitioning];
    }

    /// <summary>Gets the accounts.</summary>
    public NaiveAccount[] Accounts { get; }

    /// <summary>Appends the hour's facts of pass <paramref name="pass"/> to the transitioning accounts.</summary>
    public void Arrive(int pass)
    {
        var flip = Population.Flip(pass);
        foreach (var i in _transitioning)
        {
            Accounts[i].Entries.Add(new NaiveEntry(flip.Id, flip.At, flip.SignedAmount));
        }
    }

    /// <summary>Appends one entry to one account.</summary>
    public void Append(int index, LedgerEntry entry) => Accounts[index].Entries.Add(new NaiveEntry(entry.Id, entry.At, entry.SignedAmount));

    /// <summary>The next hour: its facts arrive, and the next pass evaluates at its end.</summary>
    public void NextHour() => Arrive(++_pass);

    /// <summary>One pass at the current hour.</summary>
    /// <returns>The number of transitions.</returns>
    public int Pass(int threads) => Pass(Population.PassAt(_pass), threads);

    /// <summary>One pass at <paramref name="now"/>: every account is evaluated (the baseline has no due index).</summary>
    /// <returns>The number of transitions.</returns>
    public int Pass(Instant now, int threads)
    {
        if (threads <= 1)
        {
            var transitions = 0;
            foreach (var account in Accounts)
            {
                transitions += account.Evaluate(now);
            }

            return transitions;
        }

        var total = 0;
        Parallel.ForEach(
            System.Collections.Concurrent.Partitioner.Create(0, Accounts.Length, Math.Max(1024, Accounts.Length / (threads * 8))),
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            range =>
            {
                var transitions = 0;
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    transitions += Accounts[i].Evaluate(now);
                }

                Interlocked.Add(ref total, transitions);
            });
        return total;
    }
}

/// <summary>The whole runtime over the in-memory store: claims from the due index, evaluates, commits state, audit trail and outbox.</summary>
public sealed class RuntimeWorkingSet
{
    private readonly SettableClock _clock = new();
    private readonly string[] _transitioning;
    private readonly Dictionary<int, ArrearsRuntime> _runtimes = [];
    private int _pass;

    /// <summary>Registers the population of <paramref name="accounts"/> accounts and runs the evaluator at <see cref="Population.Start"/>.</summary>
    public RuntimeWorkingSet(int accounts, int threads)
    {
        Store = new InMemoryArrearsStore();
        Store.Reserve(accounts);
        Runtime = new ArrearsRuntime(Store, Population.Registry(), _clock, [], new NoEnforcement(), RecipientsAreAddresses.Instance,
            new ArrearsRuntimeOptions { MaxDegreeOfParallelism = Math.Max(1, threads), BatchSize = 1000 });
        var transitioning = new List<string>();
        var loadedAt = Population.Start - Duration.FromMinutes(1);
        for (var i = 0; i < accounts; i++)
        {
            var spec = Population.Account(i);
            Store.AddAccountAsync(Population.Registration(spec), loadedAt, default).AsTask().GetAwaiter().GetResult();
            Store.AppendEntriesAsync(spec.Profile.Id, spec.Entries, loadedAt, default).AsTask().GetAwaiter().GetResult();
            if (spec.Mix == Mix.Transitioning)
            {
                transitioning.Add(spec.Profile.Id);
            }
        }

        _transitioning = [.. transitioning];
        _clock.Now = Population.Start;
        var summary = Runtime.EvaluateDueAsync(default).GetAwaiter().GetResult();
        if (summary.Accounts != accounts || summary.Failures != 0)
        {
            throw new InvalidOperationException($"the first pass evaluated {summary.Accounts} of {accounts} accounts, {summary.Failures} failures");
        }
    }

    /// <summary>Gets the store.</summary>
    public InMemoryArrearsStore Store { get; }

    /// <summary>Gets the runtime.</summary>
    public ArrearsRuntime Runtime { get; }

    /// <summary>Appends the hour's facts of pass <paramref name="pass"/> to the transitioning accounts, through the store.</summary>
    public void Arrive(int pass)
    {
        // One batch for every account, and the store's completed ValueTask read as it is (no Task each), so the hour's facts
        // allocate only what the store keeps and the collections the passes cause are the runtime's.
        var flip = Population.Flip(pass);
        LedgerEntry[] batch = [flip];
        foreach (var id in _transitioning)
        {
            var appended = Store.AppendEntriesAsync(id, batch, flip.At, default);
            if (!appended.IsCompletedSuccessfully)
            {
                appended.AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>Appends one entry to one account through the store (recorded when it took effect).</summary>
    public void Append(int index, LedgerEntry entry) => Store.AppendEntriesAsync($"acct-{index}", [entry], entry.At, default).AsTask().GetAwaiter().GetResult();

    /// <summary>The next hour: its facts arrive, and the next pass evaluates at its end.</summary>
    public void NextHour() => Arrive(++_pass);

    /// <summary>One pass of the bulk evaluator at the current hour, with <paramref name="threads"/> evaluating in parallel.</summary>
    /// <returns>The summary.</returns>
    public EvaluationSummary Pass(int threads)
    {
        if (!_runtimes.TryGetValue(threads, out var runtime))
        {
            runtime = new ArrearsRuntime(Store, Population.Registry(), _clock, [], new NoEnforcement(), RecipientsAreAddresses.Instance,
                new ArrearsRuntimeOptions { MaxDegreeOfParallelism = threads, BatchSize = 1000 });
            _runtimes.Add(threads, runtime);
        }

        _clock.Now = Population.PassAt(_pass);
        return runtime.EvaluateDueAsync(default).GetAwaiter().GetResult();
    }

    /// <summary>One pass of the bulk evaluator at <paramref name="now"/>.</summary>
    /// <returns>The summary.</returns>
    public EvaluationSummary Pass(Instant now)
    {
        _clock.Now = now;
        return Runtime.EvaluateDueAsync(default).GetAwaiter().GetResult();
    }

    private sealed class SettableClock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }

    private sealed class NoEnforcement : IEnforcementHandler
    {
        public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken) => ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
