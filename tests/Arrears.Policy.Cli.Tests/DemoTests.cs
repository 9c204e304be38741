using Arrears.Policy.Cli.Demo;
using NodaTime;

namespace Arrears.Policy.Cli.Tests;

/// <summary>Runs the demo once, through the real entry point, and once through its simulation, for every test of the class.</summary>
public sealed class DemoFixture
{
    public DemoFixture()
    {
        Command = Cli.Run("demo");
        Simulation = new DemoSimulation();
        Simulation.Run();
    }

    public (int Exit, string Out, string Error) Command { get; }

    internal DemoSimulation Simulation { get; }
}

public class DemoTests(DemoFixture fixture) : IClassFixture<DemoFixture>
{
    private IReadOnlyList<DemoAccount> Accounts => fixture.Simulation.Accounts;

    [Fact]
    public void Demo_Command_Exit0WithProgressSummaryAndThreeStories()
    {
        var (exit, stdout, stderr) = fixture.Command;

        Assert.Equal((0, ""), (exit, stderr));
        var lines = Cli.Lines(stdout);
        Assert.All(lines, line => Assert.True(line.Length <= 80, line));
        Assert.Contains(lines, l => l.StartsWith("day 200/200: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Accounts by final state", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Transitions by reason", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Notifications by kind", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("│ Total     │      300 │", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("paid one second after the suspension deadline", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("never paid enough and was purged", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("paid days after the suspension and was resumed", StringComparison.Ordinal));
        Assert.Contains("for 300 of 300 accounts.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_Command_IsDeterministic()
    {
        Assert.Equal(fixture.Command, Cli.Run("demo"));
    }

    [Fact]
    public void Demo_StateCounts_SumToThePopulation_AndPrintedCountsMatch()
    {
        Assert.Equal(DemoSimulation.DefaultAccounts, Accounts.Count);
        var byState = Enum.GetValues<LifecycleStatus>().ToDictionary(s => s, s => Accounts.Count(a => a.State.Lifecycles[0].Status == s));
        Assert.Equal(Accounts.Count, byState.Values.Sum());
        foreach (var (state, count) in byState)
        {
            Assert.Contains(Cli.Lines(fixture.Command.Out), l => l.StartsWith($"│ {state,-9} │ {count,8} │", StringComparison.Ordinal));
        }

        // Every state is reached by someone in 200 days.
        Assert.All(byState.Values, count => Assert.True(count > 0));
    }

    [Fact]
    public void Demo_EveryAccount_EvaluatedEveryHour()
    {
        Assert.All(Accounts, a => Assert.Equal(200 * 24, a.Evaluations));
        Assert.All(Accounts, a => Assert.Equal(fixture.Simulation.End, a.State.LastEvaluatedAt));
    }

    [Fact]
    public void Demo_OneSecondLatePayer_WasSuspendedThenResumedOneSecondLater()
    {
        var stories = DemoCommand.Stories(fixture.Simulation);
        var late = stories.Single(s => s.Title.Contains("one second", StringComparison.Ordinal)).Account;

        Assert.Equal(PaymentBehaviour.OneSecondLate, late.Behaviour);
        var suspended = late.Transitions.First(t => t.Reason == TransitionReason.GraceExpired);
        var overdue = late.Transitions.Last(t => t.Reason == TransitionReason.InArrears && t.At < suspended.At);
        var resumed = late.Transitions.First(t => t.At > suspended.At);
        Assert.Equal(overdue.At + Duration.FromHours(24), suspended.At);
        Assert.Equal(TransitionReason.Resumed, resumed.Reason);
        Assert.Equal(suspended.At + Duration.FromSeconds(1), resumed.At);
        Assert.Contains(late.Payments, p => p.At == resumed.At);
    }

    [Fact]
    public void Demo_PurgedAccount_WasSuspended180DaysBeforeWithWarnings()
    {
        var purged = Accounts.First(a => a.State.Lifecycles[0].Status == LifecycleStatus.Purged);
        var purge = purged.Transitions.Single(t => t.Reason == TransitionReason.RetentionExpired);
        var suspension = purged.Transitions.Last(t => t.Reason == TransitionReason.GraceExpired);

        Assert.Equal(suspension.At + Duration.FromDays(180), purge.At);
        Assert.Contains(purged.Notifications, n => n.Kind == NotificationKind.PurgeWarning && n.At == purge.At - Duration.FromDays(7));
        Assert.Contains(purged.Notifications, n => n.Kind == NotificationKind.PurgeWarning && n.At == purge.At - Duration.FromDays(1));
        Assert.True(purged.Ledger.BalanceAt(purge.At) < 0);
    }

    [Fact]
    public void Demo_Behaviours_LeadToTheirExpectedOutcomes()
    {
        Assert.All(Accounts.Where(a => a.Behaviour == PaymentBehaviour.OnTime), a => Assert.DoesNotContain(a.Transitions, t => t.Reason == TransitionReason.GraceExpired));
        Assert.All(Accounts.Where(a => a.Behaviour == PaymentBehaviour.Never), a => Assert.DoesNotContain(a.Transitions, t => t.Reason is TransitionReason.Paid or TransitionReason.Resumed));
        Assert.All(Accounts.Where(a => a.Behaviour == PaymentBehaviour.WithinGrace), a => Assert.DoesNotContain(a.Transitions, t => t.Reason == TransitionReason.GraceExpired));
        Assert.Contains(Accounts, a => a.Behaviour == PaymentBehaviour.AfterSuspension && a.Transitions.Any(t => t.Reason == TransitionReason.Resumed));
        Assert.Contains(Accounts, a => a.Notifications.Any(n => n.Kind == NotificationKind.BalanceLow));
    }

    [Fact]
    public void Demo_HourByHourEvaluation_EqualsAOneShotReplayOfEachLedger()
    {
        Assert.All(Accounts, a => Assert.True(DemoCommand.SameAsReplay(fixture.Simulation, a), a.Profile.Id));
    }

    [Fact]
    public void Demo_NotificationKeys_AreUniquePerAccount()
    {
        Assert.All(Accounts, a => Assert.Equal(a.Notifications.Count, a.Notifications.Select(n => n.Key.Value).Distinct(StringComparer.Ordinal).Count()));
    }
}
