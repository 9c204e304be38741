using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Arrears.Policy.Benchmarks;

/// <summary>
/// Balance queries on a ledger of 10,000 entries (hourly charges and daily payments): a LINQ sum over a list of entries
/// (the baseline), <see cref="Ledger"/> (entries as objects with prefix sums), and the compact ledger of the in-memory
/// store (instants and running balances in one array).
/// </summary>
[MemoryDiagnoser]
public class LedgerBenchmarks
{
    private Ledger _ledger = null!;
    private CompactLedger _compact = null!;
    private List<LedgerEntry> _list = null!;
    private Instant _probe;

    [Params(10_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ledger = new Ledger(Currency.FromCode("CNY"), 100m);
        var start = Instant.FromUtc(2026, 1, 1, 0, 0);
        var entries = new List<LedgerEntry>(Entries);
        for (var i = 0; i < Entries; i++)
        {
            var kind = i % 24 == 0 ? LedgerEntryKind.Payment : LedgerEntryKind.Charge;
            entries.Add(new LedgerEntry($"e{i}", kind, start + Duration.FromHours(i), kind == LedgerEntryKind.Payment ? 30m : 1.25m));
        }

        _ledger.Append(entries);
        _compact = CompactLedger.Empty(Currency.FromCode("CNY"), 100m).Append(entries, out _)!;
        _list = entries;
        _probe = start + Duration.FromHours(Entries / 2) + Duration.FromMinutes(30);
    }

    [Benchmark(Baseline = true)]
    public decimal BalanceAtLinqSum() => 100m + _list.Where(e => e.At <= _probe).Sum(e => e.SignedAmount);

    [Benchmark]
    public decimal BalanceAtLedger() => _ledger.BalanceAt(_probe);

    [Benchmark]
    public decimal BalanceAtCompact() => _compact.BalanceAt(_probe);

    [Benchmark]
    public bool NextEntryLedger() => _ledger.TryGetNextEntryInstant(_probe, out _);

    [Benchmark]
    public bool NextEntryCompact() => _compact.TryGetNextEntryInstant(_probe, out _);
}
