using System.Globalization;
using Arrears.Policy.Runtime;
using Spectre.Console;

namespace Arrears.Policy.Cli.Demo;

/// <summary>The <c>arrears demo</c> command: replays the demo population with progress, then prints a summary and three stories.</summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(CliIo io, CancellationToken cancellationToken)
    {
        var console = io.CreateConsole();
        var demo = new DemoSimulation();
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Running {demo.Accounts.Count} API Gateway accounts for {demo.Days} days on the runtime (in-memory store, demo clock) under {DemoSimulation.Policy.Name}: calls recorded daily, rated at 0.06 CNY per 10000 when each day closes (+30 minutes)."));

        if (io.Console.Interactive)
        {
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("simulated days", maxValue: demo.Days);
                    await demo.RunAsync(day => task.Value = day, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        else
        {
            await demo.RunAsync(
                day =>
                {
                    if (day % 25 == 0 || day == demo.Days)
                    {
                        console.WriteLine($"day {day,3}/{demo.Days}: {Census(demo)}");
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }

        await ReportAsync(console, demo, cancellationToken).ConfigureAwait(false);
        return ArrearsCli.Success;
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

        var purged = demo.Accounts.FirstOrDefault(a => a.Status == LifecycleStatus.Purged);
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

    /// <summary>Whether the runtime's audit trail and delivered notifications for the account equal <c>arrears simulate</c> of its scenario.</summary>
    public static async Task<bool> SameAsSimulateAsync(DemoSimulation demo, DemoAccount account, CancellationToken cancellationToken = default)
    {
        var replay = demo.Replay(account);
        var history = await demo.Store.HistoryAsync(account.Profile.Id, cancellationToken).ConfigureAwait(false);
        return replay.Transitions.Count == history.Count && replay.Transitions.Zip(history).All(p => p.Second.Describes(p.First)) &&
               replay.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal).SequenceEqual(demo.DeliveredKeysOf(account), StringComparer.Ordinal) &&
               replay.Final.Status == await demo.StatusOfAsync(account, cancellationToken).ConfigureAwait(false);
    }

    private static string Census(DemoSimulation demo) =>
        string.Join(", ", Enum.GetValues<LifecycleStatus>().Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s} {demo.Accounts.Count(a => a.Status == s)}")));

    private static async Task ReportAsync(IAnsiConsole console, DemoSimulation demo, CancellationToken cancellationToken)
    {
        var accounts = demo.Accounts;
        var final = new Dictionary<DemoAccount, LifecycleStatus>();
        var charges = 0;
        foreach (var account in accounts)
        {
            var stored = await demo.Store.FindAccountAsync(account.Profile.Id, cancellationToken).ConfigureAwait(false);
            final[account] = stored!.State.LifecycleOf(null).Status;
            charges += stored.Ledger.Entries.Count(e => e.Kind == LedgerEntryKind.Charge);
        }

        var delivered = await demo.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Delivered, max: int.MaxValue), cancellationToken).ConfigureAwait(false);
        var deadLetters = await demo.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.DeadLettered, max: int.MaxValue), cancellationToken).ConfigureAwait(false);
        var pending = await demo.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Pending, max: int.MaxValue), cancellationToken).ConfigureAwait(false);
        console.WriteLine();

        var states = new Table().Border(TableBorder.Rounded).Title("Accounts by final state");
        states.AddColumn("State");
        states.AddColumn(new TableColumn("Accounts").RightAligned());
        foreach (var status in Enum.GetValues<LifecycleStatus>())
        {
            states.AddRow(status.ToString(), Count(final.Values.Count(s => s == status)));
        }

        states.AddRow("Total", Count(accounts.Count));

        var reasons = new Table().Border(TableBorder.Rounded).Title("Transitions by reason");
        reasons.AddColumn("Reason");
        reasons.AddColumn(new TableColumn("Count").RightAligned());
        foreach (var reason in Enum.GetValues<TransitionReason>())
        {
            reasons.AddRow(reason.ToString(), Count(accounts.Sum(a => a.Transitions.Count(t => t.Reason == reason))));
        }

        var kinds = new Table().Border(TableBorder.Rounded).Title("Notified by kind");
        kinds.AddColumn("Kind");
        kinds.AddColumn(new TableColumn("Sent").RightAligned());
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            kinds.AddRow(kind.ToString(), Count(delivered.Count(m => m.Kind == OutboxKind.Notification && m.Notification == kind)));
        }

        var outbox = new Table().Border(TableBorder.Rounded).Title("Outbox delivered");
        outbox.AddColumn("To");
        outbox.AddColumn(new TableColumn("Count").RightAligned());
        outbox.AddRow("Email", Count(demo.Email.Delivered));
        outbox.AddRow("SMS", Count(demo.Sms.Delivered));
        outbox.AddRow("Suspend", Count(demo.Enforcement.Count(EnforcementKind.Suspend)));
        outbox.AddRow("Resume", Count(demo.Enforcement.Count(EnforcementKind.Resume)));
        outbox.AddRow("Purge", Count(demo.Enforcement.Count(EnforcementKind.Purge)));
        outbox.AddRow("Dead letters", Count(deadLetters.Count));

        console.Write(new Columns(states, reasons).Collapse());
        console.Write(new Columns(kinds, outbox).Collapse());

        var behaviours = new Table().Border(TableBorder.Rounded).Title("Final state by payment behaviour");
        behaviours.AddColumn("Behaviour");
        foreach (var status in Enum.GetValues<LifecycleStatus>())
        {
            behaviours.AddColumn(new TableColumn(status.ToString()).RightAligned());
        }

        foreach (var behaviour in Enum.GetValues<PaymentBehaviour>())
        {
            var group = accounts.Where(a => a.Behaviour == behaviour).ToList();
            behaviours.AddRow([behaviour.ToString(), .. Enum.GetValues<LifecycleStatus>().Select(s => Count(group.Count(a => final[a] == s)))]);
        }

        console.Write(behaviours);

        var matching = 0;
        foreach (var account in accounts)
        {
            matching += await SameAsSimulateAsync(demo, account, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{demo.Evaluations} evaluations in {demo.Wakes} wakes, {charges} daily charges, {accounts.Sum(a => a.Payments.Count)} payments, {pending.Count} pending, {demo.Failures} failures."));
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Runtime equals simulate: audit trail and notifications equal `arrears simulate` of the same usage and payments for {matching} of {accounts.Count} accounts."));

        foreach (var (title, account) in Stories(demo))
        {
            console.WriteLine();
            console.Write(new Rule($"{account.Profile.Id}: {Markup.Escape(title)}").LeftJustified());
            var rows = account.Payments.Select(p => new TimelineTable.Row(p.At, "payment", p.Id, "+" + p.Amount.ToString("0.00", CultureInfo.InvariantCulture)));

            // The runtime's audit trail, with the notifications simulate gives (the line above checks that they are the ones delivered).
            var simulated = demo.Replay(account);
            var history = await demo.Store.HistoryAsync(account.Profile.Id, cancellationToken).ConfigureAwait(false);
            var timeline = TimelineTable.View.Of(simulated) with { Transitions = [.. simulated.Transitions.Where(t => history.Any(h => h.Describes(t)))] };
            TimelineTable.Write(
                console,
                timeline,
                rows,
                Atoms.Words(string.Create(CultureInfo.InvariantCulture, $"{account.Profile.Id}: {account.Behaviour}, {account.CallsPerHour:0} calls/hour, opening {account.OpeningBalance:0.00} CNY ({simulated.Charges.Count} daily charges not shown)")),
                account.OpeningBalance,
                TableInstants.Utc,
                listRecipients: false);
        }
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
