using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// One bulk pass over the population of <see cref="Population"/> (90 % idle healthy, 7 % overdue in grace, 2 % suspended,
/// 1 % transitioning, 20 to 50 entries each), one hour after the previous pass, on one thread and on all cores. Before each
/// pass (in the iteration setup, not measured), the transitioning accounts receive that hour's charge or payment.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Baseline</c>: a Stateless machine per account and LINQ sums over a list of entries, every account evaluated.</item>
/// <item><c>EngineEveryAccount</c>: <c>AccountPolicy.Evaluate</c> over the compact working set, every account evaluated (the layout alone).</item>
/// <item><c>EngineDueIndex</c>: the same working set with each account's due instant: only due accounts are evaluated.</item>
/// <item><c>RuntimeInMemory</c>: the whole runtime over <see cref="InMemoryArrearsStore"/>: claims from the store's due index, evaluates, commits state, audit trail and outbox.</item>
/// </list>
/// <para>
/// Each method exists for one thread and for all cores, grouped by category so that each group has its own baseline. The
/// populations are cached for the process (one at a time), so with <c>--inProcess</c> the methods of one kind share one
/// population, which keeps passing hours: iterations are capped so that the mix holds (no deadline falls in the first 190
/// hours). The sizes come from <c>ARREARS_BENCH_SIZES</c> (comma-separated; default 10000,100000,1000000).
/// </para>
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(3)]
[MaxIterationCount(25)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class BulkPassBenchmarks
{
    private const string OneThread = "one thread";
    private const string AllCores = "all cores";
    private static readonly int Cores = Environment.ProcessorCount;
    private static (string Kind, int Accounts, object Set)? _cached;

    private BaselineWorkingSet? _baseline;
    private EngineWorkingSet? _engine;
    private RuntimeWorkingSet? _runtime;

    /// <summary>Gets or sets the number of accounts.</summary>
    [ParamsSource(nameof(SizeValues))]
    public int Accounts { get; set; }

    /// <summary>Gets the sizes to run.</summary>
    public static IEnumerable<int> SizeValues => Sizes.FromEnvironment();

    [GlobalSetup(Targets = [nameof(Baseline), nameof(BaselineAllCores)])]
    public void SetupBaseline() => _baseline = Cached("baseline", () => new BaselineWorkingSet(Accounts));

    [GlobalSetup(Targets = [nameof(EngineEveryAccount), nameof(EngineDueIndex), nameof(EngineEveryAccountAllCores), nameof(EngineDueIndexAllCores)])]
    public void SetupEngine() => _engine = Cached("engine", () => new EngineWorkingSet(Accounts));

    [GlobalSetup(Targets = [nameof(RuntimeInMemory), nameof(RuntimeInMemoryAllCores)])]
    public void SetupRuntime() => _runtime = Cached("runtime", () => new RuntimeWorkingSet(Accounts, Cores));

    /// <summary>The hour passes: the transitioning accounts receive their charge or payment.</summary>
    [IterationSetup]
    public void NextHour()
    {
        _baseline?.NextHour();
        _engine?.NextHour();
        _runtime?.NextHour();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(OneThread)]
    public int Baseline() => _baseline!.Pass(1);

    [Benchmark]
    [BenchmarkCategory(OneThread)]
    public int EngineEveryAccount() => _engine!.PassAll(1);

    [Benchmark]
    [BenchmarkCategory(OneThread)]
    public int EngineDueIndex() => _engine!.PassDue(1);

    [Benchmark]
    [BenchmarkCategory(OneThread)]
    public int RuntimeInMemory() => _runtime!.Pass(1).Accounts;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(AllCores)]
    public int BaselineAllCores() => _baseline!.Pass(Cores);

    [Benchmark]
    [BenchmarkCategory(AllCores)]
    public int EngineEveryAccountAllCores() => _engine!.PassAll(Cores);

    [Benchmark]
    [BenchmarkCategory(AllCores)]
    public int EngineDueIndexAllCores() => _engine!.PassDue(Cores);

    [Benchmark]
    [BenchmarkCategory(AllCores)]
    public int RuntimeInMemoryAllCores() => _runtime!.Pass(Cores).Accounts;

    /// <summary>One population at a time per process: a new kind or size releases the previous one first.</summary>
    private T Cached<T>(string kind, Func<T> build)
        where T : class
    {
        if (_cached is { } cached && cached.Kind == kind && cached.Accounts == Accounts)
        {
            return (T)cached.Set;
        }

        _cached = null;
        _baseline = null;
        _engine = null;
        _runtime = null;
        GC.Collect();
        var set = build();
        _cached = (kind, Accounts, set);
        return set;
    }
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
