using System.Diagnostics;
using System.Globalization;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// Timed passes of the engine over its compact working set with the due index, one thread: each pass's due accounts, then
/// the same pass again, which finds nothing due and so costs only the comparisons. Their difference divided by the due
/// accounts is what a due account costs at that scale. A profile to read beside
/// <see cref="BulkPassBenchmarks.EngineDueIndex"/> (same population, same hours), not a BenchmarkDotNet result.
/// </summary>
internal static class EnginePass
{
    /// <summary>
    /// Runs <c>[accounts] [passes] [--collect]</c> (defaults 1,000,000 and 20); with <c>--collect</c>, a full blocking
    /// collection before each due pass, as BenchmarkDotNet does before each iteration, so the pass starts with its memory
    /// out of the caches (the comparisons-only pass after it finds the due instants cached). The first three passes (the JIT's tiers settling) are left out of the medians.
    /// </summary>
    public static void Run(string[] args)
    {
        var collect = args.Contains("--collect");
        args = [.. args.Where(a => a != "--collect")];
        var accounts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var passes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var build = Stopwatch.StartNew();
        var set = new EngineWorkingSet(accounts);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"built {accounts:N0} accounts in {build.Elapsed.TotalSeconds:F1} s; heap {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:F0} MiB"));
        var perDue = new List<double>();
        var scans = new List<double>();
        for (var pass = 0; pass < passes; pass++)
        {
            set.NextHour();
            var due = set.CountDue();
            if (collect)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
            }

            var gen0 = GC.CollectionCount(0);
            var start = Stopwatch.GetTimestamp();
            var transitions = set.PassDue(1);
            var duePass = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            var again = set.PassDue(1);
            var scan = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var each = due == 0 ? 0 : (duePass - scan) * 1e6 / due;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pass {pass + 1}: {duePass,7:F2} ms, {due:N0} due, {transitions:N0} transitions, collections {GC.CollectionCount(0) - gen0}; comparisons only {scan:F2} ms ({again:N0} transitions); {each:F0} ns a due account"));
            if (pass >= 3)
            {
                perDue.Add(each);
                scans.Add(scan);
            }
        }

        if (perDue.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median of passes 4-{passes}: {Median(perDue):F0} ns a due account, comparisons only {Median(scans):F2} ms"));
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
