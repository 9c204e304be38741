using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Arrears.Policy.Benchmarks;

/// <summary>
/// One account evaluated by the pure engine. "Idle" accounts have nothing to do (the common case in bulk runs) and must not
/// allocate; "Transition" makes one transition (Active to Overdue, told by email and SMS; "WithKeys" reads every intent
/// and its key too, where the plain one reads the transitions only); "CatchUp" replays a whole episode
/// (Overdue, Suspended, two warnings, Purged) in one late evaluation. "Compact" reads the in-memory store's compact ledger.
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);
    private readonly AccountPolicy _policy = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
    private readonly AccountProfile _account = new("acct-1", "owner@example.com", collaborators: ["dev@example.com"], balanceAlarm: 10m);
    private Ledger _healthy = null!;
    private CompactLedger _healthyCompact = null!;
    private Ledger _charged = null!;
    private AccountState _beforeCharge;
    private Instant _chargedNow;
    private Ledger _overdue = null!;
    private AccountState _healthyState;
    private AccountState _overdueState;
    private Instant _healthyNow;
    private Instant _overdueNow;
    private AccountPolicy _products = null!;
    private AccountState _twoProductState;

    [GlobalSetup]
    public void Setup()
    {
        // A healthy account: a month of hourly charges covered by daily top-ups, last evaluated an hour ago.
        _healthy = new Ledger(Currency.FromCode("CNY"), 100m);
        var entries = new List<LedgerEntry>();
        for (var hour = 0; hour < 24 * 30; hour++)
        {
            entries.Add(new LedgerEntry($"c{hour}", LedgerEntryKind.Charge, Start + Duration.FromHours(hour), 1.00m));
            if (hour % 24 == 0)
            {
                entries.Add(new LedgerEntry($"p{hour}", LedgerEntryKind.Payment, Start + Duration.FromHours(hour), 24.00m));
            }
        }

        _healthy.Append(entries);
        _healthyCompact = CompactLedger.Empty(Currency.FromCode("CNY"), 100m).Append(entries, out _)!;
        _healthyNow = Start + Duration.FromDays(31);
        _healthyState = _policy.Evaluate(_account, _healthy, AccountState.Initial, _healthyNow - Duration.FromHours(1)).State;

        // An overdue account in the middle of its grace period: nothing to do until the deadline.
        _overdue = new Ledger(Currency.FromCode("CNY"));
        _overdue.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Start, 25m));
        _overdueNow = Start + Duration.FromHours(12);
        _overdueState = _policy.Evaluate(_account, _overdue, AccountState.Initial, _overdueNow - Duration.FromHours(1)).State;

        // A healthy account whose balance a charge has just taken below zero: one transition to Overdue.
        _charged = new Ledger(Currency.FromCode("CNY"), 10m);
        _charged.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Start, 5m));
        _beforeCharge = _policy.Evaluate(_account, _charged, AccountState.Initial, Start + Duration.FromHours(1)).State;
        _charged.Append(new LedgerEntry("c2", LedgerEntryKind.Charge, Start + Duration.FromHours(2), 25m));
        _chargedNow = Start + Duration.FromHours(3);

        // The same overdue account using two products (API Gateway in grace, Redis in grace), state rebuilt as a store would.
        _products = new AccountPolicyBuilder().AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy).AddProduct("redis", PolicyPresets.TencentRedis.Policy).Build();
        var saved = _products.Evaluate(_account, _overdue, AccountState.Initial, _overdueNow - Duration.FromHours(1)).State;
        _twoProductState = new AccountState([.. saved.Lifecycles], saved.AlarmArmed, saved.LastEvaluatedAt);
    }

    [Benchmark(Baseline = true)]
    public Instant? IdleHealthy() => _policy.Evaluate(_account, _healthy, _healthyState, _healthyNow).NextReviewAt;

    [Benchmark]
    public Instant? IdleHealthyCompact() => _policy.Evaluate(_account, _healthyCompact, _healthyState, _healthyNow).NextReviewAt;

    [Benchmark]
    public int TransitionToOverdue() => _policy.Evaluate(_account, _charged, _beforeCharge, _chargedNow).Transitions.Count;

    /// <summary>The same transition with every intent and its key read, as a host that delivers them would.</summary>
    [Benchmark]
    public int TransitionToOverdueWithKeys()
    {
        var length = 0;
        foreach (var intent in _policy.Evaluate(_account, _charged, _beforeCharge, _chargedNow).Notifications)
        {
            length += intent.Key.Value.Length;
        }

        return length;
    }

    [Benchmark]
    public Instant? IdleOverdue() => _policy.Evaluate(_account, _overdue, _overdueState, _overdueNow).NextReviewAt;

    [Benchmark]
    public Instant? IdleTwoProducts() => _products.Evaluate(_account, _overdue, _twoProductState, _overdueNow).NextReviewAt;

    [Benchmark]
    public int CatchUpWholeEpisode() =>
        _policy.Evaluate(_account, _overdue, AccountState.Initial, Start + Duration.FromDays(400)).Notifications.Count;
}
