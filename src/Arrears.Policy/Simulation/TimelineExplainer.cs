using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Text;

using Arrears.Policy.Billing;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Tells a <see cref="Timeline"/> in sentences a support agent can read: what was billed and paid, which holds were granted
/// and revoked, why each transition happened (and why one waited for a hold), who was told what, and where the account
/// stands at the end.
/// </summary>
/// <remarks>
/// Instants are shown in the account's billing time zone with its offset (<c>2 Feb 2026 16:30 +08:00</c>), or in UTC
/// (<c>2 Feb 2026 08:30 UTC</c>) for an account in UTC or when the caller asks for <see cref="DateTimeZone.Utc"/>.
/// </remarks>
/// <example>
/// <code>
/// var scenario = ScenarioJson.Read(json).Scenario!;
/// foreach (var sentence in TimelineExplainer.Explain(scenario, Simulator.Run(scenario)))
/// {
///     Console.WriteLine(sentence);
///     // Suspension deferred from 2 Feb 2026 08:30 UTC to 5 Feb 2026 00:00 UTC by hold h1, granted by agent-7: promise to pay.
/// }
/// </code>
/// </example>
public static class TimelineExplainer
{
    private static readonly InstantPattern Minutes = InstantPattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm 'UTC'");
    private static readonly InstantPattern Seconds = InstantPattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm':'ss;FFFFFFFFF 'UTC'");
    private static readonly ZonedDateTimePattern ZonedMinutes = ZonedDateTimePattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm o<+HH:mm>", null);
    private static readonly ZonedDateTimePattern ZonedSeconds = ZonedDateTimePattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm':'ss;FFFFFFFFF o<+HH:mm>", null);

    /// <summary>Explains a timeline in sentences, in time order.</summary>
    /// <param name="scenario">The scenario the timeline was produced from (for the policies, the entries, the holds and the opening balance).</param>
    /// <param name="timeline">The timeline.</param>
    /// <param name="zone">
    /// The time zone to show instants in; by default (<see langword="null"/>) the account's billing time zone
    /// (<see cref="Scenario.TimeZone"/>), with its offset. <see cref="DateTimeZone.Utc"/> shows UTC.
    /// </param>
    /// <returns>
    /// One sentence per event or group of events at one instant, then one about the final state. Ids and names holding
    /// control characters are written with escapes such as <c>\u001b</c>, so that a sentence never drives a terminal.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<string> Explain(Scenario scenario, Timeline timeline, DateTimeZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(timeline);
        zone ??= scenario.TimeZone;
        string At(Instant instant) => Format(instant, zone);
        var currency = timeline.Currency;
        string Money(decimal amount) => $"{currency.Format(amount)} {currency.Code}";
        var steps = timeline.BalanceSteps;
        decimal BalanceAt(Instant t) => BalanceAtInstant(steps, scenario.OpeningBalance, t);
        var products = scenario.AccountPolicy.Products;
        LifecyclePolicy PolicyOf(string? product) => products.FirstOrDefault(p => string.Equals(p.Name, product, StringComparison.Ordinal))?.Policy ?? scenario.Policy;
        string Threshold(LifecyclePolicy policy) => policy.Tolerance == 0 ? "zero" : Money(-policy.Tolerance);
        string Rules(LifecyclePolicy policy) =>
            $"{Words(policy.Grace)} of grace ({Boundary(policy.GraceBoundary)}) once the balance falls below {Threshold(policy)}, then {Words(policy.Retention)} of retention ({Boundary(policy.RetentionBoundary)}) before the purge";

        var sentences = new List<string>();
        if (products.Count == 1 && products[0].Name is null)
        {
            sentences.Add($"Account {P(timeline.Account)} ({currency.Code}) follows the policy {P(scenario.Policy.Name)}: {Rules(scenario.Policy)}; the opening balance is {Money(scenario.OpeningBalance)}.");
        }
        else
        {
            sentences.Add(string.Create(CultureInfo.InvariantCulture, $"Account {P(timeline.Account)} ({currency.Code}) has {products.Count} products sharing one balance; the opening balance is {Money(scenario.OpeningBalance)}."));
            sentences.AddRange(products.Select(p => $"Product {P(p.Name!)} follows the policy {P(p.Policy.Name)}: {Rules(p.Policy)}."));
        }

