using Arrears.Policy.Cli.Demo;
using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.Cli.Tests;

/// <summary>Runs the demo once, through the real entry point, and once through its simulation, for every test of the class.</summary>
public sealed class DemoFixture
{
    public DemoFixture()
    {
        Command = Cli.Run("demo");
        Simulation = new DemoSimulation();
        Simulation.RunAsync().GetAwaiter().GetResult();
    }

    public (int Exit, string Out, string Error) Command { get; }

    internal DemoSimulation Simulation { get; }
}

public class DemoTests(DemoFixture fixture) : IClassFixture<DemoFixture>
{
    private IReadOnlyList<DemoAccount> Accounts => fixture.Simulation.Accounts;

    private LifecycleStatus FinalStatus(DemoAccount account) => fixture.Simulation.StatusOfAsync(account).GetAwaiter().GetResult();

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
        Assert.Contains(lines, l => l.Contains("Notified by kind", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Outbox delivered", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("│ Total     │      300 │", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("paid one second after the suspension deadline", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("never paid enough and was purged", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("paid days after the suspension and was resumed", StringComparison.Ordinal));
        Assert.Contains("for 300 of 300 accounts.", stdout, StringComparison.Ordinal);
        Assert.Contains(" 0 pending,", stdout, StringComparison.Ordinal);
        Assert.Contains("0 failures.", stdout, StringComparison.Ordinal);
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
        var byState = Enum.GetValues<LifecycleStatus>().ToDictionary(s => s, s => Accounts.Count(a => FinalStatus(a) == s));
        Assert.Equal(Accounts.Count, byState.Values.Sum());
        foreach (var (state, count) in byState)
        {
            Assert.Contains(Cli.Lines(fixture.Command.Out), l => l.StartsWith($"│ {state,-9} │ {count,8} │", StringComparison.Ordinal));
        }

        // Every state is reached by someone in 200 days, and the demo's view of each account is the runtime's.
        Assert.All(Enum.GetValues<LifecycleStatus>().Where(s => s != LifecycleStatus.Active), s => Assert.Contains(Accounts, a => a.Transitions.Any(t => t.To == s)));
        Assert.All(Accounts, a => Assert.Equal(FinalStatus(a), a.Status));
    }

    [Fact]
    public async Task Demo_Runtime_EvaluatesOnlyWhenDue_AndLeavesNothingBehind()
    {
        var demo = fixture.Simulation;

        // Due means due: far fewer evaluations than an hourly (or daily) poll of every account, and nothing failed or is left to deliver.
        Assert.InRange(demo.Evaluations, 1, Accounts.Count * demo.Days);
        Assert.Equal(0, demo.Failures);
        Assert.Empty(await demo.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Pending, max: 10), default));
        Assert.Empty(await demo.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.DeadLettered, max: 10), default));
        var next = await demo.Runtime.NextDueAsync(default);
        Assert.True(next is null || next > demo.End, $"still due at {next}");
    }

    [Fact]
    public void Demo_Enforcement_OnePerSuspensionResumptionAndPurge()
    {
        var demo = fixture.Simulation;
        var transitions = Accounts.SelectMany(a => a.Transitions).ToList();

        Assert.Equal(transitions.Count(t => t.To == LifecycleStatus.Suspended), demo.Enforcement.Count(EnforcementKind.Suspend));
        Assert.Equal(transitions.Count(t => t.Reason == TransitionReason.Resumed), demo.Enforcement.Count(EnforcementKind.Resume));
        Assert.Equal(transitions.Count(t => t.To == LifecycleStatus.Purged), demo.Enforcement.Count(EnforcementKind.Purge));

        // Every recipient has an email address and a phone number: every notification goes out over both channels.
        Assert.Equal(demo.Email.Delivered, demo.Sms.Delivered);
        Assert.True(demo.Email.Delivered > 0);
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
        var purged = Accounts.First(a => FinalStatus(a) == LifecycleStatus.Purged);
        var purge = purged.Transitions.Single(t => t.Reason == TransitionReason.RetentionExpired);
        var suspension = purged.Transitions.Last(t => t.Reason == TransitionReason.GraceExpired);
        var notified = fixture.Simulation.DeliveredKeysOf(purged);

        Assert.Equal(suspension.At + Duration.FromDays(180), purge.At);
        var warnings = fixture.Simulation.Replay(purged).Notifications.Where(n => n.Kind == NotificationKind.PurgeWarning).ToList();
        Assert.Contains(warnings, n => n.At == purge.At - Duration.FromDays(7));
        Assert.Contains(warnings, n => n.At == purge.At - Duration.FromDays(1));
        Assert.All(warnings, n => Assert.Contains(n.Key.Value, notified));
    }

    [Fact]
    public void Demo_Behaviours_LeadToTheirExpectedOutcomes()
    {
        Assert.All(Accounts.Where(a => a.Behaviour == PaymentBehaviour.OnTime), a => Assert.DoesNotContain(a.Transitions, t => t.Reason == TransitionReason.GraceExpired));
        Assert.All(Accounts.Where(a => a.Behaviour == PaymentBehaviour.Never), a => Assert.DoesNotContain(a.Transitions, t => t.Reason is TransitionReason.Paid or TransitionReason.Resumed));
        Assert.All(Accounts.Where(a => a.Behaviour == PaymentBehaviour.WithinGrace), a => Assert.DoesNotContain(a.Transitions, t => t.Reason == TransitionReason.GraceExpired));
        Assert.Contains(Accounts, a => a.Behaviour == PaymentBehaviour.AfterSuspension && a.Transitions.Any(t => t.Reason == TransitionReason.Resumed));
        Assert.Contains(Accounts, a => fixture.Simulation.DeliveredKeysOf(a).Any(k => k.Contains("/BalanceLow/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Demo_Runtime_EqualsSimulateOfEachAccountsScenario()
    {
        // The runtime's audit trail, delivered notifications and final state equal `arrears simulate` of the same usage,
        // payments and policy, for every account: the demo is proof that the runtime equals simulate.
        var demo = fixture.Simulation;
        foreach (var account in Accounts)
        {
            var simulated = demo.Replay(account);
            Assert.Equal(
                simulated.Transitions.Select(t => (t.At, t.From, t.To, t.Reason, t.Episode, t.Product, t.IsLate)),
                (await demo.Store.HistoryAsync(account.Profile.Id, default)).Select(t => (t.At, t.From, t.To, t.Reason, t.Episode, t.Product, t.IsLate)));
            Assert.Equal(simulated.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal), demo.DeliveredKeysOf(account));
            var stored = (await demo.Store.FindAccountAsync(account.Profile.Id, default))!;
            Assert.Equal(simulated.Final.Status, stored.State.LifecycleOf(null).Status);
            Assert.Equal(simulated.Charges.Select(c => (c.Id, c.At, c.Amount)), stored.Ledger.Entries.Where(e => e.Kind == LedgerEntryKind.Charge).Select(e => (e.Id, e.At, e.Amount)));
        }
    }

    [Fact]
    public void Demo_NotificationKeys_AreUniquePerAccount()
    {
        Assert.All(Accounts, a => Assert.Equal(fixture.Simulation.DeliveredKeysOf(a).Count, fixture.Simulation.DeliveredKeysOf(a).Distinct(StringComparer.Ordinal).Count()));
    }
}
