using NodaTime;
using static Arrears.Policy.Tests.Lifecycle.EngineHarness;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// Allocation, unlike time, can be checked by a unit test, so the "nothing to do allocates nothing" promise is checked here
/// as well as measured by the benchmarks: each test takes the fewest bytes of several rounds (see <see cref="Allocations.Fewest"/>).
/// </summary>
public sealed class AllocationTests
{
    [Fact]
    public void Evaluate_NothingToDo_AllocatesNothing()
    {
        var account = new AccountProfile("acct", "owner@example.com", collaborators: ["dev@example.com"], balanceAlarm: 5m);
        var overdue = new EngineHarness(account: account).Charge(T0, 25m);
        overdue.EvaluateAt(T0 + Duration.FromHours(1));
        var healthy = new EngineHarness(account: account, opening: 100m).Charge(T0, 25m).Pay(T0 + Duration.FromHours(2), 5m);
        healthy.EvaluateAt(T0 + Duration.FromHours(3));

        // Warm up (JIT, static initialisers), then measure.
        Run(overdue, healthy, 0);
        var changes = 0;
        var allocated = Allocations.Fewest(() => changes += Run(overdue, healthy, 1));

        Assert.Equal(0, changes);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Evaluate_StateRebuiltFromAStoreOrSeveralProducts_AllocatesNothingWhenIdle()
    {
        var account = new AccountProfile("acct", "owner@example.com", balanceAlarm: 5m);
        var ledger = new Ledger(Cny, 10m);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m));
        var products = new AccountPolicyBuilder().AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy).AddProduct("redis", PolicyPresets.TencentRedis.Policy).Build();
        var saved = products.Evaluate(account, ledger, AccountState.Initial, T0 + Duration.FromHours(1)).State;

        // What a store does: rebuild the state from its columns through the public constructor.
        var loaded = new AccountState([.. saved.Lifecycles], saved.AlarmArmed, saved.LastEvaluatedAt);

        Instant Next(int minute) => T0 + Duration.FromHours(2) + Duration.FromMinutes(minute);
        _ = products.Evaluate(account, ledger, loaded, Next(0));
        var changes = 0;
        var allocated = Allocations.Fewest(() =>
        {
            for (var minute = 1; minute <= 50; minute++)
            {
                var evaluation = products.Evaluate(account, ledger, loaded, Next(minute));
                changes += evaluation.Transitions.Count + evaluation.Notifications.Count;
            }
        });

        Assert.Equal(0, changes);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Evaluate_IdleUnderHolds_AllocatesNothing()
    {
        // Overdue under a suspension hold that defers its deadline, with other holds of other kinds and products around.
        var h = new EngineHarness().Charge(T0, 25m)
            .Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(5))
            .Hold("h2", HoldKind.Purge, T0, null)
            .Hold("h3", HoldKind.All, T0 + Duration.FromDays(5), T0 + Duration.FromDays(6))
            .Revoke("h3", T0 + Duration.FromDays(5) + Duration.FromHours(12));
        h.EvaluateAt(T0 + Duration.FromHours(1));
        var holds = h.Holds;
        var policy = h.AccountPolicy;
        Instant Next(int minute) => T0 + Duration.FromHours(2) + Duration.FromMinutes(minute);
        _ = policy.Evaluate(h.Account, h.Ledger, holds, h.State, Next(0));

        var changes = 0;
        var allocated = Allocations.Fewest(() =>
        {
            for (var minute = 1; minute <= 50; minute++)
            {
                var evaluation = policy.Evaluate(h.Account, h.Ledger, holds, h.State, Next(minute));
                changes += evaluation.Transitions.Count + evaluation.Notifications.Count;
            }
        });

        Assert.Equal(0, changes);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Evaluate_SomethingHappens_Allocates()
    {
        // The measurement itself must be able to see allocations.
        var h = new EngineHarness().Charge(T0, 25m);
        var policy = AccountPolicy.For(h.Policy);
        var changed = 0;
        var allocated = Allocations.Fewest(() => changed += policy.Evaluate(h.Account, h.Ledger, h.State, T0 + Duration.FromHours(1)).HasChanges ? 1 : 0);

        Assert.Equal(6, changed); // the unmeasured round and five measured ones: every round allocated, so none stopped early
        Assert.True(allocated > 0);
    }

    private static int Run(EngineHarness overdue, EngineHarness healthy, int round)
    {
        var changes = 0;
        var overduePolicy = overdue.AccountPolicy;
        var healthyPolicy = healthy.AccountPolicy;
        for (var minute = 1; minute <= 50; minute++)
        {
            var offset = Duration.FromMinutes((round * 60) + minute);
            var a = overduePolicy.Evaluate(overdue.Account, overdue.Ledger, overdue.State, T0 + Duration.FromHours(2) + offset);
            var b = healthyPolicy.Evaluate(healthy.Account, healthy.Ledger, healthy.State, T0 + Duration.FromHours(4) + offset);
            changes += a.Transitions.Count + a.Notifications.Count + b.Transitions.Count + b.Notifications.Count;
        }

        return changes;
    }
}
