using BenchmarkDotNet.Attributes;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// One bulk pass over the population of <see cref="Population"/> (90 % idle healthy, 7 % overdue in grace, 2 % suspended,
/// 1 % transitioning, 20 to 50 entries each), one hour after the previous pass, on one thread and on all cores. Before each
/// pass (in the iteration setup, not measured), the transitioning accounts receive that hour's charge or payment.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Baseline</c>: a Stateless machine per account and LINQ sums over a list of entries, every account evaluated.</item>
/// <item><c>EngineEveryAccount</c>: <see cref="AccountPolicy.Evaluate"/> over the compact working set, every account evaluated (the layout alone).</item>
/// <item><c>EngineDueIndex</c>: the same working set with each account's due instant: only due accounts are evaluated.</item>
/// <item><c>RuntimeInMemory</c>: the whole runtime over <see cref="InMemoryArrearsStore"/>: claims from the store's due index, evaluates, commits state, audit trail and outbox.</item>
/// </list>
/// The sizes come from <c>ARREARS_BENCH_SIZES</c> (comma-separated; default 10000,100000,1000000), so the quick mode can
/// run the smallest only.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(3)]
[MaxIterationCount(60)]
public class BulkPassBenchmarks
{
    private BaselineWorkingSet? _baseline;
    private EngineWorkingSet? _engine;
    private RuntimeWorkingSet? _runtime;
    private int _pass;

    /// <summary>Gets or sets the number of accounts.</summary>
    [ParamsSource(nameof(SizeValues))]
    public int Accounts { get; set; }

    /// <summary>Gets or sets the number of threads: one, or every core.</summary>
    [ParamsSource(nameof(ThreadValues))]
    public int Threads { get; set; }

    /// <summary>Gets the sizes to run.</summary>
    public static IEnumerable<int> SizeValues => Sizes.FromEnvironment();

    /// <summary>Gets the thread counts to run: 1 and the number of cores.</summary>
    public static IEnumerable<int> ThreadValues => Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];

    [GlobalSetup(Target = nameof(Baseline))]
    public void SetupBaseline() => _baseline = new BaselineWorkingSet(Accounts);

    [GlobalSetup(Targets = [nameof(EngineEveryAccount), nameof(EngineDueIndex)])]
    public void SetupEngine() => _engine = new EngineWorkingSet(Accounts);

    [GlobalSetup(Target = nameof(RuntimeInMemory))]
    public void SetupRuntime() => _runtime = new RuntimeWorkingSet(Accounts, Threads);

    /// <summary>The hour passes: the transitioning accounts receive their charge or payment.</summary>
    [IterationSetup]
    public void NextHour()
    {
        _pass++;
        _baseline?.Arrive(_pass);
        _engine?.Arrive(_pass);
        _runtime?.Arrive(_pass);
    }

    [Benchmark(Baseline = true)]
    public int Baseline() => _baseline!.Pass(Population.PassAt(_pass), Threads);

    [Benchmark]
    public int EngineEveryAccount() => _engine!.PassAll(Population.PassAt(_pass), Threads);

    [Benchmark]
    public int EngineDueIndex() => _engine!.PassDue(Population.PassAt(_pass), Threads);

    [Benchmark]
    public int RuntimeInMemory() => _runtime!.Pass(Population.PassAt(_pass)).Accounts;
}

/// <summary>The population sizes of the bulk benchmarks, from <c>ARREARS_BENCH_SIZES</c>.</summary>
public static class Sizes
{
    /// <summary>The environment variable that lists the sizes.</summary>
    public const string Variable = "ARREARS_BENCH_SIZES";

    /// <summary>Returns the sizes listed in <see cref="Variable"/>, or 10,000, 100,000 and 1,000,000.</summary>
    public static int[] FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } sizes
            ? [.. sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]
            : [10_000, 100_000, 1_000_000];
}
