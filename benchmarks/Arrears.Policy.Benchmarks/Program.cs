using Arrears.Policy.Benchmarks.Bulk;
using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project benchmarks/Arrears.Policy.Benchmarks -- --filter '*'
// Quick mode (a few minutes, JSON in BenchmarkDotNet.Artifacts/results): -- --quick
// Footprint per account (managed heap before and after building N accounts): -- --footprint [N]
if (args.Length > 0 && args[0] == "--footprint")
{
    Footprint.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, args.Skip(2).ToArray());
    return;
}

if (args.Length > 0 && args[0] == "--quick")
{
    // The smallest bulk size, a short job, in process, every class unless a filter is given, and JSON results.
    Environment.SetEnvironmentVariable(Sizes.Variable, "10000");
    var rest = args.Skip(1).ToList();
    if (!rest.Contains("--filter"))
    {
        rest.AddRange(["--filter", "*"]);
    }

    args = [.. rest, "--job", "short", "--inProcess", "--exporters", "json", "markdown"];
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
