using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// An independent oracle for the lifecycle rules, written episode by episode from the specification rather than instant by
/// instant like the engine: it walks the entry instants of each window and decides who wins at the boundaries. Holds
/// (section 9) are read as the specification states them: the windows of one kind are merged into blocks where they
/// overlap or touch, and a deadline inside a block acts at the block's end (never, for a block with no end).
/// </summary>
internal static class ReferenceModel
{
    public sealed record Step(Instant At, LifecycleStatus From, LifecycleStatus To, TransitionReason Reason, int Episode, Instant? DeferredFrom = null, string HeldBy = "");

    public sealed record Expected(List<Step> Transitions, List<(Instant At, NotificationKind Kind, Instant? PurgeAt)> Events);

    /// <summary>The windows of the holds that pause deadlines of <paramref name="kind"/>: each hold's window, ended early by its earliest revocation, empty ones dropped.</summary>
    public static List<(string Id, Instant From, Instant? End)> Windows(IReadOnlyList<LawHold> holds, IReadOnlyList<LawRevocation> revocations, HoldKind kind)
    {
        var windows = new List<(string, Instant, Instant?)>();
        foreach (var hold in holds.Where(h => h.Kind == kind || h.Kind == HoldKind.All))
        {
            var end = hold.Until;
            foreach (var revocation in revocations.Where(r => r.Revokes == hold.Id))
            {
                end = end is { } e && e <= revocation.At ? e : revocation.At;
            }

            if (end is null || end > hold.From)
            {
                windows.Add((hold.Id, hold.From, end));
            }
        }

        return windows;
    }

    /// <summary>
    /// Where a deadline at <paramref name="deadline"/> acts under <paramref name="windows"/>: the end of the merged block of
    /// windows that contains it (null for a block with no end), or the deadline itself; and the holds in force between the two.
    /// </summary>
    public static (Instant? At, string HeldBy) Defer(List<(string Id, Instant From, Instant? End)> windows, Instant deadline)
    {
        // Merge into blocks: sorted by start, a window that starts at or before the block's end joins it.
        var blocks = new List<(Instant Start, Instant? End)>();
        foreach (var (_, from, end) in windows.OrderBy(w => w.From))
        {
            if (blocks.Count > 0 && (blocks[^1].End is null || from <= blocks[^1].End))
            {
                var last = blocks[^1];
                blocks[^1] = (last.Start, last.End is null || end is null ? null : Instant.Max(last.End.Value, end.Value));
            }
            else
            {
                blocks.Add((from, end));
            }
        }

        var block = blocks.Where(b => b.Start <= deadline && (b.End is null || deadline < b.End)).Cast<(Instant, Instant?)?>().FirstOrDefault();
        if (block is not { } found)
        {
            return (deadline, string.Empty);
        }

        if (found.Item2 is not { } effective)
        {
            return (null, string.Empty);
        }

        var heldBy = windows.Where(w => w.From < effective && (w.End is null || w.End > deadline)).Select(w => w.Id);
        return (effective, string.Join(",", heldBy));
    }

    public static Expected Run(LawCase c) => Run(c, c.Holds, c.Revocations);

