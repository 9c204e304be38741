using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// Timed passes of the whole runtime over the in-memory store, each with the collections and bytes it caused: a profile to
/// read beside <see cref="BulkPassBenchmarks.RuntimeInMemory"/> (same population, same hours), not a BenchmarkDotNet result.
/// </summary>
internal static class RuntimePass
{
    /// <summary>
    /// Runs <c>[accounts] [passes] [threads] [--allocations]</c> (defaults 1,000,000, 10 and 1); with <c>--allocations</c>,
    /// the runtime's allocation samples (one per 100 KB) during the timed passes are counted by type and the top ones printed.
    /// </summary>
    public static void Run(string[] args)
    {
        var sampling = args.Contains("--allocations");
        args = [.. args.Where(a => a != "--allocations")];
        var accounts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var passes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var build = Stopwatch.StartNew();
        var set = new RuntimeWorkingSet(accounts, threads);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"built {accounts:N0} accounts in {build.Elapsed.TotalSeconds:F1} s; heap {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:F0} MiB"));
        using var samples = sampling ? new AllocationSamples() : null;
        for (var pass = 0; pass < passes; pass++)
        {
            set.NextHour();
            var gen0 = GC.CollectionCount(0);
            var gen1 = GC.CollectionCount(1);
            var gen2 = GC.CollectionCount(2);
            var allocated = GC.GetTotalAllocatedBytes();
            var pause = GC.GetTotalPauseDuration();
            var lastIndex = GC.GetGCMemoryInfo(GCKind.Any).Index;
            samples?.Counting = true;
            var clock = Stopwatch.StartNew();
            var summary = set.Pass(threads);
            clock.Stop();
            samples?.Counting = false;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pass {pass + 1}: {clock.Elapsed.TotalMilliseconds,8:F1} ms, {summary.Accounts,7:N0} evaluated, {summary.Transitions,6:N0} transitions; " +
                $"gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, " +
                $"GC pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F1} ms, {(GC.GetTotalAllocatedBytes() - allocated) / 1048576.0:F1} MiB allocated"));
            PrintCollections(lastIndex);
        }

        if (samples is not null)
        {
            Console.WriteLine("allocation samples by type (each about 100 KB allocated):");
            foreach (var (type, count) in samples.Counts.OrderByDescending(p => p.Value).Take(25))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,8:N0}  {type}"));
            }
        }
    }

    /// <summary>
    /// Prints the newest collection of each kind (ephemeral, full blocking, background) that ran after <paramref name="lastIndex"/>:
    /// generation, pause, promoted bytes, compaction, pinned objects and the heap size; when more collections of one kind ran, only
    /// the last is known to <see cref="GC.GetGCMemoryInfo(GCKind)"/>, and the line says how many were not shown.
    /// </summary>
    private static void PrintCollections(long lastIndex)
    {
        var newest = GC.GetGCMemoryInfo(GCKind.Any).Index;
        var shown = 0;
        foreach (var kind in (ReadOnlySpan<GCKind>)[GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background])
        {
            var info = GC.GetGCMemoryInfo(kind);
            if (info.Index <= lastIndex)
            {
                continue;
            }

            shown++;
            var pauses = string.Join("+", info.PauseDurations.ToArray().Where(p => p > TimeSpan.Zero).Select(p => p.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    GC #{info.Index} {kind} gen{info.Generation}: pause {pauses} ms, promoted {info.PromotedBytes / 1048576.0:F2} MiB, " +
                $"compacted {info.Compacted}, concurrent {info.Concurrent}, pinned {info.PinnedObjectsCount}, finalization pending {info.FinalizationPendingCount}, " +
                $"heap {info.HeapSizeBytes / 1048576.0:F0} MiB, fragmented {info.FragmentedBytes / 1048576.0:F0} MiB, gen0 budget? {info.GenerationInfo[0].SizeBeforeBytes / 1048576.0:F1} MiB before"));
        }

        if (newest - lastIndex > shown)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ({newest - lastIndex - shown} more collections not shown)"));
        }
    }

    /// <summary>Counts the runtime's <c>GCAllocationTick</c> events by type name.</summary>
    private sealed class AllocationSamples : EventListener
    {
        public ConcurrentDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets or sets whether samples are counted (only during the passes, not while the hour's facts arrive).</summary>
        public bool Counting { get; set; }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (Counting && eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true &&
                eventData.PayloadNames?.IndexOf("TypeName") is >= 0 and var at && eventData.Payload?[at] is string type)
            {
                Counts.AddOrUpdate(type, 1, (_, n) => n + 1);
            }
        }
    }
}