        // Each list is grouped by instant once, so that the story is told in O(n log n) however long the scenario is.
        var holdSet = Simulator.KnownHolds(scenario, scenario.Until, recordedBy: null);
        var holdsById = holdSet.Holds.ToDictionary(h => h.Id, StringComparer.Ordinal);
        var entries = timeline.Entries.ToLookup(e => e.At);
        var charges = timeline.Charges.ToLookup(c => c.At);
        var transitions = timeline.Transitions.ToLookup(t => t.At);
        var notifications = timeline.Notifications.ToLookup(n => n.At);
        var holds = holdSet.Holds.ToLookup(h => h.From);
        var revocations = holdSet.Revocations.ToLookup(r => r.At);
        var instants = entries.Select(g => g.Key)
            .Concat(charges.Select(g => g.Key))
            .Concat(transitions.Select(g => g.Key))
            .Concat(notifications.Select(g => g.Key))
            .Concat(holds.Select(g => g.Key))
            .Concat(revocations.Select(g => g.Key))
            .Distinct()
            .Order()
            .ToList();

        var overdueSince = new Dictionary<string, Instant>(StringComparer.Ordinal);
        var suspendedAt = new Dictionary<string, Instant>(StringComparer.Ordinal);
        foreach (var t in instants)
        {
            foreach (var hold in holds[t])
            {
                // As granted; a revocation is told at its own instant.
                var until = hold.Until is { } end ? $"until {At(end)}" : "until it is revoked";
                sentences.Add($"Hold {P(hold.Id)} granted by {P(hold.GrantedBy)} ({P(hold.Reason)}): {Pauses(hold.Kind)}{ProductOf(hold.Product)} from {At(hold.From)} {until}.");
            }

            foreach (var revocation in revocations[t])
            {
                sentences.Add($"Hold {P(revocation.Revokes)} revoked by {P(revocation.RevokedBy)} as of {At(t)} ({P(revocation.Reason)}).");
            }

            var balance = BalanceAt(t);
            var moves = entries[t].Select(e => $"{Kind(e.Kind)} {P(e.Id)} of {Money(e.Amount)}")
                .Concat(charges[t].Select(c => $"charge {P(c.Id)} of {Money(c.Amount)} for {P(c.Item)} used {Period(c, At)}"))
                .ToList();
            if (moves.Count > 0)
            {
                sentences.Add($"On {At(t)}: {string.Join("; ", moves)}. The balance is now {Money(balance)}.");
            }

            foreach (var transition in transitions[t])
            {
                var policy = PolicyOf(transition.Product);
                var key = transition.Product ?? string.Empty;
                var late = transition.IsLate
                    ? transition.Reason is TransitionReason.GraceExpired or TransitionReason.RetentionExpired
                        ? " (decided late: the hold that deferred it was revoked by a revocation recorded after that instant had passed)"
                        : " (caused by a ledger entry that was booked late)"
                    : string.Empty;
                var product = transition.Product is null ? string.Empty : $" [{P(transition.Product)}]";
                if (transition.DeferredFrom is { } deferredFrom)
                {
                    var what = transition.Reason == TransitionReason.GraceExpired ? "Suspension" : "Purge";
                    sentences.Add($"{what}{product} deferred from {At(deferredFrom)} to {At(t)} by {HeldBy(transition.HeldBy, holdsById)}.");
                }

                switch (transition.Reason)
                {
                    case TransitionReason.InArrears:
                        overdueSince[key] = t;
                        sentences.Add($"Overdue{product} on {At(t)}{late}: the balance fell to {Money(balance)}, below {Threshold(policy)}; the service keeps running until {At(t + policy.Grace)} ({Words(policy.Grace)} of grace, {Boundary(policy.GraceBoundary)}).");
                        break;
                    case TransitionReason.Paid:
                        sentences.Add($"Active again{product} on {At(t)}{late}: the balance rose to {Money(balance)} within the grace period, so the account was never suspended.");
                        break;
                    case TransitionReason.GraceExpired:
                        suspendedAt[key] = t;
                        var since = overdueSince.TryGetValue(key, out var o) ? o : (transition.DeferredFrom ?? t) - policy.Grace;
                        var waited = transition.DeferredFrom is null ? string.Empty : ", and the suspension waited for the hold to end";
                        sentences.Add($"Suspended{product} on {At(t)}{late}: {Words(policy.Grace)} passed after the balance fell to {Money(BalanceAt(since))} on {At(since)} without full payment{waited}; the balance is {Money(balance)}. Configuration and data are kept until {At(t + policy.Retention)}.");
                        break;
                    case TransitionReason.Resumed:
                        var minimum = policy.ResumeMinimumBalance is { } m ? $" and meets the minimum of {Money(m)}" : string.Empty;
                        var down = suspendedAt.TryGetValue(key, out var s) ? $" after {Words(t - s)} suspended" : string.Empty;
                        sentences.Add($"Resumed{product} on {At(t)}{late}: the balance reached {Money(balance)}, which clears the arrears{minimum}; the service runs again{down}.");
                        break;
                    case TransitionReason.RetentionExpired:
                        var from = suspendedAt.TryGetValue(key, out var sa) ? sa : (transition.DeferredFrom ?? t) - policy.Retention;
                        var purgeWaited = transition.DeferredFrom is null ? string.Empty : ", and the purge waited for the hold to end";
                        sentences.Add($"Purged{product} on {At(t)}{late}: {Words(policy.Retention)} passed after the suspension on {At(from)} without payment{purgeWaited}; configuration and data are destroyed (balance {Money(balance)}).");
                        break;
                }
            }

            foreach (var group in notifications[t].GroupBy(n => (n.Kind, n.Product, n.PurgeAt)))
            {
                var recipients = Join(group.Select(n => P(n.Recipient)).Distinct(StringComparer.Ordinal));
                var channels = Join(group.Select(n => P(n.Channel)).Distinct(StringComparer.Ordinal));
                var product = group.Key.Product is null ? string.Empty : $" [{P(group.Key.Product)}]";
                var about = group.Key.Kind switch
                {
                    NotificationKind.Overdue => "the account is overdue",
                    NotificationKind.Suspended => "the service is suspended",
                    NotificationKind.PurgeWarning when group.Key.PurgeAt is { } purgeAt =>
                        $"configuration and data will be destroyed on {At(purgeAt)}, in {Words(purgeAt - t)}, unless the balance is paid",
                    NotificationKind.PurgeWarning => "configuration and data will soon be destroyed unless the balance is paid",
                    NotificationKind.Resumed => "the service runs again",
                    NotificationKind.Purged => "configuration and data are destroyed",
                    _ when scenario.Account.BalanceAlarm is { } alarm => $"the balance fell to {Money(BalanceAt(t))}, below the alarm of {Money(alarm)}",
                    _ => "the balance is low",
                };
                sentences.Add($"Told {recipients} by {channels} on {At(t)} ({group.Key.Kind}){product}: {about}.");
            }
        }

