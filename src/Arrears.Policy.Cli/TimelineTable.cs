using System.Globalization;
using System.Text;
using NodaTime;
using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>
/// Draws a timeline for people: one row per ledger entry, charge, transition and notification, with the balance after each
/// instant, in the width of the console (the terminal's, or <c>COLUMNS</c> when the output is redirected).
/// </summary>
/// <remarks>
/// Ids, recipients and instants are never broken across lines. When the columns fit, only the details wrap, between
/// words; when even that does not fit, each instant becomes a heading with its events indented below it. An id wider than
/// the whole line stands alone on its line and overflows it.
/// </remarks>
internal static class TimelineTable
{
    /// <summary>
    /// The spaces around and between the columns of the layouts in columns, tried in turn: two at each edge and three
    /// between columns, then none at the edges and two between columns.
    /// </summary>
    private static readonly (int Edge, int Gap)[] Spacings = [(2, 3), (0, 2)];

    /// <summary>The widest list of channels kept on one line, such as <c>(Email, SMS)</c>; a longer list breaks between channels.</summary>
    private const int ChannelsTogether = 24;

    /// <summary>One ledger row: an entry or a charge, with its id and its signed amount.</summary>
    public sealed record Row(Instant At, string Event, string Id, string Amount = "")
    {
        /// <summary>Gets the details after the id, as atoms (already printable), such as a hold's kind, window and reason.</summary>
        public IReadOnlyList<string> More { get; init; } = [];
    }

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

    /// <summary>One line of the table before layout: its instant, event, details (as atoms) and amount.</summary>
    private sealed record Line(Instant At, string Event, IReadOnlyList<string> Details, string Amount, int Order);

    /// <summary>Writes a scenario's timeline, with instants in the account's time zone unless <paramref name="instants"/> says otherwise.</summary>
    public static void Write(IAnsiConsole console, Scenario scenario, Timeline timeline, TableInstants? instants = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(timeline);
        instants ??= TableInstants.For(scenario.TimeZone, utc: false);
        var rows = new List<Row>();
        rows.AddRange(timeline.Entries.Select(e => new Row(e.At, e.Kind.ToString().ToLowerInvariant(), e.Id, Sign(e) + timeline.Currency.Format(e.Amount))));
        rows.AddRange(timeline.Charges.Select(c => new Row(c.At, "charge", c.Id, "-" + timeline.Currency.Format(c.Amount))));
        rows.AddRange(HoldRows(scenario.Holds, instants));
        List<string> title = [Terminal.Printable(timeline.Account), $"({timeline.Currency.Code}),"];
        var products = scenario.AccountPolicy.Products;
        if (products.Count > 1)
        {
            title.Add("products");
            title.AddRange(products.SelectMany(p => new[] { Terminal.Printable(p.Name ?? string.Empty), $"({Terminal.Printable(p.Policy.Name)}),"}));
        }
        else
        {
            title.AddRange(["policy", Terminal.Printable(scenario.Policy.Name) + ","]);
        }

        if (instants.ZoneId is { } zone)
        {
            title.AddRange(["time", "zone", zone + ","]);
        }

        title.AddRange(["until", instants.FormatAlone(scenario.Until)]);
        Write(console, View.Of(timeline), rows, title, scenario.OpeningBalance, instants);
    }

    /// <summary>
    /// The rows of a scenario's holds and revocations: a hold at its start (<c>hold h1 Suspension of apigw until ..., by
    /// agent-7: promise to pay</c>), a revocation at its instant (<c>revoke r1 ends h1, by agent-7: promise broken</c>).
    /// </summary>
    private static IEnumerable<Row> HoldRows(HoldSet holds, TableInstants instants)
    {
        foreach (var hold in holds.Holds)
        {
            List<string> more = [hold.Kind.ToString()];
            if (hold.Product is { } product)
            {
                more.AddRange(["of", Terminal.Printable(product)]);
            }

            more.AddRange(hold.Until is { } until ? ["until", instants.FormatAlone(until) + ","] : ["open-ended,"]);
            more.AddRange(["by", Terminal.Printable(hold.GrantedBy) + ":", .. Atoms.Words(Terminal.Printable(hold.Reason))]);
            yield return new Row(hold.From, "hold", hold.Id) { More = more };
        }

        foreach (var revocation in holds.Revocations)
        {
            yield return new Row(revocation.At, "revoke", revocation.Id)
            {
                More = ["ends", Terminal.Printable(revocation.Revokes) + ",", "by", Terminal.Printable(revocation.RevokedBy) + ":", .. Atoms.Words(Terminal.Printable(revocation.Reason))],
            };
        }
    }