    public static Expected Run(LawCase c, IReadOnlyList<LawHold> holds, IReadOnlyList<LawRevocation> revocations)
    {
        var ledger = c.Ledger();
        var instants = ledger.Entries.Select(e => e.At).Distinct().Order().Where(t => t <= c.Until).ToList();
        var transitions = new List<Step>();
        var events = new List<(Instant At, NotificationKind Kind, Instant? PurgeAt)>();
        var suspensionWindows = Windows(holds, revocations, HoldKind.Suspension);
        var purgeWindows = Windows(holds, revocations, HoldKind.Purge);
        bool InArrears(Instant t) => ledger.BalanceAt(t) < -c.Tolerance;
        bool CanResume(Instant t) => !InArrears(t) && (c.ResumeMinimum is not { } min || ledger.BalanceAt(t) >= min);
        Step Deadline(Instant at, Instant nominal, string heldBy, LifecycleStatus from, LifecycleStatus to, TransitionReason reason, int episode) =>
            at == nominal ? new(at, from, to, reason, episode) : new(at, from, to, reason, episode, nominal, heldBy);

        var episode = 0;
        Instant? cursor = null; // instants strictly after this are candidates for leaving Active
        Instant? purgedAt = null;
        bool purgedBeforeAlarm = false;
        while (true)
        {
            // Active: the first entry instant in arrears starts an episode.
            var start = instants.Where(t => cursor is null || t > cursor).Where(InArrears).Cast<Instant?>().FirstOrDefault();
            if (start is not { } s)
            {
                break;
            }

            episode++;
            transitions.Add(new(s, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, episode));
            events.Add((s, NotificationKind.Overdue, null));
            var nominalSuspension = s + c.Grace;
            var (deferredSuspension, suspensionHeldBy) = Defer(suspensionWindows, nominalSuspension);

            // Overdue: paid before the (effective) deadline, or at it when inclusive; else suspended at it, or never under
            // a hold with no end.
            var paid = instants.Where(t => t > s && !InArrears(t)).Cast<Instant?>().FirstOrDefault();
            if (paid is { } e && (deferredSuspension is not { } due || e < due || (e == due && c.GraceBoundary == DeadlineBoundary.Inclusive)))
            {
                transitions.Add(new(e, LifecycleStatus.Overdue, LifecycleStatus.Active, TransitionReason.Paid, episode));
                cursor = e;
                continue;
            }

            if (deferredSuspension is not { } d || d > c.Until)
            {
                break;
            }

            transitions.Add(Deadline(d, nominalSuspension, suspensionHeldBy, LifecycleStatus.Overdue, LifecycleStatus.Suspended, TransitionReason.GraceExpired, episode));
            events.Add((d, NotificationKind.Suspended, null));

            // Retention starts at the effective suspension.
            var nominalPurge = d + c.Retention;
            var (deferredPurge, purgeHeldBy) = Defer(purgeWindows, nominalPurge);

            bool Allowed(Instant t) =>
                (t == d && t == deferredPurge)
                    ? c.GraceBoundary == DeadlineBoundary.Exclusive && c.RetentionBoundary == DeadlineBoundary.Inclusive
                    : t == d
                        ? c.GraceBoundary == DeadlineBoundary.Exclusive
                        : t == deferredPurge ? c.RetentionBoundary == DeadlineBoundary.Inclusive : t > d && (deferredPurge is null || t < deferredPurge);

            var resumeAt = instants.Where(t => t >= d && (deferredPurge is null || t <= deferredPurge) && Allowed(t) && CanResume(t)).Cast<Instant?>().FirstOrDefault();

            if (deferredPurge is { } purge)
            {
                foreach (var w in c.Warnings.Distinct().OrderDescending())
                {
                    var warnAt = purge - w;
                    if (warnAt > d && warnAt <= c.Until && (resumeAt is null || resumeAt > warnAt))
                    {
                        events.Add((warnAt, NotificationKind.PurgeWarning, purge));
                    }
                }
            }

            if (resumeAt is { } ra && ra <= c.Until)
            {
                transitions.Add(new(ra, LifecycleStatus.Suspended, LifecycleStatus.Active, TransitionReason.Resumed, episode));
                events.Add((ra, NotificationKind.Resumed, null));
                cursor = ra;
                continue;
            }

            if (deferredPurge is { } p && p <= c.Until)
            {
                transitions.Add(Deadline(p, nominalPurge, purgeHeldBy, LifecycleStatus.Suspended, LifecycleStatus.Purged, TransitionReason.RetentionExpired, episode));
                events.Add((p, NotificationKind.Purged, null));
                purgedAt = p;
                // The purge precedes the instant's alarm check only when it fires in step 1: an exclusive purge deadline that
                // already existed, or one created by an exclusive suspension deadline that itself already existed.
                purgedBeforeAlarm = c.RetentionBoundary == DeadlineBoundary.Exclusive &&
                                    (d < p || (c.GraceBoundary == DeadlineBoundary.Exclusive && s < d));
            }

            break;
        }

        // The balance alarm: crossings at entry instants, whatever the state (holds or not), except once purged.
        if (c.Alarm is { } alarm)
        {
            var armed = c.Opening >= alarm;
            foreach (var t in instants)
            {
                if (purgedAt is { } pa && (t > pa || (t == pa && purgedBeforeAlarm)))
                {
                    break;
                }

                var balance = ledger.BalanceAt(t);
                if (armed && balance < alarm)
                {
                    armed = false;
                    events.Add((t, NotificationKind.BalanceLow, null));
                }
                else if (!armed && balance >= alarm)
                {
                    armed = true;
                }
            }
        }

        return new Expected(transitions, events);
    }
}
