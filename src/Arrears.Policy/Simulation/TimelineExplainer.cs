using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Text;

using Arrears.Policy.Billing;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Tells a <see cref="Timeline"/> in sentences a support agent can read: what was billed and paid, why each transition
/// happened, who was told what, and where the account stands at the end.
/// </summary>
/// <example>
/// <code>
/// var scenario = ScenarioJson.Read(json).Scenario!;
/// foreach (var sentence in TimelineExplainer.Explain(scenario, Simulator.Run(scenario)))
/// {
///     Console.WriteLine(sentence);
///     // Suspended on 2 Feb 2026 08:30 UTC: 24 hours passed after the balance fell to -25.00 CNY on 1 Feb 2026 08:30 UTC without full payment; ...
/// }
/// </code>
/// </example>
public static class TimelineExplainer
{
    private static readonly InstantPattern Minutes = InstantPattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm 'UTC'");
    private static readonly InstantPattern Seconds = InstantPattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm':'ss;FFFFFFFFF 'UTC'");

    /// <summary>Explains a timeline in sentences, in time order.</summary>
    /// <param name="scenario">The scenario the timeline was produced from (for the policy, the entries and the opening balance).</param>
    /// <param name="timeline">The timeline.</param>
    /// <returns>
    /// One sentence per event or group of events at one instant, then one about the final state. Ids and names holding
    /// control characters are written with escapes such as <c>\u001b</c>, so that a sentence never drives a terminal.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<string> Explain(Scenario scenario, Timeline timeline)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(timeline);
        var policy = scenario.Policy;
        var currency = timeline.Currency;
        string Money(decimal amount) => $"{currency.Format(amount)} {currency.Code}";
        var steps = timeline.BalanceSteps;
        decimal BalanceAt(Instant t) => BalanceAtInstant(steps, scenario.OpeningBalance, t);

        var threshold = policy.Tolerance == 0 ? "zero" : Money(-policy.Tolerance);
        var sentences = new List<string>
        {
            $"Account {P(timeline.Account)} ({currency.Code}) follows the policy {P(policy.Name)}: {Words(policy.Grace)} of grace ({Boundary(policy.GraceBoundary)}) once the balance falls below {threshold}, then {Words(policy.Retention)} of retention ({Boundary(policy.RetentionBoundary)}) before the purge; the opening balance is {Money(scenario.OpeningBalance)}.",
        };

        // Each list is grouped by instant once, so that the story is told in O(n log n) however long the scenario is.
        var entries = Simulator.AppliedEntries(scenario).ToLookup(e => e.At);
        var charges = timeline.Charges.ToLookup(c => c.At);
        var transitions = timeline.Transitions.ToLookup(t => t.At);
        var notifications = timeline.Notifications.ToLookup(n => n.At);
        var instants = entries.Select(g => g.Key)
            .Concat(charges.Select(g => g.Key))
            .Concat(transitions.Select(g => g.Key))
            .Concat(notifications.Select(g => g.Key))
            .Distinct()
            .Order()
            .ToList();

        Instant? overdueSince = null;
        Instant? suspendedAt = null;
        foreach (var t in instants)
        {
            var balance = BalanceAt(t);
            var moves = entries[t].Select(e => $"{Kind(e.Kind)} {P(e.Id)} of {Money(e.Amount)}")
                .Concat(charges[t].Select(c => $"charge {P(c.Id)} of {Money(c.Amount)} for {P(c.Item)} used {Period(c)}"))
                .ToList();
            if (moves.Count > 0)
            {
                sentences.Add($"On {Format(t)}: {string.Join("; ", moves)}. The balance is now {Money(balance)}.");
            }

            foreach (var transition in transitions[t])
            {
                var late = transition.IsLate ? " (caused by a ledger entry that was booked late)" : string.Empty;
                var product = transition.Product is null ? string.Empty : $" [{P(transition.Product)}]";
                switch (transition.Reason)
                {
                    case TransitionReason.InArrears:
                        overdueSince = t;
                        sentences.Add($"Overdue{product} on {Format(t)}{late}: the balance fell to {Money(balance)}, below {threshold}; the service keeps running until {Format(t + policy.Grace)} ({Words(policy.Grace)} of grace, {Boundary(policy.GraceBoundary)}).");
                        break;
                    case TransitionReason.Paid:
                        sentences.Add($"Active again{product} on {Format(t)}{late}: the balance rose to {Money(balance)} within the grace period, so the account was never suspended.");
                        break;
                    case TransitionReason.GraceExpired:
                        suspendedAt = t;
                        var since = overdueSince ?? t - policy.Grace;
                        sentences.Add($"Suspended{product} on {Format(t)}: {Words(policy.Grace)} passed after the balance fell to {Money(BalanceAt(since))} on {Format(since)} without full payment; the balance is {Money(balance)}. Configuration and data are kept until {Format(t + policy.Retention)}.");
                        break;
                    case TransitionReason.Resumed:
                        var minimum = policy.ResumeMinimumBalance is { } m ? $" and meets the minimum of {Money(m)}" : string.Empty;
                        var down = suspendedAt is { } s ? $" after {Words(t - s)} suspended" : string.Empty;
                        sentences.Add($"Resumed{product} on {Format(t)}{late}: the balance reached {Money(balance)}, which clears the arrears{minimum}; the service runs again{down}.");
                        break;
                    case TransitionReason.RetentionExpired:
                        var from = suspendedAt ?? t - policy.Retention;
                        sentences.Add($"Purged{product} on {Format(t)}: {Words(policy.Retention)} passed after the suspension on {Format(from)} without payment; configuration and data are destroyed (balance {Money(balance)}).");
                        break;
                }
            }

            foreach (var group in notifications[t].GroupBy(n => n.Kind))
            {
                var recipients = Join(group.Select(n => P(n.Recipient)).Distinct(StringComparer.Ordinal));
                var channels = Join(group.Select(n => P(n.Channel)).Distinct(StringComparer.Ordinal));
                var about = group.Key switch
                {
                    NotificationKind.Overdue => "the account is overdue",
                    NotificationKind.Suspended => "the service is suspended",
                    NotificationKind.PurgeWarning when suspendedAt is { } s =>
                        $"configuration and data will be destroyed on {Format(s + policy.Retention)}, in {Words(s + policy.Retention - t)}, unless the balance is paid",
                    NotificationKind.PurgeWarning => "configuration and data will soon be destroyed unless the balance is paid",
                    NotificationKind.Resumed => "the service runs again",
                    NotificationKind.Purged => "configuration and data are destroyed",
                    _ when scenario.Account.BalanceAlarm is { } alarm => $"the balance fell to {Money(BalanceAt(t))}, below the alarm of {Money(alarm)}",
                    _ => "the balance is low",
                };
                sentences.Add($"Told {recipients} by {channels} on {Format(t)} ({group.Key}): {about}.");
            }
        }

