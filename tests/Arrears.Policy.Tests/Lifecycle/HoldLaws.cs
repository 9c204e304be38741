using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// The laws of time extended to holds (specification section 9), as FsCheck properties over generated histories with at
/// least one hold around the deadline boundaries, checked against the engine itself and the independent
/// <see cref="ReferenceModel"/>. A failing case prints as a replayable scenario.
/// </summary>
[Properties(Arbitrary = [typeof(HoldLaws)], MaxTest = 1000)]
public sealed class HoldLaws
{
    private static readonly Duration[] RevocationOffsets = [Duration.Epsilon, Duration.FromSeconds(1), Duration.FromMinutes(30), Duration.FromHours(1), Duration.FromDays(1), Duration.FromDays(4)];

    public static Arbitrary<LawCase> Cases() => Arb.From(LawArbitraries.WithHolds(), LawArbitraries.Shrink);

    /// <summary>Schedule independence with holds known on time: any increasing sequence of evaluations ending at T gives what one evaluation at T gives.</summary>
    [Property]
    public Property Evaluate_HoldsKnownOnTime_AreScheduleIndependent(LawCase c)
    {
        var once = LifecycleLaws.Once(c);
        var stepwise = LifecycleLaws.Stepwise(c, [.. c.Evaluations, c.Until]);

        var same = once.Transitions.SequenceEqual(stepwise.Transitions) &&
                   once.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal).SequenceEqual(stepwise.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal), StringComparer.Ordinal) &&
                   once.State.Lifecycles[0] == stepwise.State.Lifecycles[0];
        return same.Label($"once: {LifecycleLaws.Show(once.Transitions)}{Environment.NewLine}stepwise: {LifecycleLaws.Show(stepwise.Transitions)}")
            .Classify(once.Transitions.Any(t => t.DeferredFrom is not null), "a deadline deferred");
    }

    /// <summary>
    /// A hold never advances a deadline: nothing changes before the first hold starts, and an episode that starts at the same
    /// instant with and without holds is suspended and purged no earlier with them.
    /// </summary>
    [Property]
    public Property Evaluate_AHold_NeverAdvancesADeadline(LawCase c)
    {
        var held = LifecycleLaws.Once(c).Transitions;
        var free = LifecycleLaws.Once(c, holds: HoldSet.Empty).Transitions;
        var firstStart = c.Holds.Min(h => h.From);

        var samePrefix = held.TakeWhile(t => t.At < firstStart).SequenceEqual(free.TakeWhile(t => t.At < firstStart));
        var starts = free.Where(t => t.Reason == TransitionReason.InArrears).ToDictionary(t => t.Episode, t => t.At);
        var heldStarts = held.Where(t => t.Reason == TransitionReason.InArrears).ToDictionary(t => t.Episode, t => t.At);
        var noEarlier = held
            .Where(t => t.Reason is TransitionReason.GraceExpired or TransitionReason.RetentionExpired)
            .Where(t => starts.TryGetValue(t.Episode, out var start) && start == heldStarts[t.Episode])
            .All(t => free.FirstOrDefault(f => f.Episode == t.Episode && f.Reason == t.Reason) is not { } f || f.At <= t.At);
        var deferredLater = held.All(t => t.DeferredFrom is not { } from || from < t.At);
        return (samePrefix && noEarlier && deferredLater)
            .Label($"with holds: {LifecycleLaws.Show(held)}{Environment.NewLine}without: {LifecycleLaws.Show(free)}");
    }

    /// <summary>
    /// An open-ended hold means no action and no review instant: no deadline of its kind whose nominal instant lies in the
    /// hold acts, and a lifecycle left waiting on such a deadline has no next review.
    /// </summary>
    [Property]
    public Property Evaluate_OpenEndedHold_NoActionAndNoReviewInstant(LawCase c, bool all)
    {
        var from = c.Holds[0].From;
        var kind = all ? HoldKind.All : c.Holds[0].Kind;
        var open = c with { Holds = [.. c.Holds.Skip(1), new LawHold("open", kind, from, null)], Revocations = [] };
        var evaluation = LifecycleLaws.Once(open);
        bool Covers(TransitionReason reason) =>
            kind == HoldKind.All || (kind == HoldKind.Suspension ? reason == TransitionReason.GraceExpired : reason == TransitionReason.RetentionExpired);

        var noAction = evaluation.Transitions
            .Where(t => t.Reason is TransitionReason.GraceExpired or TransitionReason.RetentionExpired && Covers(t.Reason))
            .All(t => (t.DeferredFrom ?? t.At) < from);
        var s = evaluation.State.Lifecycles[0];
        var waiting = (s.Status == LifecycleStatus.Overdue && Covers(TransitionReason.GraceExpired) && s.SuspendAt >= from) ||
                      (s.Status == LifecycleStatus.Suspended && Covers(TransitionReason.RetentionExpired) && s.PurgeAt >= from);
        var noReview = !waiting || evaluation.NextReviewAt is null;
        return (noAction && noReview)
            .Label($"{LifecycleLaws.Show(evaluation.Transitions)}; final {s}; next review {evaluation.NextReviewAt}")
            .Classify(waiting, "waiting under the open-ended hold");
    }

    /// <summary>Revoking a hold at <c>r</c> equals a hold that ended at <c>r</c>: the same transitions, holds named, keys, state and next review.</summary>
    [Property]
    public Property Evaluate_RevokingAtR_EqualsAHoldThatEndedAtR(LawCase c, int pick, int offset)
    {
        var hold = c.Holds[Math.Abs(pick % c.Holds.Count)];
        var r = hold.From + RevocationOffsets[Math.Abs(offset % RevocationOffsets.Length)];
        var revoked = c with { Revocations = [new LawRevocation("r0", hold.Id, r)] };
        var ended = c with { Holds = [.. c.Holds.Select(h => h.Id == hold.Id ? h with { Until = h.Until is { } u && u < r ? u : r } : h)] };

        var a = LifecycleLaws.Once(revoked);
        var b = LifecycleLaws.Once(ended);
        var same = a.Transitions.SequenceEqual(b.Transitions) &&
                   a.Notifications.Select(n => n.Key).SequenceEqual(b.Notifications.Select(n => n.Key)) &&
                   a.State == b.State && a.NextReviewAt == b.NextReviewAt;
        return same.Label($"revoked {hold.Id} at {r}: {LifecycleLaws.Show(a.Transitions)}{Environment.NewLine}ended: {LifecycleLaws.Show(b.Transitions)}");
    }

    /// <summary>Holds on one product leave the others alone: each product behaves as on its own, with its own holds only.</summary>
    [Property]
    public Property Evaluate_HoldsOnOneProduct_LeaveTheOthersAlone(LawCase c, LawCase other)
    {
        var products = new AccountPolicyBuilder().AddProduct("a", c.Policy()).AddProduct("b", other.Policy()).Build();
        var ledger = c.Ledger();
        var both = products.Evaluate(c.Account(), ledger, c.HoldSet("a"), AccountState.Initial, c.Until);

        IEnumerable<(Instant, LifecycleStatus, LifecycleStatus, TransitionReason, int, Instant?, string)> Of(IEnumerable<Transition> transitions) =>
            transitions.Select(t => (t.At, t.From, t.To, t.Reason, t.Episode, t.DeferredFrom, string.Join(",", t.HeldBy)));
        IEnumerable<string> Keys(IEnumerable<NotificationIntent> intents, string? product) =>
            intents.Where(n => n.Kind != NotificationKind.BalanceLow).Select(n => product is null ? n.Key.Value : n.Key.Value.Replace($"/{product}/", "/", StringComparison.Ordinal));

        var aloneA = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger, c.HoldSet(), AccountState.Initial, c.Until);
        var aloneB = AccountPolicy.For(other.Policy()).Evaluate(c.Account(), ledger, HoldSet.Empty, AccountState.Initial, c.Until);
        var sameA = Of(aloneA.Transitions).SequenceEqual(Of(both.Transitions.Where(t => t.Product == "a"))) &&
                    Keys(aloneA.Notifications, null).SequenceEqual(Keys(both.Notifications.Where(n => n.Product == "a"), "a"));
        var sameB = Of(aloneB.Transitions).SequenceEqual(Of(both.Transitions.Where(t => t.Product == "b"))) &&
                    Keys(aloneB.Notifications, null).SequenceEqual(Keys(both.Notifications.Where(n => n.Product == "b"), "b"));
        return (sameA && sameB).Label(LifecycleLaws.Show(both.Transitions));
    }

    /// <summary>
    /// Late holds never rewrite decisions: holds that become known at an evaluation in the middle change nothing decided
    /// before it, and the whole history is the model's with those holds starting just after that evaluation.
    /// </summary>
    [Property]
    public Property Evaluate_LateHolds_NeverRewriteDecisions(LawCase c, int seed)
    {
        var random = new Random(seed);
        var middle = c.Evaluations.Count > 0 ? c.Evaluations[random.Next(c.Evaluations.Count)] : LawCase.T0 + Duration.FromHours(12);
        var late = c.Holds.Where(_ => random.Next(2) == 0).ToList();
        var onTime = c.Holds.Except(late).ToList();
        var policy = AccountPolicy.For(c.Policy());
        var ledger = c.Ledger();
        var until = c.Until > middle ? c.Until : middle + Duration.FromHours(1);

        var first = policy.Evaluate(c.Account(), ledger, new HoldSet([.. onTime.Select(h => h.ToHold())]), AccountState.Initial, middle);
        var second = policy.Evaluate(c.Account(), ledger, c.HoldSet(), first.State, until);

        // As known: a late hold counts only from just after the evaluation that first saw it.
        var known = onTime.Concat(late
                .Select(h => h with { From = Instant.Max(h.From, middle + Duration.Epsilon) })
                .Where(h => h.Until is null || h.Until > h.From))
            .ToList();
        var expected = ReferenceModel.Run(c with { Until = until }, known, []);
        var actual = first.Transitions.Concat(second.Transitions).Select(t => (t.At, t.From, t.To, t.Reason, t.Episode)).ToList();
        var agrees = expected.Transitions.Select(t => (t.At, t.From, t.To, t.Reason, t.Episode)).SequenceEqual(actual);
        var allAfter = second.Transitions.All(t => t.At > middle && !t.IsLate);
        return (agrees && allAfter)
            .Label($"evaluated at {middle} with {string.Join(",", onTime.Select(h => h.Id))}, then {until} with all{Environment.NewLine}expected {string.Join(" | ", expected.Transitions)}{Environment.NewLine}actual   {LifecycleLaws.Show(first.Transitions.Concat(second.Transitions))}")
            .Classify(late.Count > 0, "with late holds");
    }
}
