using Arrears.Policy.Cli.Demo;
using Arrears.Policy.Cli.Stores;
using Arrears.Policy.Cli.Tests.Stores;
using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.Cli.Tests;

/// <summary>
/// Runs the demo once through the real entry point (on an SQLite file in a temporary folder, as a user would), and once in
/// memory through the same command code with timelines, for every test of the class.
/// </summary>
public sealed class DemoFixture : IDisposable
{
    public DemoFixture()
    {
        Command = Cli.Run("demo");
        var kept = Cli.Lines(Command.Out).FirstOrDefault(l => l.StartsWith(KeptPrefix, StringComparison.Ordinal));
        Store = kept?[KeptPrefix.Length..] ?? string.Empty;

        Simulation = new DemoSimulation();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var io = new CliIo(stdout, stderr, new MemoryStream(), Cli.Console, Cli.Host);
        var location = new StoreLocation(StoreKind.Sqlite, Store.StartsWith("sqlite:", StringComparison.Ordinal) ? Store["sqlite:".Length..] : "demo.db");
        DemoCommand.RunAsync(io, Simulation, location, timelines: true, default).GetAwaiter().GetResult();
        InMemoryWithTimelines = stdout.ToString().ReplaceLineEndings("\n");
    }

    public const string KeptPrefix = "The store is kept: ";

    public (int Exit, string Out, string Error) Command { get; }

    /// <summary>Gets the store the command kept, as <c>sqlite:PATH</c>.</summary>
    public string Store { get; }

    /// <summary>Gets what the same command code printed for an in-memory run of the demo, with <c>--timelines</c>.</summary>
    public string InMemoryWithTimelines { get; }

    internal DemoSimulation Simulation { get; }