        var final = timeline.Final;
        var next = final.NextReviewAt is { } at
            ? $"; the next deadline or warning is on {Format(at)}"
            : "; nothing further is scheduled";
        sentences.Add($"At the end of the replay ({Format(scenario.Until)}) the account is {final.Status} with a balance of {Money(final.Balance)}{next}.");
        return sentences;
    }

    /// <summary>Formats an instant for people: <c>2 Feb 2026 08:30 UTC</c>, with seconds only when they are not zero.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The text.</returns>
    public static string Format(Instant instant) =>
        instant.InUtc().Second == 0 && instant.InUtc().NanosecondOfSecond == 0 ? Minutes.Format(instant) : Seconds.Format(instant);

    /// <summary>Says a duration in words: <c>24 hours</c>, <c>180 days</c>, <c>1 day 6 hours</c>, <c>1 second</c>.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The text.</returns>
    public static string Words(Duration duration)
    {
        if (duration == Duration.Zero)
        {
            return "no time";
        }

        var sign = duration < Duration.Zero ? "minus " : string.Empty;
        duration = duration < Duration.Zero ? -duration : duration;
        var hours = ((long)duration.Days * 24) + duration.Hours;
        if (duration.Minutes == 0 && duration.Seconds == 0 && duration.SubsecondNanoseconds == 0 && hours is >= 1 and <= 72)
        {
            return sign + Unit(hours, "hour");
        }

        var parts = new List<string>();
        if (duration.Days != 0)
        {
            parts.Add(Unit(duration.Days, "day"));
        }

        if (duration.Hours != 0)
        {
            parts.Add(Unit(duration.Hours, "hour"));
        }

        if (duration.Minutes != 0)
        {
            parts.Add(Unit(duration.Minutes, "minute"));
        }

        var seconds = duration.Seconds + (duration.SubsecondNanoseconds / (decimal)NodaConstants.NanosecondsPerSecond);
        if (seconds != 0)
        {
            parts.Add(seconds == 1 ? "1 second" : seconds.ToString("0.#########", CultureInfo.InvariantCulture) + " seconds");
        }

        return sign + string.Join(" ", parts);
    }

    /// <summary>Returns the balance at an instant from the balance steps (sorted by instant), by binary search.</summary>
    private static decimal BalanceAtInstant(IReadOnlyList<BalanceStep> steps, decimal opening, Instant t)
    {
        // The number of steps at or before t.
        int lo = 0, hi = steps.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (steps[mid].At <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo == 0 ? opening : steps[lo - 1].Balance;
    }

    /// <summary>Keeps an id or a name from the scenario printable: control characters are written as <c>\u001b</c> escapes.</summary>
    private static string P(string text) => JsonFields.Printable(text);

    private static string Unit(long count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");

    private static string Boundary(DeadlineBoundary boundary) => boundary.ToString().ToLowerInvariant();

    private static string Kind(LedgerEntryKind kind) => kind.ToString().ToLowerInvariant();

    private static string Period(RatedCharge charge) =>
        charge.CycleEnd == charge.CycleStart ? $"at {Format(charge.CycleStart)}" : $"from {Format(charge.CycleStart)} to {Format(charge.CycleEnd)}";

    private static string Join(IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count <= 1)
        {
            return list.Count == 0 ? "nobody" : list[0];
        }

        var sb = new StringBuilder();
        sb.AppendJoin(", ", list.Take(list.Count - 1)).Append(" and ").Append(list[^1]);
        return sb.ToString();
    }
}
