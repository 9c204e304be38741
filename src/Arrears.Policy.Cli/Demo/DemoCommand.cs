using System.Globalization;
using Arrears.Policy.Cli.Stores;
using Arrears.Policy.Runtime;
using Spectre.Console;

namespace Arrears.Policy.Cli.Demo;

/// <summary>
/// The <c>arrears demo</c> command: replays the demo population on a store (a new SQLite file in a temporary folder unless
/// <c>--store</c> names one) with a progress bar, then prints a one-screen summary, the store to explore, and on request
/// (<c>--timelines</c>) three accounts' timelines.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(CliIo io, string? store, bool timelines, CancellationToken cancellationToken)
    {
        StoreLocation location;
        if (store is null)
        {
            var folder = Path.Combine(TemporaryRoot(), "arrears-demo-" + Path.GetRandomFileName()[..8]);
            Directory.CreateDirectory(folder);
            location = new StoreLocation(StoreKind.Sqlite, Path.Combine(folder, "demo.db"));
        }
        else if (!StoreLocation.TryParse(store, out location!, out var error))
        {
            await io.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        OpenedStore opened;
        try
        {
            opened = await io.Host.OpenAsync(location, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StoreErrors.Describe(exception, location) is { } message)
        {
            await io.Error.WriteLineAsync(message).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        await using (opened.ConfigureAwait(false))
        {
            var demo = new DemoSimulation(opened.Store);
            if (await opened.Store.FindAccountAsync(demo.Accounts[0].Profile.Id, cancellationToken).ConfigureAwait(false) is not null)
            {
                await io.Error.WriteLineAsync($"--store: {location} already holds the demo's accounts; give a new store").ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            await RunAsync(io, demo, location, timelines, cancellationToken).ConfigureAwait(false);
        }

        return ArrearsCli.Success;
    }

    /// <summary>
    /// Where the demo's SQLite file goes: a memory-backed temporary folder where the system has one (<c>/dev/shm</c> on
    /// Linux), else the user's temporary folder. The SQLite store syncs each fact a host hands over to disk (the demo hands
    /// over about 3,900: registrations, payments, daily usage), which costs up to half a minute on a busy disk and nothing in
    /// memory; a throwaway demo file needs no power-cut safety, and it is the same store and file format either way.
    /// </summary>
    internal static string TemporaryRoot()
    {
        const string Shared = "/dev/shm";
        try
        {
            if (OperatingSystem.IsLinux() && Directory.Exists(Shared))
            {
                var probe = Path.Combine(Shared, "arrears-probe-" + Path.GetRandomFileName());
                File.WriteAllBytes(probe, []);
                File.Delete(probe);
                return Shared;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Not writable here: use the temporary folder.
        }

        return Path.GetTempPath();
    }

    /// <summary>Runs a demo on its store and reports it.</summary>
    internal static async Task RunAsync(CliIo io, DemoSimulation demo, StoreLocation location, bool timelines, CancellationToken cancellationToken)
    {
        var console = io.CreateConsole();
        var kind = location.Kind == StoreKind.Sqlite ? "an SQLite store" : "a PostgreSQL store";
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{demo.Accounts.Count} API Gateway accounts for {demo.Days} days under {DemoSimulation.Policy.Name}, run by the runtime on {kind} with a demo clock: calls recorded daily, rated at 0.06 CNY per 10000 when each day closes (+30 minutes)."));

        if (io.Console.Interactive)
        {
            await console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("simulated days", maxValue: demo.Days);
                    await demo.RunAsync(day => task.Value = day, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        else
        {
            await demo.RunAsync(null, cancellationToken).ConfigureAwait(false);
        }

        await ReportAsync(io, console, demo, location, timelines, cancellationToken).ConfigureAwait(false);
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

    private static async Task ReportAsync(CliIo io, IAnsiConsole console, DemoSimulation demo, StoreLocation location, bool timelines, CancellationToken cancellationToken)
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

        var outbox = new List<OutboxMessage>();
        for (var after = 0L; ;)
        {
            var page = await demo.Store.QueryOutboxAsync(new OutboxQuery(after: after, max: 5000), cancellationToken).ConfigureAwait(false);
            outbox.AddRange(page);
            if (page.Count < 5000)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        var states = Enum.GetValues<LifecycleStatus>();
        var behaviours = new Table().Border(TableBorder.Rounded).Title("Final state by payment behaviour");
        behaviours.AddColumn("Behaviour");
        foreach (var status in states)
        {
            behaviours.AddColumn(new TableColumn(status.ToString()).RightAligned());
        }

        behaviours.AddColumn(new TableColumn("Total").RightAligned());
        foreach (var behaviour in Enum.GetValues<PaymentBehaviour>())
        {
            var group = accounts.Where(a => a.Behaviour == behaviour).ToList();
            behaviours.AddRow([behaviour.ToString(), .. states.Select(s => Count(group.Count(a => final[a] == s))), Count(group.Count)]);
        }

        behaviours.AddRow(["Total", .. states.Select(s => Count(final.Values.Count(f => f == s))), Count(accounts.Count)]);

        var reasons = new Table().Border(TableBorder.Rounded).Title("Transitions");
        reasons.AddColumn("Reason");
        reasons.AddColumn(new TableColumn("Count").RightAligned());
        foreach (var reason in Enum.GetValues<TransitionReason>())
        {
            reasons.AddRow(reason.ToString(), Count(accounts.Sum(a => a.Transitions.Count(t => t.Reason == reason))));
        }

        var delivered = outbox.Where(m => m.Status == OutboxStatus.Delivered).ToList();
        var kinds = new Table().Border(TableBorder.Rounded).Title("Notified");
        kinds.AddColumn("Kind");
        kinds.AddColumn(new TableColumn("Sent").RightAligned());
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            kinds.AddRow(kind.ToString(), Count(delivered.Count(m => m.Kind == OutboxKind.Notification && m.Notification == kind)));
        }

        var sent = new Table().Border(TableBorder.Rounded).Title("Outbox delivered");
        sent.AddColumn("To");
        sent.AddColumn(new TableColumn("Count").RightAligned());
        sent.AddRow("Email", Count(demo.Email.Delivered));
        sent.AddRow("SMS", Count(demo.Sms.Delivered));
        sent.AddRow("Suspend", Count(demo.Enforcement.Count(EnforcementKind.Suspend)));
        sent.AddRow("Resume", Count(demo.Enforcement.Count(EnforcementKind.Resume)));
        sent.AddRow("Purge", Count(demo.Enforcement.Count(EnforcementKind.Purge)));
        sent.AddRow("Dead letters", Count(outbox.Count(m => m.Status == OutboxStatus.DeadLettered)));

        console.Write(behaviours);
        console.Write(new Columns(reasons, kinds, sent).Collapse());

        var matching = 0;
        foreach (var account in accounts)
        {
            matching += await SameAsSimulateAsync(demo, account, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        var pending = outbox.Count(m => m.Status == OutboxStatus.Pending);
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{demo.Evaluations} evaluations in {demo.Wakes} wakes, {charges} daily charges, {accounts.Sum(a => a.Payments.Count)} payments, {pending} pending, {demo.Failures} failures."));
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Same as simulate for {matching} of {accounts.Count} accounts: audit trail, notifications, state."));

        var stories = Stories(demo);
        var example = stories.Count > 0 ? stories[0].Account.Profile.Id : accounts[0].Profile.Id;
        var store = location.Kind == StoreKind.Sqlite ? StoreLocation.SqlitePrefix + location.Target : location.ToString();
        // Written as they are, never wrapped, so that they can be copied whatever the length of the temporary folder's path.
        await io.Out.WriteLineAsync().ConfigureAwait(false);
        await io.Out.WriteLineAsync($"The store is kept: {Terminal.Printable(store)}").ConfigureAwait(false);
        await io.Out.WriteLineAsync($"  arrears status --store {Terminal.Printable(store)} {example}").ConfigureAwait(false);
        await io.Out.WriteLineAsync($"  arrears history --store {Terminal.Printable(store)} {example}").ConfigureAwait(false);
        if (!timelines)
        {
            await io.Out.WriteLineAsync("Three accounts' timelines: arrears demo --timelines").ConfigureAwait(false);
            return;
        }

        foreach (var (title, account) in stories)
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
