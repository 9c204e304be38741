using Arrears.Policy.PostgreSql;
using Arrears.Policy.Sqlite;
using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// Bulk passes of the runtime over the durable stores: the population of <see cref="Population"/> (100,000 accounts by
/// default, <c>ARREARS_BENCH_STORE_ACCOUNTS</c> otherwise) imported into SQLite (a temporary file) or PostgreSQL (the
/// connection string in <c>ARREARS_BENCH_POSTGRES</c>, a fresh schema per run), then one pass an hour with 1 or 4
/// evaluators (runtimes over their own store instances, as separate hosts would run them) evaluating at once.
/// </summary>
/// <remarks>
/// A skeleton: it runs, but its figures are not in docs/performance.md yet. The first pass (every account due) is the
/// set-up; each measured pass evaluates the hour's transitioning accounts (1 %). Without <c>ARREARS_BENCH_POSTGRES</c>
/// the PostgreSQL cases fail in their set-up with a message that says so.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(2)]
[MaxIterationCount(20)]
public class StoreBulkBenchmarks
{
    private readonly List<IArrearsStore> _stores = [];
    private readonly List<ArrearsRuntime> _runtimes = [];
    private readonly SettableClock _clock = new();
    private string? _file;
    private string[] _transitioning = [];
    private int _pass;

    /// <summary>Gets or sets the store.</summary>
    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    /// <summary>Gets or sets how many evaluators run at once.</summary>
    [Params(1, 4)]
    public int Evaluators { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var accounts = Environment.GetEnvironmentVariable("ARREARS_BENCH_STORE_ACCOUNTS") is { Length: > 0 } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var schema = $"bench_{Guid.NewGuid():N}";
        for (var i = 0; i < Evaluators; i++)
        {
            _stores.Add(Open(schema));
        }

        var loadedAt = Population.Start - Duration.FromMinutes(1);
        var transitioning = new List<string>();
        for (var from = 0; from < accounts; from += 1_000)
        {
            var imports = new List<AccountImport>();
            for (var i = from; i < Math.Min(accounts, from + 1_000); i++)
            {
                var spec = Population.Account(i);
                imports.Add(new AccountImport(Population.Registration(spec), spec.Entries, null, null, null, loadedAt));
                if (spec.Mix == Mix.Transitioning)
                {
                    transitioning.Add(spec.Profile.Id);
                }
            }

            _stores[0].ImportAsync(imports, default).AsTask().GetAwaiter().GetResult();
        }

        _transitioning = [.. transitioning];
        foreach (var store in _stores)
        {
            _runtimes.Add(new ArrearsRuntime(store, Population.Registry(), _clock, [], new NoEnforcement(), RecipientsAreAddresses.Instance,
                new ArrearsRuntimeOptions { MaxDegreeOfParallelism = 2, BatchSize = 500 }));
        }

        _clock.Now = Population.Start;
        Pass();
    }

    /// <summary>The hour passes: the transitioning accounts receive their charge or payment.</summary>
    [IterationSetup]
    public void NextHour()
    {
        var flip = Population.Flip(++_pass);
        foreach (var id in _transitioning)
        {
            _stores[0].AppendEntriesAsync(id, [flip], flip.At, default).AsTask().GetAwaiter().GetResult();
        }

        _clock.Now = Population.PassAt(_pass);
    }

    /// <summary>One pass: every evaluator runs once, at once; returns the accounts evaluated.</summary>
    [Benchmark]
    public int Pass() => Task.WhenAll(_runtimes.Select(r => r.EvaluateDueAsync(default))).GetAwaiter().GetResult().Sum(s => s.Accounts);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var store in _stores)
        {
            (store as IDisposable)?.Dispose();
        }

        if (_file is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(_file);
        }
    }

    private IArrearsStore Open(string schema)
    {
        if (Store == "sqlite")
        {
            _file ??= Path.Combine(Path.GetTempPath(), $"arrears-bench-{Guid.NewGuid():N}.db");
            return SqliteArrearsStore.OpenAsync($"Data Source={_file}", default).AsTask().GetAwaiter().GetResult();
        }

        var connection = Environment.GetEnvironmentVariable("ARREARS_BENCH_POSTGRES")
            ?? throw new InvalidOperationException("ARREARS_BENCH_POSTGRES: set it to an Npgsql connection string to run the PostgreSQL cases");
        return new PostgreSqlArrearsStore(connection, schema);
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
