using System.Globalization;
using Spectre.Console;

namespace Arrears.Policy.Cli.Demo;

/// <summary>The <c>arrears demo</c> command: replays the demo population with progress, then prints a summary and three stories.</summary>
internal static class DemoCommand
{
    public static Task<int> RunAsync(CliIo io, CancellationToken cancellationToken)
    {
        var console = io.CreateConsole();
        var demo = new DemoSimulation();
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Replaying {demo.Accounts.Count} API Gateway accounts hour by hour for {demo.Days} days under {DemoSimulation.Policy.Name} (calls billed hourly at 0.06 CNY per 10000, settled 30 minutes after the hour)."));

        if (io.Console.Interactive)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("simulated days", maxValue: demo.Days);
                    demo.Run(day => task.Value = day, cancellationToken);
                });
        }
        else
        {
            demo.Run(
                day =>
                {
                    if (day % 25 == 0 || day == demo.Days)
                    {
                        console.WriteLine($"day {day,3}/{demo.Days}: {Census(demo)}");
                    }
                },
                cancellationToken);
        }

        Report(console, demo);
        return Task.FromResult(ArrearsCli.Success);
    }

    /// <summary>Picks the accounts whose stories the demo tells: one paid one second late, one purged, one resumed after a suspension.</summary>
    public static IReadOnlyList<(string Title, DemoAccount Account)> Stories(DemoSimulation demo)
    {
        var stories = new List<(string, DemoAccount)>();
        var late = demo.Accounts.FirstOrDefault(a => a.Transitions.Zip(a.Transitions.Skip(1)).Any(p =>
            p.First.Reason == TransitionReason.GraceExpired && p.Second.Reason == TransitionReason.Resumed &&
            p.Second.At - p.First.At == NodaTime.Duration.FromSeconds(1)));
        if (late is not null)
        {
            stories.Add(("paid one second after the suspension deadline", late));
        }

        var purged = demo.Accounts.FirstOrDefault(a => a.State.LifecycleOf(null).Status == LifecycleStatus.Purged);
        if (purged is not null)
        {
            stories.Add(("never paid enough and was purged", purged));
        }

        var resumed = demo.Accounts.FirstOrDefault(a => a.Behaviour == PaymentBehaviour.AfterSuspension &&
            a.Transitions.Any(t => t.Reason == TransitionReason.Resumed));
        if (resumed is not null)
        {
            stories.Add(("paid days after the suspension and was resumed", resumed));
        }

        return stories;
    }

    private static string Census(DemoSimulation demo) =>
        string.Join(", ", Enum.GetValues<LifecycleStatus>().Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s} {demo.Accounts.Count(a => a.State.LifecycleOf(null).Status == s)}")));

    private static void Report(IAnsiConsole console, DemoSimulation demo)
    {
        var accounts = demo.Accounts;
        console.WriteLine();

        var states = new Table().Border(TableBorder.Rounded).Title("Accounts by final state");
        states.AddColumn("State");
        states.AddColumn(new TableColumn("Accounts").RightAligned());
        foreach (var status in Enum.GetValues<LifecycleStatus>())
        {
            states.AddRow(status.ToString(), Count(accounts.Count(a => a.State.LifecycleOf(null).Status == status)));
        }

        states.AddRow("Total", Count(accounts.Count));

        var reasons = new Table().Border(TableBorder.Rounded).Title("Transitions by reason");
        reasons.AddColumn("Reason");
        reasons.AddColumn(new TableColumn("Count").RightAligned());
        foreach (var reason in Enum.GetValues<TransitionReason>())
        {
            reasons.AddRow(reason.ToString(), Count(accounts.Sum(a => a.Transitions.Count(t => t.Reason == reason))));
        }

        var kinds = new Table().Border(TableBorder.Rounded).Title("Notifications by kind");
        kinds.AddColumn("Kind");
        kinds.AddColumn(new TableColumn("Count").RightAligned());
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            kinds.AddRow(kind.ToString(), Count(accounts.Sum(a => a.Notifications.Count(n => n.Kind == kind))));
        }

        console.Write(new Columns(states, reasons).Collapse());
        console.Write(kinds);

        var behaviours = new Table().Border(TableBorder.Rounded).Title("Final state by payment behaviour");
        behaviours.AddColumn("Behaviour");
        foreach (var status in Enum.GetValues<LifecycleStatus>())
        {
            behaviours.AddColumn(new TableColumn(status.ToString()).RightAligned());
        }

        foreach (var behaviour in Enum.GetValues<PaymentBehaviour>())
        {
            var group = accounts.Where(a => a.Behaviour == behaviour).ToList();
            behaviours.AddRow([behaviour.ToString(), .. Enum.GetValues<LifecycleStatus>().Select(s => Count(group.Count(a => a.State.LifecycleOf(null).Status == s)))]);
        }

        console.Write(behaviours);

        var matching = accounts.Count(a => SameAsReplay(demo, a));
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{accounts.Sum(a => a.Evaluations)} evaluations, {accounts.Sum(a => a.Charges.Count)} hourly charges, {accounts.Sum(a => a.Payments.Count)} payments."));
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Schedule independence: the hour-by-hour timeline equals a one-shot replay of the final ledger for {matching} of {accounts.Count} accounts."));

        foreach (var (title, account) in Stories(demo))
        {
            console.WriteLine();
            console.Write(new Rule($"{account.Profile.Id}: {Markup.Escape(title)}").LeftJustified());
            var rows = account.Payments.Select(p => new TimelineTable.Row(p.At, "payment", p.Id, "+" + p.Amount.ToString("0.00", CultureInfo.InvariantCulture)));
            var timeline = demo.TimelineOf(account);
            TimelineTable.Write(
                console,
                timeline,
                rows,
                string.Create(CultureInfo.InvariantCulture, $"{account.Profile.Id}: {account.Behaviour}, {account.CallsPerHour:0} calls/hour, opening {account.Ledger.OpeningBalance:0.00} CNY ({account.Charges.Count} hourly charges not shown)"),
                account.Ledger.OpeningBalance,
                listRecipients: false);
        }
    }

    /// <summary>Whether the hour-by-hour transitions and notifications equal those of one evaluation of the final ledger.</summary>
    public static bool SameAsReplay(DemoSimulation demo, DemoAccount account)
    {
        var replay = demo.Replay(account);
        return replay.Transitions.SequenceEqual(account.Transitions) &&
               replay.Notifications.Select(n => (n.At, n.Key)).SequenceEqual(account.Notifications.Select(n => (n.At, n.Key)));
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
