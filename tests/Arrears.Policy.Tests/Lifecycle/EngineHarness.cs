using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>Builds ledgers and policies tersely and runs the engine the way a host would.</summary>
internal sealed class EngineHarness
{
    public static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30);
    public static readonly Currency Cny = Currency.FromCode("CNY");

    private int _next;

    public EngineHarness(LifecyclePolicy? policy = null, AccountProfile? account = null, decimal opening = 0m)
    {
        Policy = policy ?? PolicyPresets.TencentApiGateway.Policy;
        Account = account ?? new AccountProfile("acct", "owner@example.com", collaborators: ["dev@example.com"]);
        Ledger = new Ledger(Cny, opening);
        State = AccountState.Initial;
    }

    public LifecyclePolicy Policy
    {
        get => AccountPolicy.Products[0].Policy;
        set => AccountPolicy = AccountPolicy.For(value);
    }

    /// <summary>Gets the account policy of the single product under <see cref="Policy"/>, built once per policy as a host would.</summary>
    public AccountPolicy AccountPolicy { get; private set; } = null!;

    public AccountProfile Account { get; }

    public Ledger Ledger { get; }

    public AccountState State { get; private set; }

    public List<Transition> Transitions { get; } = [];

    public List<NotificationIntent> Notifications { get; } = [];

    public static LifecyclePolicy PolicyWith(Action<LifecyclePolicyOptions> configure)
    {
        var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
        configure(options);
        return LifecyclePolicy.Create(options);
    }

    public EngineHarness Charge(Instant at, decimal amount) => Add(LedgerEntryKind.Charge, at, amount);

    public EngineHarness Pay(Instant at, decimal amount) => Add(LedgerEntryKind.Payment, at, amount);

    public EngineHarness Add(LedgerEntryKind kind, Instant at, decimal amount)
    {
        Ledger.Append(new LedgerEntry($"e{_next++}", kind, at, amount));
        return this;
    }

    /// <summary>Evaluates at <paramref name="now"/>, feeding the previous state, and accumulates what happened.</summary>
    public Evaluation EvaluateAt(Instant now)
    {
        var evaluation = AccountPolicy.Evaluate(Account, Ledger, State, now);
        State = evaluation.State;
        Transitions.AddRange(evaluation.Transitions);
        Notifications.AddRange(evaluation.Notifications);
        return evaluation;
    }

    public IEnumerable<string> Steps() =>
        Transitions.Select(t => $"{t.At} {t.From}->{t.To} {t.Reason}{(t.IsLate ? " late" : string.Empty)}");

    public IEnumerable<string> Kinds() => Notifications.Select(n => $"{n.At} {n.Kind}").Distinct();
}