        var final = timeline.Final;
        var next = final.NextReviewAt is { } at
            ? $"; the next deadline or warning is on {At(at)}"
            : "; nothing further is scheduled";
        var each = final.Products is [{ Product: not null }, _, ..]
            ? " (" + string.Join(", ", final.Products.Select(p => $"{P(p.Product!)} {p.Status}")) + ")"
            : string.Empty;
        sentences.Add($"At the end of the replay ({At(scenario.Until)}) the account is {final.Status}{each} with a balance of {Money(final.Balance)}{next}.");
        return sentences;
    }

    /// <summary>Formats an instant for people, in UTC: <c>2 Feb 2026 08:30 UTC</c>, with seconds only when they are not zero.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The text.</returns>
    public static string Format(Instant instant) =>
        instant.InUtc().Second == 0 && instant.InUtc().NanosecondOfSecond == 0 ? Minutes.Format(instant) : Seconds.Format(instant);

    /// <summary>
    /// Formats an instant for people in a time zone, with the zone's offset at that instant: <c>2 Feb 2026 16:30 +08:00</c>
    /// (UTC itself as <c>2 Feb 2026 08:30 UTC</c>), with seconds only when they are not zero.
    /// </summary>
    /// <param name="instant">The instant.</param>
    /// <param name="zone">The time zone.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public static string Format(Instant instant, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone.Id is "UTC" or "Etc/UTC")
        {
            return Format(instant);
        }

        var local = instant.InZone(zone);
        return local.Second == 0 && local.NanosecondOfSecond == 0 ? ZonedMinutes.Format(local) : ZonedSeconds.Format(local);
    }

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

    private static string Period(RatedCharge charge, Func<Instant, string> at) =>
        charge.CycleEnd == charge.CycleStart ? $"at {at(charge.CycleStart)}" : $"from {at(charge.CycleStart)} to {at(charge.CycleEnd)}";

    private static string Pauses(HoldKind kind) => kind switch
    {
        HoldKind.Suspension => "no suspension",
        HoldKind.Purge => "no purge",
        _ => "no suspension or purge",
    };

    private static string ProductOf(string? product) => product is null ? string.Empty : $" of {P(product)}";

    /// <summary>Names the holds that deferred a transition: <c>hold h1, granted by agent-7: promise to pay</c>, or several of them.</summary>
    private static string HeldBy(IReadOnlyList<string> ids, Dictionary<string, Hold> holds)
    {
        string One(string id) => holds.TryGetValue(id, out var hold) ? $"{P(id)}, granted by {P(hold.GrantedBy)}: {P(hold.Reason)}" : P(id);
        return ids.Count switch
        {
            0 => "a hold since revoked",
            1 => "hold " + One(ids[0]),
            _ => "holds " + Join(ids.Select(id => holds.TryGetValue(id, out var hold) ? $"{P(id)} (granted by {P(hold.GrantedBy)}: {P(hold.Reason)})" : P(id))),
        };
    }

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
