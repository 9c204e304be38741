using System.Diagnostics;
using System.Globalization;
using Arrears.Policy.PostgreSql;
using Arrears.Policy.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using NodaTime;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// A quick Stopwatch harness (not a BenchmarkDotNet run) for profiling the durable stores: imports the bulk population,
/// then times the passes that matter, each once, and prints accounts per second. For the recorded figures use
/// <see cref="StoreBulkBenchmarks"/>.
/// </summary>
/// <remarks>
/// <c>-- --store-pass sqlite|postgres [accounts] [evaluators] [batch] [repeat]</c> (<c>repeat</c>: how many times the last
/// pass is run, an hour apart); PostgreSQL from <c>ARREARS_BENCH_POSTGRES</c>
/// (or <c>ARREARS_TEST_POSTGRES</c>). The passes:
/// <list type="bullet">
/// <item><b>first</b>: every account due, never evaluated (each gets its first state; 10 % transition, with outbox rows);</item>
/// <item><b>hourly</b>: the next hour, when the 1 % transitioning accounts received a charge or payment;</item>
/// <item><b>all due again</b>: every account made due (by SQL) an hour later, nothing new to decide for 99 % of them.</item>
/// </list>
/// </remarks>
internal static class StorePass
{
    public static async Task RunAsync(string[] args)
    {
        var kind = args.Length > 0 ? args[0] : "sqlite";
        var accounts = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var evaluators = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var batch = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 500;
        var repeat = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
        using var bench = await StoreBench.CreateAsync(kind, accounts, evaluators, batch).ConfigureAwait(false);
        Console.WriteLine($"{kind}: {accounts:N0} accounts imported in {bench.ImportTime.TotalSeconds:F1} s; {evaluators} evaluator(s), batch {batch}; load {StoreBench.Load()}");

        await Report("first pass (every account due)", accounts, () => bench.PassAsync(0)).ConfigureAwait(false);
        await Report("hourly pass (1 % transitioning)", accounts / 100, async () =>
        {
            await bench.NextHourAsync(1).ConfigureAwait(false);
            return await bench.PassAsync(1).ConfigureAwait(false);
        }).ConfigureAwait(false);
        for (var again = 0; again < repeat; again++)
        {
            var pass = 2 + again;
            await Report("all due again (nothing new for 99 %)", accounts, async () =>
            {
                await bench.MakeAllDueAsync(Population.PassAt(pass)).ConfigureAwait(false);
                bench.Clock.Now = Population.PassAt(pass);
                return await bench.PassAsync(pass).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        Console.WriteLine($"load after: {StoreBench.Load()}");
    }

    private static async Task Report(string name, int expected, Func<Task<(int Accounts, TimeSpan Elapsed)>> pass)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var server = ServerCpu();
        var (evaluated, elapsed) = await pass().ConfigureAwait(false);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        server = ServerCpu() - server;
        var perAccount = Math.Max(1, evaluated);
        var serverPart = server > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $", the PostgreSQL server's {server.TotalMilliseconds:N0} ms ({server.TotalMilliseconds * 1000 / perAccount:N0} µs per account)")
            : string.Empty;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: {evaluated:N0} accounts (expected about {expected:N0}) in {elapsed.TotalMilliseconds:N0} ms = {evaluated / elapsed.TotalSeconds:N0} accounts/s; this process's CPU {cpu.TotalMilliseconds:N0} ms ({cpu.TotalMilliseconds * 1000 / perAccount:N0} µs per account){serverPart}"));
    }

    /// <summary>
    /// The CPU time of the PostgreSQL server started by <c>.ci/postgres.sh</c> (its postmaster, named by
    /// <c>ARREARS_POSTGRES_DIR</c>, and the backends it started), or zero when there is none to read.
    /// </summary>
    private static TimeSpan ServerCpu()
    {
        var dir = Environment.GetEnvironmentVariable("ARREARS_POSTGRES_DIR");
        var pidFile = dir is null ? null : Path.Combine(dir, "data", "postmaster.pid");
        if (pidFile is null || !File.Exists(pidFile))
        {
            return TimeSpan.Zero;
        }

        var postmaster = File.ReadLines(pidFile).First().Trim();
        long ticks = 0;
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            string text;
            try
            {
                text = File.ReadAllText(stat);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17), counted after the command's closing parenthesis.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var pid = text[..text.IndexOf(' ', StringComparison.Ordinal)];
            if (pid == postmaster)
            {
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                    + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }
            else if (fields[1] == postmaster)
            {
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}

/// <summary>
/// The bulk population in a durable store with 1 or more evaluators (a runtime over its own store instance each, as
/// separate hosts run them): shared by <see cref="StorePass"/> and <see cref="StoreBulkBenchmarks"/>.
/// </summary>
internal sealed class StoreBench : IDisposable
{
    private readonly List<IArrearsStore> _stores = [];
    private readonly List<ArrearsRuntime> _runtimes = [];
    private readonly string _kind;
    private string? _file;
    private string? _schema;
    private string? _connectionString;
    private int _flips;

    private StoreBench(string kind) => _kind = kind;

    public SettableClock Clock { get; } = new();

    public string[] Transitioning { get; private set; } = [];

    public TimeSpan ImportTime { get; private set; }

    public static async Task<StoreBench> CreateAsync(string kind, int accounts, int evaluators, int batchSize)
    {
        var bench = new StoreBench(kind);
        try
        {
            bench._schema = $"bench_{Guid.NewGuid():N}";
            for (var i = 0; i < evaluators; i++)
            {
                bench._stores.Add(bench.Open());
            }

            var watch = Stopwatch.StartNew();
            var loadedAt = Population.Start - Duration.FromMinutes(1);
            var transitioning = new List<string>();
            for (var from = 0; from < accounts; from += 5_000)
            {
                var imports = new List<AccountImport>();
                for (var i = from; i < Math.Min(accounts, from + 5_000); i++)
                {
                    var spec = Population.Account(i);
                    imports.Add(new AccountImport(Population.Registration(spec), spec.Entries, null, null, null, loadedAt));
                    if (spec.Mix == Mix.Transitioning)
                    {
                        transitioning.Add(spec.Profile.Id);
                    }
                }

                await bench._stores[0].ImportAsync(imports, default).ConfigureAwait(false);
            }

            bench.ImportTime = watch.Elapsed;
            bench.Transitioning = [.. transitioning];
            foreach (var store in bench._stores)
            {
                bench._runtimes.Add(new ArrearsRuntime(store, Population.Registry(), bench.Clock, [], new NoEnforcement(), RecipientsAreAddresses.Instance,
                    new ArrearsRuntimeOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, BatchSize = batchSize }));
            }

            bench.Clock.Now = Population.Start;
            return bench;
        }
        catch
        {
            bench.Dispose();
            throw;
        }
    }

    /// <summary>The load averages, for the figures.</summary>
    public static string Load() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>One pass at <see cref="Population.PassAt"/>: every evaluator runs once, at once.</summary>
    public async Task<(int Accounts, TimeSpan Elapsed)> PassAsync(int pass)
    {
        Clock.Now = Population.PassAt(pass);
        var watch = Stopwatch.StartNew();
        var summaries = await Task.WhenAll(_runtimes.Select(r => r.EvaluateDueAsync(default))).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        var failures = summaries.Sum(s => s.Failures);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} evaluations failed: {string.Join("; ", summaries.SelectMany(s => s.Errors).Take(3))}");
        }

        if (summaries.Sum(s => s.Conflicts) is > 0 and var conflicts)
        {
            Console.WriteLine($"    ({conflicts} version conflicts in pass {pass})");
        }

        return (summaries.Sum(s => s.Accounts), elapsed);
    }