    /// <summary>Writes the table from ledger rows plus the timeline's transitions and notifications.</summary>
    /// <param name="console">The console: its width and its writer (the table is plain text, written as is).</param>
    /// <param name="timeline">The transitions, notifications, balance steps and final state.</param>
    /// <param name="ledgerRows">The entries and charges, with untrusted ids as they are (they are made printable here).</param>
    /// <param name="title">The title as atoms (see <see cref="Atoms"/>).</param>
    /// <param name="openingBalance">The balance before the first row.</param>
    /// <param name="instants">How instants are shown.</param>
    /// <param name="listRecipients">Whether a notification lists its recipients, or counts them when there are several.</param>
    public static void Write(IAnsiConsole console, View timeline, IEnumerable<Row> ledgerRows, IReadOnlyList<string> title, decimal openingBalance, TableInstants instants, bool listRecipients = true)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(instants);
        var width = Math.Max(1, console.Profile.Width);
        var (lines, balances) = Lines(timeline, ledgerRows, openingBalance, listRecipients, instants);
        var text = new StringBuilder();
        if (!Spacings.Any(spacing => WriteWide(text, lines, balances, title, instants, width, timeline.Currency, spacing)))
        {
            WriteNarrow(text, lines, balances, title, instants, width, timeline.Currency);
        }

        text.AppendLine();
        foreach (var line in Atoms.Wrap(Final(timeline, instants), width))
        {
            text.AppendLine(line);
        }