    public void Dispose()
    {
        if (Store.StartsWith("sqlite:", StringComparison.Ordinal) && Path.GetDirectoryName(Store["sqlite:".Length..]) is { } folder &&
            Path.GetFileName(folder).StartsWith("arrears-demo-", StringComparison.Ordinal))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

public class DemoTests(DemoFixture fixture) : IClassFixture<DemoFixture>
{
    private IReadOnlyList<DemoAccount> Accounts => fixture.Simulation.Accounts;

    private LifecycleStatus FinalStatus(DemoAccount account) => fixture.Simulation.StatusOfAsync(account).GetAwaiter().GetResult();

    [Fact]
    public void Demo_Command_Exit0WithASummaryThatFitsOneScreen()
    {
        var (exit, stdout, stderr) = fixture.Command;

        Assert.Equal((0, ""), (exit, stderr));
        var lines = stdout.Split('\n');
        Assert.All(lines.Where(l => !l.StartsWith("  arrears ", StringComparison.Ordinal)), line => Assert.True(line.Length <= 80, line));
        Assert.True(lines.Length <= 45, $"{lines.Length} lines:\n{stdout}");
        Assert.Contains(lines, l => l.Contains("Final state by payment behaviour", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Transitions", StringComparison.Ordinal) && l.Contains("Notified", StringComparison.Ordinal) && l.Contains("Outbox delivered", StringComparison.Ordinal));
        Assert.Contains("Same as simulate for 300 of 300 accounts: audit trail, notifications, state.", lines);
        Assert.Contains(" 0 pending,", stdout, StringComparison.Ordinal);
        Assert.Contains("0 failures.", stdout, StringComparison.Ordinal);
        Assert.Contains("Three accounts' timelines: arrears demo --timelines", lines);
        Assert.DoesNotContain("paid one second after the suspension deadline", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_Command_KeepsItsSqliteFileAndSaysHowToExploreIt()
    {
        var path = fixture.Store["sqlite:".Length..];
        Assert.StartsWith("sqlite:", fixture.Store, StringComparison.Ordinal);
        Assert.True(File.Exists(path), path);
        Assert.Contains(Path.GetFileName(Path.GetDirectoryName(path))!, DemoCommandFolderNames(), StringComparer.Ordinal);
        var late = DemoCommand.Stories(fixture.Simulation)[0].Account.Profile.Id;
        Assert.Contains($"  arrears status --store {fixture.Store} {late}", Cli.Lines(fixture.Command.Out));
        Assert.Contains($"  arrears history --store {fixture.Store} {late}", Cli.Lines(fixture.Command.Out));
    }

    [Fact]
    public async Task Demo_SqliteFile_HoldsWhatTheInMemoryRunDecided()
    {
        // The store commands read the demo's file: every account's audit trail and state equal the in-memory run's, and
        // every notification was delivered.
        foreach (var account in Accounts.Where((_, i) => i % 10 == 0).Concat(DemoCommand.Stories(fixture.Simulation).Select(s => s.Account)))
        {
            var id = account.Profile.Id;
            var history = Cli.Lines(Sameness.Run(Cli.Host, "history", "--store", fixture.Store, id, "--json"));
            var expected = await fixture.Simulation.Store.HistoryAsync(id, default);
            Assert.Equal(expected.Count, history.Length);
            Assert.All(expected.Zip(history), p =>
            {
                Assert.Contains($"\"at\":\"{Sameness.Format(p.First.At)}\",\"from\":\"{p.First.From}\",\"to\":\"{p.First.To}\",\"reason\":\"{p.First.Reason}\"", p.Second, StringComparison.Ordinal);
                Assert.EndsWith($"\"evaluatedAt\":\"{Sameness.Format(p.First.EvaluatedAt)}\"}}", p.Second, StringComparison.Ordinal);
            });
            Assert.Contains($"\"state\":\"{FinalStatus(account)}\"", Sameness.Run(Cli.Host, "status", "--store", fixture.Store, id, "--json"), StringComparison.Ordinal);
            var outbox = Cli.Lines(Sameness.Run(Cli.Host, "outbox", "--store", fixture.Store, "--account", id, "--json"));
            Assert.Equal(fixture.Simulation.DeliveredKeysOf(account).Count, outbox.Length);
            Assert.All(outbox, line => Assert.Contains("\"status\":\"Delivered\",\"attempts\":1}", line, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Demo_OnSqlite_PrintsWhatTheInMemoryRunPrints()
    {
        // Deterministic, and the same whichever store it runs on: the in-memory run's output (with timelines) begins with
        // the command's, up to the hint about timelines.
        var command = fixture.Command.Out;
        var hint = "Three accounts' timelines: arrears demo --timelines\n";
        Assert.EndsWith(hint, command, StringComparison.Ordinal);
        Assert.StartsWith(command[..^hint.Length], fixture.InMemoryWithTimelines, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_Timelines_TellThreeStories()
    {
        var lines = Cli.Lines(fixture.InMemoryWithTimelines);

        Assert.Contains(lines, l => l.Contains("paid one second after the suspension deadline", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("never paid enough and was purged", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("paid days after the suspension and was resumed", StringComparison.Ordinal));
        Assert.All(lines.Where(l => !l.StartsWith("  arrears ", StringComparison.Ordinal)), line => Assert.True(line.Length <= 80, line));
        Assert.DoesNotContain("arrears demo --timelines", fixture.InMemoryWithTimelines, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_StoreThatHoldsTheDemo_Exit2()
    {
        Assert.Equal((2, "", $"--store: {fixture.Store} already holds the demo's accounts; give a new store\n"), Cli.Run("demo", "--store", fixture.Store));
        Assert.Equal((2, "", "--store: must be sqlite:PATH or postgres:CONNECTION_STRING, got \"demo.db\"\n"), Cli.Run("demo", "--store", "demo.db"));
    }

    private static IEnumerable<string> DemoCommandFolderNames() =>
        Directory.GetDirectories(DemoCommand.TemporaryRoot(), "arrears-demo-*").Select(d => Path.GetFileName(d));

    [Fact]
    public void Demo_StateCounts_SumToThePopulation_AndPrintedCountsMatch()
    {
        Assert.Equal(DemoSimulation.DefaultAccounts, Accounts.Count);
        var byState = Enum.GetValues<LifecycleStatus>().Select(s => Accounts.Count(a => FinalStatus(a) == s)).ToList();
        Assert.Equal(Accounts.Count, byState.Sum());
        var total = Cli.Lines(fixture.Command.Out).Single(l => l.StartsWith("│ Total ", StringComparison.Ordinal));
        Assert.Equal([.. byState, Accounts.Count], total.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select(int.Parse));
        foreach (var behaviour in Enum.GetValues<PaymentBehaviour>())
        {
            var row = Cli.Lines(fixture.Command.Out).Single(l => l.StartsWith($"│ {behaviour} ", StringComparison.Ordinal));
            var group = Accounts.Where(a => a.Behaviour == behaviour).ToList();
            Assert.Equal(
                [.. Enum.GetValues<LifecycleStatus>().Select(s => group.Count(a => FinalStatus(a) == s)), group.Count],
                row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select(int.Parse));
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