    /// <summary>Gets or sets the pass the population is at (0: the first).</summary>
    public int Pass { get; set; }

    /// <summary>
    /// The hour before pass <paramref name="pass"/>: the transitioning accounts receive their charge or payment, in turn
    /// (whatever passes came between), so that each hourly pass flips them between Active and Overdue.
    /// </summary>
    public async Task NextHourAsync(int pass)
    {
        var charge = ++_flips % 2 == 1;
        var flip = new LedgerEntry($"flip-{pass}", charge ? LedgerEntryKind.Charge : LedgerEntryKind.Payment, Population.PassAt(pass) - Duration.FromMinutes(30), 10m);
        foreach (var id in Transitioning)
        {
            await _stores[0].AppendEntriesAsync(id, [flip], flip.At, default).ConfigureAwait(false);
        }
    }

    /// <summary>Makes every account due at <paramref name="at"/>, behind the store's back (as a policy change or a daily review would).</summary>
    public async Task MakeAllDueAsync(Instant at)
    {
        if (_kind == "sqlite")
        {
            using var connection = new SqliteConnection($"Data Source={_file};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE account_runs SET due_at = $at";
            // account_runs keeps its instants as integer nanoseconds since the Unix epoch (schema version 4).
            command.Parameters.AddWithValue("$at", (at - NodaConstants.UnixEpoch).ToInt64Nanoseconds());
            command.ExecuteNonQuery();
            return;
        }

        using var pg = new NpgsqlConnection(_connectionString);
        await pg.OpenAsync().ConfigureAwait(false);
        using var update = new NpgsqlCommand($"UPDATE \"{_schema}\".accounts SET due_at_ns = @at", pg);
        update.Parameters.AddWithValue("at", (at - NodaConstants.UnixEpoch).ToInt64Nanoseconds());
        await update.ExecuteNonQueryAsync().ConfigureAwait(false);
        using var vacuum = new NpgsqlCommand($"VACUUM ANALYZE \"{_schema}\".accounts", pg);
        await vacuum.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            (store as IDisposable)?.Dispose();
        }

        if (_schema is not null && _connectionString is not null && Environment.GetEnvironmentVariable("ARREARS_BENCH_KEEP") is null)
        {
            try
            {
                using var pg = new NpgsqlConnection(_connectionString);
                pg.Open();
                using var drop = new NpgsqlCommand($"DROP SCHEMA \"{_schema}\" CASCADE", pg);
                drop.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // Best effort: a throwaway server's schema.
            }
        }

        if (_file is not null && Environment.GetEnvironmentVariable("ARREARS_BENCH_KEEP") is null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                File.Delete(_file + suffix);
            }
        }
    }

    private IArrearsStore Open()
    {
        if (_kind == "sqlite")
        {
            _file ??= Path.Combine(Path.GetTempPath(), $"arrears-bench-{Guid.NewGuid():N}.db");
            return SqliteArrearsStore.OpenAsync($"Data Source={_file}", default).AsTask().GetAwaiter().GetResult();
        }

        _connectionString = Environment.GetEnvironmentVariable("ARREARS_BENCH_POSTGRES") is { Length: > 0 } bench ? bench
            : Environment.GetEnvironmentVariable("ARREARS_TEST_POSTGRES") is { Length: > 0 } test ? test
            : throw new InvalidOperationException("ARREARS_BENCH_POSTGRES: set it to an Npgsql connection string to run the PostgreSQL cases");
        return new PostgreSqlArrearsStore(_connectionString, _schema!);
    }

    internal sealed class SettableClock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }

    private sealed class NoEnforcement : IEnforcementHandler
    {
        public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken) => ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
