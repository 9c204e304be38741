using System.Diagnostics;
using System.Globalization;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>
/// The footprint mode (<c>-- --footprint [N] [kinds...]</c>): builds N accounts of the bulk population in each layout and
/// reports the managed heap they take (<see cref="GC.GetTotalMemory(bool)"/> after a full collection, before and after
/// building), per account. Not a BenchmarkDotNet benchmark: memory held is not what its memory diagnoser measures.
/// </summary>
public static class Footprint
{
    /// <summary>The layouts that can be measured.</summary>
    public static readonly string[] Kinds = ["store", "working-set", "ledgers", "baseline"];

    /// <summary>Builds and measures each layout in turn, printing one Markdown row per layout.</summary>
    public static void Run(int accounts, string[] kinds)
    {
        kinds = kinds.Length == 0 ? Kinds : kinds;
        var entries = Population.EntriesPerAccount is { } fixedCount ? $"{fixedCount} entries each" : "20 to 50 entries each";
        Console.WriteLine($"Footprint of {accounts.ToString("N0", CultureInfo.InvariantCulture)} accounts, {entries} ({Environment.ProcessorCount} cores, {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC})");
        Console.WriteLine();
        Console.WriteLine("| layout | managed heap | per account | build time |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var kind in kinds)
        {
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var watch = Stopwatch.StartNew();
            object built = kind switch
            {
                "store" => new RuntimeWorkingSet(accounts, Environment.ProcessorCount),
                "working-set" => new EngineWorkingSet(accounts),
                "ledgers" => Ledgers(accounts),
                "baseline" => new BaselineWorkingSet(accounts),
                _ => throw new ArgumentException($"kind: one of {string.Join(", ", Kinds)}, got \"{kind}\"", nameof(kinds)),
            };
            watch.Stop();
            var after = GC.GetTotalMemory(forceFullCollection: true);
            GC.KeepAlive(built);
            var bytes = after - before;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Describe(kind)} | {bytes / 1024.0 / 1024.0:N0} MiB | {(double)bytes / accounts:N0} B | {watch.Elapsed.TotalSeconds:N1} s |"));
            built = null!;
        }
    }

    private static string Describe(string kind) => kind switch
    {
        "store" => "`InMemoryArrearsStore` (rows, compact ledgers, due index, registrations, states), after the first pass",
        "working-set" => "the evaluator's compact working set (profile, compact ledger, state, due instant)",
        "ledgers" => "one `Ledger` per account with its profile and state (the engine's layout before)",
        _ => "the baseline: a Stateless machine and a `List` of entries per account",
    };

    /// <summary>The engine's layout before the compact one: a profile, a <see cref="Ledger"/> and a state per account.</summary>
    private static (AccountProfile[] Profiles, Ledger[] Ledgers, AccountState[] States) Ledgers(int accounts)
    {
        var profiles = new AccountProfile[accounts];
        var ledgers = new Ledger[accounts];
        var states = new AccountState[accounts];
        for (var i = 0; i < accounts; i++)
        {
            var spec = Population.Account(i);
            profiles[i] = spec.Profile;
            ledgers[i] = new Ledger(Population.Cny, spec.Opening);
            ledgers[i].Append(spec.Entries);
            states[i] = Population.Policy.Evaluate(profiles[i], ledgers[i], AccountState.Initial, Population.Start).State;
        }

        return (profiles, ledgers, states);
    }
}