        // Written as is: the console would fold an id wider than the line, which this layout leaves whole.
        console.Profile.Out.Writer.Write(text.ToString());
    }

    /// <summary>Gets the last line: the final state, balance and next review.</summary>
    private static List<string> Final(View timeline, TableInstants instants)
    {
        List<string> final = ["Final:", timeline.Status + ",", "balance", timeline.Currency.Format(timeline.Balance), timeline.Currency.Code + ",", "next", "review"];
        if (timeline.NextReviewAt is not { } next)
        {
            final.Add("none");
        }
        else if (next > Commands.LatestInstant)
        {
            final.AddRange(["after", TableInstants.Utc.FormatAlone(Commands.LatestInstant) + ",", "the", "latest", "instant", "a", "scenario", "accepts"]);
        }
        else
        {
            final.Add(instants.FormatAlone(next));
        }

        return final;
    }

    /// <summary>Merges the ledger rows, transitions and notifications in time order, with the balance after each row's instant.</summary>
    private static (List<Line> Lines, List<decimal> Balances) Lines(View timeline, IEnumerable<Row> ledgerRows, decimal openingBalance, bool listRecipients, TableInstants instants)
    {
        List<string> Recipients(IEnumerable<NotificationIntent> group)
        {
            var recipients = group.Select(n => Terminal.Printable(n.Recipient)).Distinct(StringComparer.Ordinal).ToList();
            return listRecipients || recipients.Count == 1
                ? [.. recipients.Select((r, i) => i < recipients.Count - 1 ? r + "," : r)]
                : [recipients.Count.ToString(CultureInfo.InvariantCulture), "recipients"];
        }

        var lines = new List<Line>();
        lines.AddRange(ledgerRows.Select(r => new Line(r.At, r.Event, [Terminal.Printable(r.Id), .. r.More], r.Amount, 0)));
        var products = timeline.Transitions.Select(t => t.Product).Distinct(StringComparer.Ordinal).Count() > 1;
        lines.AddRange(timeline.Transitions.Select(t => new Line(t.At, t.To.ToString(), TransitionDetails(t, products, instants), string.Empty, 1)));
        lines.AddRange(timeline.Notifications
            .GroupBy(n => (n.At, n.Kind))
            .Select(g =>
            {
                var channels = g.Select(n => Terminal.Printable(n.Channel)).Distinct(StringComparer.Ordinal).ToList();
                List<string> details = [g.Key.Kind + ":", .. Recipients(g)];
                var together = "(" + string.Join(", ", channels) + ")";
                if (Atoms.Width(together) <= ChannelsTogether)
                {
                    details.Add(together);
                }
                else
                {
                    details.AddRange(channels.Select((c, i) => (i == 0 ? "(" : string.Empty) + c + (i < channels.Count - 1 ? "," : ")")));
                }
                return new Line(g.Key.At, "notify", details, string.Empty, 2);
            }));
        var sorted = lines.OrderBy(l => l.At).ThenBy(l => l.Order).ToList();

        // Rows and balance steps are both in time order: one merged walk finds the balance after each instant.
        var balances = new List<decimal>(sorted.Count);
        var steps = timeline.BalanceSteps;
        var step = 0;
        var balance = openingBalance;
        foreach (var line in sorted)
        {
            while (step < steps.Count && steps[step].At <= line.At)
            {
                balance = steps[step].Balance;
                step++;
            }

            balances.Add(balance);
        }

        return (sorted, balances);
    }

    /// <summary>
    /// The details of a transition: its reason and former state, the product when the account has several, whether it was
    /// late, and, when holds deferred it, from when and by which holds (<c>GraceExpired (was Overdue), deferred from
    /// 2026-03-03 10:00 UTC by h1</c>).
    /// </summary>
    private static List<string> TransitionDetails(Transition t, bool products, TableInstants instants)
    {
        List<string> details = [];
        if (products && t.Product is { } product)
        {
            details.Add(Terminal.Printable(product) + ":");
        }

        details.AddRange([t.Reason.ToString(), "(was", t.From + ")"]);
        if (t.IsLate)
        {
            details[^1] += ",";
            details.Add("late");
        }

        if (t.DeferredFrom is { } deferredFrom)
        {
            details[^1] += ",";
            details.AddRange(["deferred", "from", instants.FormatAlone(deferredFrom), "by", .. t.HeldBy.Select((id, i) => Terminal.Printable(id) + (i < t.HeldBy.Count - 1 ? "," : string.Empty))]);
        }

        return details;
    }

    /// <summary>
    /// Writes the table in columns when they fit: the instant, event, amount and balance never wrap, the details wrap
    /// between atoms. Returns <see langword="false"/> (writing nothing) when even the widest atom of the details does not fit.
    /// </summary>
    private static bool WriteWide(StringBuilder text, List<Line> lines, List<decimal> balances, IReadOnlyList<string> title, TableInstants instants, int width, Currency currency, (int Edge, int Gap) spacing)
    {
        var (edge, gap) = spacing;
        string[] headers = [instants.ColumnHeader, "Event", "Details", "Amount", "Balance"];
        var cells = new List<(string At, string Event, IReadOnlyList<string> Details, string Amount, string Balance)>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var first = i == 0 || lines[i].At != lines[i - 1].At;
            cells.Add((
                first ? instants.Format(lines[i].At) : string.Empty,
                lines[i].Event,
                lines[i].Details,
                lines[i].Amount,
                first ? currency.Format(balances[i]) : string.Empty));
        }

        var at = cells.Select(c => Atoms.Width(c.At)).Append(Atoms.Width(headers[0])).Max();
        var @event = cells.Select(c => Atoms.Width(c.Event)).Append(Atoms.Width(headers[1])).Max();
        var amount = cells.Select(c => Atoms.Width(c.Amount)).Append(Atoms.Width(headers[3])).Max();
        var balance = cells.Select(c => Atoms.Width(c.Balance)).Append(Atoms.Width(headers[4])).Max();
        var fixedWidth = at + @event + amount + balance + (2 * edge) + (4 * gap);
        var widestAtom = cells.Select(c => Atoms.Widest(c.Details)).Append(Atoms.Width(headers[2])).Max();
        if (fixedWidth + widestAtom > width)
        {
            return false;
        }

        var details = Math.Min(width - fixedWidth, cells.Select(c => Atoms.Width(c.Details)).Append(Atoms.Width(headers[2])).Max());
        var tableWidth = fixedWidth + details;
        foreach (var line in Atoms.Wrap(title, tableWidth))
        {
            text.Append(' ', Math.Max(0, tableWidth - Atoms.Width(line)) / 2).AppendLine(line);
        }

        text.AppendLine();
        AppendRow(text, headers[0], headers[1], headers[2], headers[3], headers[4]);
        text.AppendLine(new string('─', tableWidth));
        foreach (var cell in cells)
        {
            var wrapped = Atoms.Wrap(cell.Details, details);
            AppendRow(text, cell.At, cell.Event, wrapped[0], cell.Amount, cell.Balance);
            foreach (var more in wrapped.Skip(1))
            {
                AppendRow(text, string.Empty, string.Empty, more, string.Empty, string.Empty);
            }
        }

        return true;

        void AppendRow(StringBuilder row, string atCell, string eventCell, string detailsCell, string amountCell, string balanceCell)
        {
            var start = row.Length;
            row.Append(' ', edge)
                .Append(Atoms.Pad(atCell, at)).Append(' ', gap)
                .Append(Atoms.Pad(eventCell, @event)).Append(' ', gap)
                .Append(Atoms.Pad(detailsCell, details)).Append(' ', gap)
                .Append(Atoms.Pad(amountCell, amount, right: true)).Append(' ', gap)
                .Append(Atoms.Pad(balanceCell, balance, right: true));
            TrimEnd(row, start);
            row.AppendLine();
        }
    }

    /// <summary>Writes the narrow layout: each instant on its own line with the balance after it, its events indented below.</summary>
    private static void WriteNarrow(StringBuilder text, List<Line> lines, List<decimal> balances, IReadOnlyList<string> title, TableInstants instants, int width, Currency currency)
    {
        foreach (var line in Atoms.Wrap(title, width))
        {
            text.AppendLine(line);
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (i == 0 || line.At != lines[i - 1].At)
            {
                text.AppendLine();
                foreach (var heading in Atoms.Wrap([instants.FormatAlone(line.At) + ",", "balance", currency.Format(balances[i])], width, hangingIndent: 2))
                {
                    text.AppendLine(heading);
                }
            }

            List<string> atoms = [line.Event, .. line.Details];
            if (line.Amount.Length > 0)
            {
                atoms.Add(line.Amount);
            }

            foreach (var wrapped in Atoms.Wrap(atoms, width, indent: 2, hangingIndent: 4))
            {
                text.AppendLine(wrapped);
            }
        }
    }

    private static void TrimEnd(StringBuilder text, int start)
    {
        var end = text.Length;
        while (end > start && text[end - 1] == ' ')
        {
            end--;
        }

        text.Length = end;
    }

    private static string Sign(LedgerEntry entry) => entry.IsCredit ? "+" : "-";
}
