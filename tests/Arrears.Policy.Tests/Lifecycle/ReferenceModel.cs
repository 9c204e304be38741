using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// An independent oracle for the lifecycle rules, written episode by episode from the specification rather than instant by
/// instant like the engine: it walks the entry instants of each window and decides who wins at the boundaries.
/// </summary>
internal static class ReferenceModel
{
    public sealed record Expected(List<(Instant At, LifecycleStatus From, LifecycleStatus To, TransitionReason Reason, int Episode)> Transitions, List<(Instant At, NotificationKind Kind)> Events);

    public static Expected Run(LawCase c)
    {
        var ledger = c.Ledger();
        var instants = ledger.Entries.Select(e => e.At).Distinct().Order().Where(t => t <= c.Until).ToList();
        var transitions = new List<(Instant, LifecycleStatus, LifecycleStatus, TransitionReason, int)>();
        var events = new List<(Instant At, NotificationKind Kind)>();
        bool InArrears(Instant t) => ledger.BalanceAt(t) < -c.Tolerance;
        bool CanResume(Instant t) => !InArrears(t) && (c.ResumeMinimum is not { } min || ledger.BalanceAt(t) >= min);

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
            transitions.Add((s, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, episode));
            events.Add((s, NotificationKind.Overdue));
            var d = s + c.Grace;

            // Overdue: paid before the deadline (or at it, when inclusive), else suspended at the deadline.
            var paid = instants.Where(t => t > s && !InArrears(t)).Cast<Instant?>().FirstOrDefault();
            if (paid is { } e && (e < d || (e == d && c.GraceBoundary == DeadlineBoundary.Inclusive)))
            {
                transitions.Add((e, LifecycleStatus.Overdue, LifecycleStatus.Active, TransitionReason.Paid, episode));
                cursor = e;
                continue;
            }

            if (d > c.Until)
            {
                break;
            }

            transitions.Add((d, LifecycleStatus.Overdue, LifecycleStatus.Suspended, TransitionReason.GraceExpired, episode));
            events.Add((d, NotificationKind.Suspended));
            var p = d + c.Retention;

            bool Allowed(Instant t) =>
                (t == d && t == p)
                    ? c.GraceBoundary == DeadlineBoundary.Exclusive && c.RetentionBoundary == DeadlineBoundary.Inclusive
                    : t == d
                        ? c.GraceBoundary == DeadlineBoundary.Exclusive
                        : t == p ? c.RetentionBoundary == DeadlineBoundary.Inclusive : t > d && t < p;

            var resumeAt = instants.Where(t => t >= d && t <= p && Allowed(t) && CanResume(t)).Cast<Instant?>().FirstOrDefault();

            foreach (var w in c.Warnings.Distinct().OrderDescending())
            {
                var warnAt = p - w;
                if (warnAt > d && warnAt <= c.Until && (resumeAt is null || resumeAt > warnAt))
                {
                    events.Add((warnAt, NotificationKind.PurgeWarning));
                }
            }

            if (resumeAt is { } ra && ra <= c.Until)
            {
                transitions.Add((ra, LifecycleStatus.Suspended, LifecycleStatus.Active, TransitionReason.Resumed, episode));
                events.Add((ra, NotificationKind.Resumed));
                cursor = ra;
                continue;
            }

            if (p <= c.Until)
            {
                transitions.Add((p, LifecycleStatus.Suspended, LifecycleStatus.Purged, TransitionReason.RetentionExpired, episode));
                events.Add((p, NotificationKind.Purged));
                purgedAt = p;
                // The purge precedes the instant's alarm check only when it fires in step 1: an exclusive purge deadline that
                // already existed, or one created by an exclusive suspension deadline that itself already existed.
                purgedBeforeAlarm = c.RetentionBoundary == DeadlineBoundary.Exclusive &&
                                    (d < p || (c.GraceBoundary == DeadlineBoundary.Exclusive && s < d));
            }

            break;
        }

        // The balance alarm: crossings at entry instants, whatever the state, except once purged.
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
                    events.Add((t, NotificationKind.BalanceLow));
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
