using BenchmarkDotNet.Attributes;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// Bulk passes of the runtime over the durable stores: the population of <see cref="Population"/> (100,000 accounts by
/// default, <c>ARREARS_BENCH_STORE_ACCOUNTS</c> otherwise) imported into SQLite (a temporary file) or PostgreSQL (the
/// connection string in <c>ARREARS_BENCH_POSTGRES</c>, a fresh schema per case, dropped afterwards), then passes with 1 or
/// 4 evaluators (runtimes over their own store instances, as separate hosts run them) evaluating at once.
/// </summary>
/// <remarks>
/// <para>
/// The first pass (every account due, never evaluated) is the set-up. Each benchmark returns the accounts it evaluated;
/// accounts per second is that over the mean.
/// </para>
/// <list type="bullet">
/// <item><see cref="HourlyPass"/>: the next hour, after the 1 % transitioning accounts received their charge or payment (the
/// iteration set-up appends them): 1,000 accounts due at 100,000, each with a transition, its notifications and a new
/// ledger entry.</item>
/// <item><see cref="EveryAccountDue"/>: every account made due at the next hour by SQL behind the store's back (as a review
/// of every account would), so the pass claims, loads and evaluates all of them, and commits what changed (the
/// transitioning ones) and, for the others, only their next due instant.</item>
/// </list>
/// Without <c>ARREARS_BENCH_POSTGRES</c> the PostgreSQL cases fail in their set-up with a message that says so. A quicker
/// profile of the same passes, with their CPU time, is <c>-- --store-pass</c>.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(3)]
[InvocationCount(1)]
public class StoreBulkBenchmarks
{
    /// <summary>
    /// The populations, one per store and number of evaluators, shared by the two benchmarks when they run in one process
    /// (<c>--inProcess</c>): importing 100,000 accounts takes a minute or two, so each is built once and deleted at exit.
    /// </summary>
    private static readonly Dictionary<(string Store, int Evaluators), StoreBench> Shared = [];

    private StoreBench? _bench;

    /// <summary>Gets or sets the store.</summary>
    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    /// <summary>Gets or sets how many evaluators run at once.</summary>
    [Params(1, 4)]
    public int Evaluators { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        lock (Shared)
        {
            if (Shared.TryGetValue((Store, Evaluators), out var shared))
            {
                _bench = shared;
                return;
            }

            var accounts = Environment.GetEnvironmentVariable("ARREARS_BENCH_STORE_ACCOUNTS") is { Length: > 0 } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 100_000;
            _bench = StoreBench.CreateAsync(Store, accounts, Evaluators, batchSize: 500).GetAwaiter().GetResult();
            var (evaluated, elapsed) = _bench.PassAsync(0).GetAwaiter().GetResult();
            Console.WriteLine($"// {Store}, {Evaluators} evaluator(s): import of {accounts:N0} accounts {_bench.ImportTime.TotalSeconds:N1} s; first pass (every account due, never evaluated): {evaluated:N0} accounts in {elapsed.TotalMilliseconds:N0} ms ({evaluated / elapsed.TotalSeconds:N0} accounts/s); load {StoreBench.Load()}");
            Shared.Add((Store, Evaluators), _bench);
            var bench = _bench;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => bench.Dispose();
        }
    }

    /// <summary>The hour passes: the transitioning accounts receive their charge or payment.</summary>
    [IterationSetup(Target = nameof(HourlyPass))]
    public void NextHour()
    {
        var bench = _bench!;
        bench.Pass++;
        bench.NextHourAsync(bench.Pass).GetAwaiter().GetResult();
    }

    /// <summary>The hour passes, and every account is made due at it.</summary>
    [IterationSetup(Target = nameof(EveryAccountDue))]
    public void EveryAccountDueNextHour()
    {
        var bench = _bench!;
        bench.Pass++;
        bench.MakeAllDueAsync(Population.PassAt(bench.Pass)).GetAwaiter().GetResult();
    }

    /// <summary>One hourly pass: every evaluator runs once, at once; returns the accounts evaluated.</summary>
    [Benchmark]
    public int HourlyPass() => _bench!.PassAsync(_bench.Pass).GetAwaiter().GetResult().Accounts;

    /// <summary>One pass over every account; returns the accounts evaluated.</summary>
    [Benchmark]
    public int EveryAccountDue() => _bench!.PassAsync(_bench.Pass).GetAwaiter().GetResult().Accounts;

    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine($"// {Store}, {Evaluators} evaluator(s): load at the end {StoreBench.Load()}");
}
