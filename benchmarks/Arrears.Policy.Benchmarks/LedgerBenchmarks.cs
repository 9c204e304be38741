using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Arrears.Policy.Benchmarks;

/// <summary>Balance queries on a ledger of a year of hourly charges and daily payments.</summary>
[MemoryDiagnoser]
public class LedgerBenchmarks
{
    private Ledger _ledger = null!;
    private Instant _probe;

    [Params(1_000, 100_000)]
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
        _probe = start + Duration.FromHours(Entries / 2) + Duration.FromMinutes(30);
    }

    [Benchmark]
    public decimal BalanceAt() => _ledger.BalanceAt(_probe);
}
