using NodaTime;
using static Arrears.Policy.Tests.Runtime.RuntimeHarness;

namespace Arrears.Policy.Tests.Runtime;

/// <summary>
/// An entry dated at the very instant of the account's last evaluation, appended after it (a fake clock that has not
/// moved, a host whose clock lags another's): evaluating again at that instant changes nothing (specification section 4),
/// so the entry is a late entry for the first evaluation after it, which must still happen.
/// </summary>
public sealed class LateEntryAtLastEvaluationTests
{
    private static readonly Duration Grace = Duration.FromHours(24);

    [Fact]
    public async Task AppendAsync_EntryAtTheLastEvaluatedInstant_KeepsTheAccountDueJustAfterIt()
    {
        var h = new RuntimeHarness();
        h.Clock.Reset(T0);
        await h.Runtime.RegisterAsync(Account(), default);
        await h.Runtime.RunOnceAsync(default);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);

        var again = await h.Runtime.RunOnceAsync(default);

        Assert.Equal(1, again.Evaluation.Accounts);
        Assert.Empty(await h.Store.HistoryAsync("acct", default));
        Assert.Equal(T0 + Duration.Epsilon, await h.Runtime.NextDueAsync(default));
    }

    [Fact]
    public async Task AppendAsync_EntryAtTheLastEvaluatedInstant_TakesEffectLateAtTheNextEvaluation()
    {
        var h = new RuntimeHarness();
        h.Clock.Reset(T0);
        await h.Runtime.RegisterAsync(Account(), default);
        await h.Runtime.RunOnceAsync(default);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        await h.Runtime.RunOnceAsync(default);

        var seenAt = T0 + Duration.FromHours(1);
        await h.RunAtAsync(seenAt);
        await h.RunUntilAsync(seenAt + Grace + Duration.FromHours(1));

        // Step 0 of the evaluation at seenAt: the balance as of T0 (the charge included) enters Overdue there, marked late;
        // the grace then runs from that entry into arrears.
        Assert.Equal(
            [(LifecycleStatus.Overdue, seenAt, true), (LifecycleStatus.Suspended, seenAt + Grace, false)],
            (await h.Store.HistoryAsync("acct", default)).Select(t => (t.To, t.At, t.IsLate)));
        Assert.Equal(["acct/1/Suspend"], h.Enforcement.Actions.Select(a => a.Key));
    }
}
