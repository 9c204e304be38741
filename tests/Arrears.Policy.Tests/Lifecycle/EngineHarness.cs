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

    /// <summary>Replaces the account policy, for an account of several products.</summary>
    public EngineHarness Use(AccountPolicy policy)
    {
        AccountPolicy = policy;
        return this;
    }

    public Ledger Ledger { get; }

    public AccountState State { get; private set; }

    public List<Transition> Transitions { get; } = [];

    public List<NotificationIntent> Notifications { get; } = [];

    /// <summary>Gets the holds known so far; every evaluation sees all of them.</summary>
    public List<Hold> HoldList { get; } = [];

    /// <summary>Gets the revocations known so far.</summary>
    public List<HoldRevocation> RevocationList { get; } = [];

    public HoldSet Holds => new(HoldList, RevocationList);

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

    /// <summary>Grants a hold (by agent-7, "promise to pay" unless said otherwise).</summary>
    public EngineHarness Hold(string id, HoldKind kind, Instant from, Instant? until, string? product = null, string by = "agent-7", string reason = "promise to pay")
    {
        HoldList.Add(new Hold(id, kind, from, until, by, reason, product));
        return this;
    }

    /// <summary>Revokes a hold at <paramref name="at"/>.</summary>
    public EngineHarness Revoke(string holdId, Instant at)
    {
        RevocationList.Add(new HoldRevocation("r" + RevocationList.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), holdId, at, "agent-7", "promise broken"));
        return this;
    }

    /// <summary>Evaluates at <paramref name="now"/>, feeding the previous state and the holds known so far, and accumulates what happened.</summary>
    public Evaluation EvaluateAt(Instant now)
    {
        var evaluation = AccountPolicy.Evaluate(Account, Ledger, Holds, State, now);
        State = evaluation.State;
        Transitions.AddRange(evaluation.Transitions);
        Notifications.AddRange(evaluation.Notifications);
        return evaluation;
    }

    public IEnumerable<string> Steps() =>
        Transitions.Select(t => $"{t.At} {t.From}->{t.To} {t.Reason}{(t.IsLate ? " late" : string.Empty)}{(t.DeferredFrom is { } from ? $" deferred from {from} by {string.Join(",", t.HeldBy)}" : string.Empty)}");

    public IEnumerable<string> Kinds() => Notifications.Select(n => $"{n.At} {n.Kind}").Distinct();
}
