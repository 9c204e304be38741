using NodaTime;
using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>Draws a timeline for people: one row per ledger entry, charge, transition and notification, with the balance after each instant.</summary>
internal static class TimelineTable
{
    /// <summary>One row of the table.</summary>
    public sealed record Row(Instant At, string Event, string Details, string Amount = "");

    /// <summary>
    /// What the table shows besides the ledger rows: a <see cref="Timeline"/> from the simulator, or the demo's hour-by-hour
    /// evaluations in the same shape (only the library creates timelines).
    /// </summary>
    public sealed record View(
        Currency Currency,
        IReadOnlyList<Transition> Transitions,
        IReadOnlyList<NotificationIntent> Notifications,
        IReadOnlyList<BalanceStep> BalanceSteps,
        LifecycleStatus Status,
        decimal Balance,
        Instant? NextReviewAt)
    {
        /// <summary>Returns the view of a simulator's timeline.</summary>
        public static View Of(Timeline timeline) =>
            new(timeline.Currency, timeline.Transitions, timeline.Notifications, timeline.BalanceSteps, timeline.Final.Status, timeline.Final.Balance, timeline.Final.NextReviewAt);
    }

    public static void Write(IAnsiConsole console, Scenario scenario, Timeline timeline)
    {
        var rows = new List<Row>();
        rows.AddRange(timeline.Entries.Select(e => new Row(e.At, e.Kind.ToString().ToLowerInvariant(), Terminal.Printable(e.Id), Sign(e) + timeline.Currency.Format(e.Amount))));
        rows.AddRange(timeline.Charges.Select(c => new Row(c.At, "charge", Terminal.Printable(c.Id), "-" + timeline.Currency.Format(c.Amount))));
        Write(console, View.Of(timeline), rows, $"{Terminal.Printable(timeline.Account)} ({timeline.Currency.Code}), policy {Terminal.Printable(scenario.Policy.Name)}, until {Commands.FormatInstant(scenario.Until)} UTC", scenario.OpeningBalance);
    }

    /// <summary>Writes the table from ledger rows plus the timeline's transitions and notifications.</summary>
    public static void Write(IAnsiConsole console, View timeline, IEnumerable<Row> ledgerRows, string title, decimal openingBalance, bool listRecipients = true)
    {
        string Recipients(IEnumerable<NotificationIntent> group)
        {
            var recipients = group.Select(n => Terminal.Printable(n.Recipient)).Distinct(StringComparer.Ordinal).ToList();
            return listRecipients || recipients.Count == 1
                ? string.Join(", ", recipients)
                : recipients.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " recipients";
        }

        var rows = new List<(Row Row, int Order)>();
        rows.AddRange(ledgerRows.Select(r => (r, 0)));
        rows.AddRange(timeline.Transitions.Select(t => (new Row(t.At, t.To.ToString(), $"{t.Reason} (was {t.From}){(t.IsLate ? ", late" : string.Empty)}"), 1)));
        rows.AddRange(timeline.Notifications
            .GroupBy(n => (n.At, n.Kind))
            .Select(g => (new Row(
                g.Key.At,
                "notify",
                $"{g.Key.Kind}: {Recipients(g)} ({string.Join(", ", g.Select(n => Terminal.Printable(n.Channel)).Distinct(StringComparer.Ordinal))})"), 2)));

        var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape(title));
        table.AddColumn("At (UTC)");
        table.AddColumn("Event");
        table.AddColumn("Details");
        table.AddColumn(new TableColumn("Amount").RightAligned());
        table.AddColumn(new TableColumn("Balance").RightAligned());

        // Rows and balance steps are both in time order: one merged walk finds the balance after each instant.
        var steps = timeline.BalanceSteps;
        var step = 0;
        var balance = openingBalance;
        Instant? previous = null;
        foreach (var (row, _) in rows.OrderBy(r => r.Row.At).ThenBy(r => r.Order))
        {
            var first = row.At != previous;
            previous = row.At;
            while (step < steps.Count && steps[step].At <= row.At)
            {
                balance = steps[step].Balance;
                step++;
            }

            table.AddRow(
                first ? Commands.FormatInstant(row.At) : string.Empty,
                Markup.Escape(row.Event),
                Markup.Escape(row.Details),
                Markup.Escape(row.Amount),
                first ? timeline.Currency.Format(balance) : string.Empty);
        }

        console.Write(table);
        var next = timeline.NextReviewAt is { } at ? Commands.FormatInstant(at) + " UTC" : "none";
        console.WriteLine($"Final: {timeline.Status}, balance {timeline.Currency.Format(timeline.Balance)} {timeline.Currency.Code}, next review {next}");
    }

    private static string Sign(LedgerEntry entry) => entry.IsCredit ? "+" : "-";
}
