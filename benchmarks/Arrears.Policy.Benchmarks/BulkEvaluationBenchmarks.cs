using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Arrears.Policy.Benchmarks;

/// <summary>
/// A bulk pass over N accounts (one in ten overdue in its grace period, the rest healthy), as an evaluator does at each
/// tick. Time per pass should grow linearly with N and an idle pass should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class BulkEvaluationBenchmarks
{
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);
    private readonly AccountPolicy _policy = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
    private AccountProfile[] _accounts = null!;
    private Ledger[] _ledgers = null!;
    private AccountState[] _states = null!;
    private Instant _now;

    [Params(1_000, 10_000, 100_000)]
    public int Accounts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var cny = Currency.FromCode("CNY");
        _accounts = new AccountProfile[Accounts];
        _ledgers = new Ledger[Accounts];
        _states = new AccountState[Accounts];
        _now = Start + Duration.FromHours(12);
        for (var i = 0; i < Accounts; i++)
        {
            _accounts[i] = new AccountProfile($"acct-{i}", $"owner{i}@example.com");
            _ledgers[i] = new Ledger(cny, i % 10 == 0 ? 0m : 100m);
            _ledgers[i].Append(
            [
                new LedgerEntry($"c{i}-1", LedgerEntryKind.Charge, Start + Duration.FromMinutes(i % 60), 25m),
                new LedgerEntry($"c{i}-2", LedgerEntryKind.Charge, Start + Duration.FromHours(2), 1.5m),
            ]);
            _states[i] = _policy.Evaluate(_accounts[i], _ledgers[i], AccountState.Initial, _now - Duration.FromHours(1)).State;
        }
    }

    [Benchmark]
    public int IdlePass()
    {
        var changes = 0;
        for (var i = 0; i < _accounts.Length; i++)
        {
            var evaluation = _policy.Evaluate(_accounts[i], _ledgers[i], _states[i], _now);
            changes += evaluation.Transitions.Count;
        }

        return changes;
    }
}
