using Arrears.Policy.Benchmarks.Bulk;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Run with: dotnet run -c Release --project benchmarks/Arrears.Policy.Benchmarks -- --filter '*'
// Bulk passes in one process (sizes from ARREARS_BENCH_SIZES): -- --bulk
// Quick mode (a few minutes, JSON in BenchmarkDotNet.Artifacts/results): -- --quick
// Durable stores, one timed pass each (profiling, not BenchmarkDotNet): -- --store-pass sqlite|postgres [accounts] [evaluators] [batch] [repeat]
// The runtime over the in-memory store, timed passes with their collections (profiling, not BenchmarkDotNet): -- --runtime-pass [accounts] [passes] [threads]
// The engine over its working set with the due index, timed passes, and what a due account costs: -- --engine-pass [accounts] [passes] [--collect]
// Footprint per account (managed heap before and after building N accounts): -- --footprint [N] [--entries E] [layouts...]
if (args.Length > 0 && args[0] == "--footprint")
{
    // -- --footprint [N] [--entries E] [store|working-set|ledgers|baseline ...]
    var options = args.Skip(1).ToList();
    var at = options.IndexOf("--entries");
    if (at >= 0)
    {
        Population.EntriesPerAccount = int.Parse(options[at + 1], System.Globalization.CultureInfo.InvariantCulture);
        options.RemoveRange(at, 2);
    }

    var accounts = options.Count > 0 && char.IsAsciiDigit(options[0][0]) ? int.Parse(options[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    Footprint.Run(accounts, [.. options.SkipWhile(o => char.IsAsciiDigit(o[0]))]);
    return;
}

if (args.Length > 0 && args[0] == "--store-pass")
{
    // -- --store-pass sqlite|postgres [accounts] [evaluators] [batch] [repeat]: a Stopwatch profile of the durable stores' passes.
    await StorePass.RunAsync([.. args.Skip(1)]).ConfigureAwait(false);
    return;
}

if (args.Length > 0 && args[0] == "--runtime-pass")
{
    RuntimePass.Run([.. args.Skip(1)]);
    return;
}

if (args.Length > 0 && args[0] == "--engine-pass")
{
    EnginePass.Run([.. args.Skip(1)]);
    return;
}

if (args.Length > 0 && args[0] == "--bulk")
{
    // The bulk passes in one process (each population built once and shared; a long time-out, since building a million
    // accounts takes minutes): 2 warm-ups and 6 measured passes per method, JSON and Markdown results.
    var job = Job.Default
        .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(3), logOutput: true))
        .WithWarmupCount(2)
        .WithIterationCount(6);
    var config = DefaultConfig.Instance.AddJob(job).AddExporter(JsonExporter.Full, MarkdownExporter.GitHub);
    BenchmarkRunner.Run<BulkPassBenchmarks>(config, [.. args.Skip(1)]);
    return;
}

if (args.Length > 0 && args[0] == "--quick")
{
    // The smallest bulk size, a short job, in process, every class unless a filter is given, and JSON results.
    Environment.SetEnvironmentVariable(Sizes.Variable, "10000");

    // The store benchmarks at 10,000 accounts too (an import of 100,000 takes half a minute to two minutes), unless set.
    if (Environment.GetEnvironmentVariable("ARREARS_BENCH_STORE_ACCOUNTS") is not { Length: > 0 })
    {
        Environment.SetEnvironmentVariable("ARREARS_BENCH_STORE_ACCOUNTS", "10000");
    }
    var rest = args.Skip(1).ToList();
    if (!rest.Contains("--filter"))
    {
        rest.AddRange(["--filter", "*"]);
    }

    args = [.. rest, "--job", "short", "--inProcess", "--exporters", "json", "markdown"];
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
