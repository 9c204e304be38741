using NodaTime;
using static Arrears.Policy.Tests.Lifecycle.EngineHarness;

namespace Arrears.Policy.Tests.Lifecycle;

public sealed class LifecycleEngineTests
{
    private static readonly Duration Grace = Duration.FromHours(24);
    private static readonly Duration Retention = Duration.FromDays(180);
    private static readonly Duration Tick = Duration.Epsilon;

    [Fact]
    public void Evaluate_ChargeMakesBalanceNegative_EntersOverdueAtChargeInstantWithDeadline()
    {
        var h = new EngineHarness().Charge(T0, 25m);

        var result = h.EvaluateAt(T0 + Duration.FromHours(1));

        var t = Assert.Single(result.Transitions);
        Assert.Equal((T0, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1), (t.At, t.From, t.To, t.Reason, t.Episode));
        Assert.Equal(new ProductLifecycle(null, LifecycleStatus.Overdue, 1, T0, T0 + Grace, null), result.State.Lifecycles[0]);
        Assert.Equal(T0 + Grace, result.NextReviewAt);
        Assert.Equal(-25m, result.Balance);
    }

    [Fact]
    public void Evaluate_BalanceExactlyZero_IsNotInArrears()
    {
        var h = new EngineHarness(opening: 10m).Charge(T0, 10m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(400));

        Assert.Empty(result.Transitions);
        Assert.Equal(LifecycleStatus.Active, result.State.Lifecycles[0].Status);
        Assert.Null(result.NextReviewAt);
    }

    [Fact]
    public void Evaluate_ToleranceCoversDebt_NotInArrearsUntilBelowMinusTolerance()
    {
        var h = new EngineHarness(PolicyWith(o => o.Tolerance = 5m)).Charge(T0, 5m).Charge(T0 + Duration.FromHours(1), 0.01m);

        h.EvaluateAt(T0 + Duration.FromHours(2));

        Assert.Equal([$"{T0 + Duration.FromHours(1)} Active->Overdue InArrears"], h.Steps());
    }

    [Fact]
    public void Evaluate_PaidWithinGrace_ReturnsToActiveWithoutNotification()
    {
        var h = new EngineHarness().Charge(T0, 25m).Pay(T0 + Duration.FromHours(3), 25m);

        h.EvaluateAt(T0 + Duration.FromDays(2));

        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{T0 + Duration.FromHours(3)} Overdue->Active Paid"], h.Steps());
        Assert.All(h.Notifications, n => Assert.Equal(NotificationKind.Overdue, n.Kind));
        Assert.Equal(4, h.Notifications.Count); // 2 recipients x 2 channels
    }

    [Fact]
    public void Evaluate_PaymentAtInclusiveGraceDeadline_CuresBeforeSuspension()
    {
        var h = new EngineHarness().Charge(T0, 25m).Pay(T0 + Grace, 25m);

        h.EvaluateAt(T0 + Duration.FromDays(30));

        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Active Paid"], h.Steps());
    }

    [Fact]
    public void Evaluate_PaymentAtExclusiveGraceDeadline_SuspendsThenResumesAtThatInstant()
    {
        var h = new EngineHarness(PolicyWith(o => o.GraceBoundary = DeadlineBoundary.Exclusive)).Charge(T0, 25m).Pay(T0 + Grace, 25m);

        h.EvaluateAt(T0 + Duration.FromDays(30));

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Suspended GraceExpired", $"{T0 + Grace} Suspended->Active Resumed"],
            h.Steps());
        Assert.Equal([$"{T0} Overdue", $"{T0 + Grace} Suspended", $"{T0 + Grace} Resumed"], h.Kinds());
    }

    [Fact]
    public void Evaluate_PaymentOneTickAfterInclusiveDeadline_IsSuspendedThenResumed()
    {
        var h = new EngineHarness().Charge(T0, 25m).Pay(T0 + Grace + Tick, 25m);

        h.EvaluateAt(T0 + Duration.FromDays(30));

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Suspended GraceExpired", $"{T0 + Grace + Tick} Suspended->Active Resumed"],
            h.Steps());
    }

    [Fact]
    public void Evaluate_PartialPaymentsAndNewCharges_NeverMoveTheDeadlines()
    {
        var h = new EngineHarness()
            .Charge(T0, 25m)
            .Pay(T0 + Duration.FromHours(5), 20m)
            .Charge(T0 + Duration.FromHours(6), 3m)
            .Pay(T0 + Duration.FromHours(7), 7.99m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(2));

        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Suspended GraceExpired"], h.Steps());
        Assert.Equal(new ProductLifecycle(null, LifecycleStatus.Suspended, 1, T0, T0 + Grace, T0 + Grace + Retention), result.State.Lifecycles[0]);
        Assert.Equal(-0.01m, result.Balance);
    }

    [Fact]
    public void Evaluate_ArrearsAgainAfterCure_StartsNewEpisodeWithFreshGrace()
    {
        var second = T0 + Duration.FromDays(10);
        var h = new EngineHarness().Charge(T0, 25m).Pay(T0 + Duration.FromHours(1), 25m).Charge(second, 1m);

        var result = h.EvaluateAt(second + Grace);

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{T0 + Duration.FromHours(1)} Overdue->Active Paid", $"{second} Active->Overdue InArrears", $"{second + Grace} Overdue->Suspended GraceExpired"],
            h.Steps());
        Assert.Equal(2, result.State.Lifecycles[0].Episode);
        Assert.Contains(h.Notifications, n => n.Key.Value == "acct/2/Suspended/dev@example.com/SMS");
        Assert.Contains(h.Notifications, n => n.Key.Value == "acct/1/Overdue/owner@example.com/Email");
    }

    [Fact]
    public void Evaluate_NeverPaid_CatchesUpEveryTransitionAtItsOwnInstant()
    {
        var h = new EngineHarness().Charge(T0, 25m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(400));

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Suspended GraceExpired", $"{T0 + Grace + Retention} Suspended->Purged RetentionExpired"],
            h.Steps());
        Assert.Equal(
            [$"{T0} Overdue", $"{T0 + Grace} Suspended", $"{T0 + Grace + Retention - Duration.FromDays(7)} PurgeWarning", $"{T0 + Grace + Retention - Duration.FromDays(1)} PurgeWarning", $"{T0 + Grace + Retention} Purged"],
            h.Kinds());
        Assert.Null(result.NextReviewAt);
    }

    [Fact]
    public void Evaluate_PaymentAtInclusivePurgeDeadline_Resumes()
    {
        var purgeAt = T0 + Grace + Retention;
        var h = new EngineHarness().Charge(T0, 25m).Pay(purgeAt, 25m);

        h.EvaluateAt(purgeAt + Duration.FromDays(1));

        Assert.Equal($"{purgeAt} Suspended->Active Resumed", h.Steps().Last());
    }

    [Fact]
    public void Evaluate_PaymentAtExclusivePurgeDeadline_IsTooLate()
    {
        var purgeAt = T0 + Grace + Retention;
        var h = new EngineHarness(PolicyWith(o => o.RetentionBoundary = DeadlineBoundary.Exclusive)).Charge(T0, 25m).Pay(purgeAt, 25m);

        var result = h.EvaluateAt(purgeAt + Duration.FromDays(1));

        Assert.Equal($"{purgeAt} Suspended->Purged RetentionExpired", h.Steps().Last());
        Assert.Equal(0m, result.Balance);
    }

    [Fact]
    public void Evaluate_AfterPurge_EntriesChangeBalanceButNothingElse()
    {
        var purgeAt = T0 + Grace + Retention;
        var h = new EngineHarness(account: new AccountProfile("acct", "owner@example.com", balanceAlarm: 10m), opening: 0m).Charge(T0, 25m);
        h.EvaluateAt(purgeAt);
        var before = h.Notifications.Count;

        h.Pay(purgeAt + Duration.FromDays(1), 100m).Charge(purgeAt + Duration.FromDays(2), 200m);
        var result = h.EvaluateAt(purgeAt + Duration.FromDays(3));

        Assert.Empty(result.Transitions);
        Assert.Empty(result.Notifications);
        Assert.Equal(before, h.Notifications.Count);
        Assert.Equal(LifecycleStatus.Purged, result.State.Lifecycles[0].Status);
        Assert.Equal(-125m, result.Balance);
        Assert.Null(result.NextReviewAt);
    }

    [Fact]
    public void Evaluate_ChargesWhileSuspended_RaiseTheAmountNeededToResume()
    {
        var suspended = T0 + Grace;
        var h = new EngineHarness()
            .Charge(T0, 25m)
            .Charge(suspended + Duration.FromHours(1), 5m)   // late settlement of earlier usage
            .Pay(suspended + Duration.FromHours(2), 25m)      // would have cleared the original arrears
            .Pay(suspended + Duration.FromHours(3), 5m);

        h.EvaluateAt(suspended + Duration.FromDays(1));

        Assert.Equal($"{suspended + Duration.FromHours(3)} Suspended->Active Resumed", h.Steps().Last());
        Assert.Equal(3, h.Transitions.Count);
    }

    [Fact]
    public void Evaluate_ResumeMinimumBalanceNotMet_StaysSuspendedUntilMet()
    {
        var suspended = T0 + Duration.FromHours(2);
        var h = new EngineHarness(PolicyPresets.TencentCvm.Policy)
            .Charge(T0, 25m)
            .Pay(suspended + Duration.FromHours(1), 25m)      // balance 0: not in arrears, but not positive
            .Pay(suspended + Duration.FromHours(2), 0.01m);

        h.EvaluateAt(suspended + Duration.FromDays(1));

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{suspended} Overdue->Suspended GraceExpired", $"{suspended + Duration.FromHours(2)} Suspended->Active Resumed"],
            h.Steps());
    }

    [Fact]
    public void Evaluate_ResumeMinimumBalanceDoesNotApplyToOverdue()
    {
        var h = new EngineHarness(PolicyPresets.TencentCvm.Policy).Charge(T0, 25m).Pay(T0 + Duration.FromHours(1), 25m);

        h.EvaluateAt(T0 + Duration.FromDays(1));

        Assert.Equal($"{T0 + Duration.FromHours(1)} Overdue->Active Paid", h.Steps().Last());
    }

    [Fact]
    public void Evaluate_ZeroGraceAndZeroRetention_GoesAllTheWayAtOnce()
    {
        var h = new EngineHarness(PolicyWith(o => { o.Grace = Duration.Zero; o.Retention = Duration.Zero; })).Charge(T0, 1m);

        h.EvaluateAt(T0);

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{T0} Overdue->Suspended GraceExpired", $"{T0} Suspended->Purged RetentionExpired"],
            h.Steps());
        Assert.Equal([$"{T0} Overdue", $"{T0} Suspended", $"{T0} Purged"], h.Kinds());
    }

    [Fact]
    public void Evaluate_ExclusiveGraceWithExclusiveZeroRetention_PaymentAtDeadlineIsTooLate()
    {
        var h = new EngineHarness(PolicyWith(o =>
        {
            o.GraceBoundary = DeadlineBoundary.Exclusive;
            o.Retention = Duration.Zero;
            o.RetentionBoundary = DeadlineBoundary.Exclusive;
        })).Charge(T0, 1m).Pay(T0 + Grace, 1m);

        h.EvaluateAt(T0 + Grace + Duration.FromHours(1));

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Suspended GraceExpired", $"{T0 + Grace} Suspended->Purged RetentionExpired"],
            h.Steps());
    }

    [Fact]
    public void Evaluate_ExclusiveGraceWithInclusiveZeroRetention_PaymentAtDeadlineResumes()
    {
        var h = new EngineHarness(PolicyWith(o =>
        {
            o.GraceBoundary = DeadlineBoundary.Exclusive;
            o.Retention = Duration.Zero;
        })).Charge(T0, 1m).Pay(T0 + Grace, 1m);

        h.EvaluateAt(T0 + Grace + Duration.FromHours(1));

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Suspended GraceExpired", $"{T0 + Grace} Suspended->Active Resumed"],
            h.Steps());
    }

    [Fact]
    public void Evaluate_SeveralEntriesAtOneInstant_OnlyTheNetBalanceCounts()
    {
        var h = new EngineHarness().Charge(T0, 25m).Pay(T0, 25m).Charge(T0, 1m).Pay(T0, 1m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(2));

        Assert.Empty(h.Transitions);
        Assert.Empty(h.Notifications);
        Assert.Equal(0m, result.Balance);
    }

    [Fact]
    public void Evaluate_TwiceAtTheSameInstant_YieldsNothingNew()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        var first = h.EvaluateAt(T0 + Grace);

        var second = h.EvaluateAt(T0 + Grace);

        Assert.Equal(2, first.Transitions.Count);
        Assert.Empty(second.Transitions);
        Assert.Empty(second.Notifications);
        Assert.Equal(first.State, second.State);
    }

    [Fact]
    public void Evaluate_BeforeLastEvaluation_YieldsNothingAndKeepsState()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        var first = h.EvaluateAt(T0 + Grace);

        var earlier = h.EvaluateAt(T0);

        Assert.Empty(earlier.Transitions);
        Assert.Equal(first.State, earlier.State);
    }

    [Fact]
    public void Evaluate_LatePaymentSeenBeforeDeadline_CuresAtEvaluationInstantMarkedLate()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Pay(T0 + Duration.FromHours(2), 25m);   // booked late: it was made before the last evaluation

        var result = h.EvaluateAt(T0 + Duration.FromHours(12));

        var cure = Assert.Single(result.Transitions);
        Assert.Equal((T0 + Duration.FromHours(12), TransitionReason.Paid, true), (cure.At, cure.Reason, cure.IsLate));
    }

    [Fact]
    public void Evaluate_LatePaymentSeenAfterDeadlinePassed_CuresAtFirstInstantLookedAtSoNoSuspension()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Pay(T0 + Duration.FromHours(2), 25m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(3));

        var cure = Assert.Single(result.Transitions);
        Assert.Equal((T0 + Grace, LifecycleStatus.Overdue, LifecycleStatus.Active, true), (cure.At, cure.From, cure.To, cure.IsLate));
    }

    [Fact]
    public void Evaluate_LatePaymentAfterSuspensionWasDecided_DoesNotRewriteTheSuspension()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        h.EvaluateAt(T0 + Grace + Duration.FromHours(1));
        h.Pay(T0 + Duration.FromHours(2), 25m);

        var result = h.EvaluateAt(T0 + Grace + Duration.FromHours(5));

        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Suspended GraceExpired", $"{T0 + Grace + Duration.FromHours(5)} Suspended->Active Resumed late"], h.Steps());
        Assert.Single(result.Transitions);
    }

    [Fact]
    public void Evaluate_LateChargeMakesAccountOverdue_EpisodeStartsWhenSeen()
    {
        var h = new EngineHarness(opening: 10m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Charge(T0, 25m);

        var result = h.EvaluateAt(T0 + Duration.FromHours(11));

        var t = Assert.Single(result.Transitions);
        Assert.Equal((T0 + Duration.FromHours(11), TransitionReason.InArrears, true), (t.At, t.Reason, t.IsLate));
        Assert.Equal(T0 + Duration.FromHours(11) + Grace, result.State.Lifecycles[0].SuspendAt);
    }

    [Fact]
    public void Evaluate_PurgeWarnings_AtOffsetsBeforePurgeOnlyAfterSuspension()
    {
        var policy = PolicyWith(o =>
        {
            o.Retention = Duration.FromDays(5);
            o.PurgeWarnings.Clear();
            o.PurgeWarnings.Add(Duration.FromDays(7));   // before the suspension: never sent
            o.PurgeWarnings.Add(Duration.FromDays(5));   // exactly at the suspension: never sent
            o.PurgeWarnings.Add(Duration.FromDays(1));
        });
        var h = new EngineHarness(policy).Charge(T0, 25m);

        h.EvaluateAt(T0 + Duration.FromDays(30));

        var warnings = h.Notifications.Where(n => n.Kind == NotificationKind.PurgeWarning).ToList();
        Assert.Equal(4, warnings.Count);
        Assert.All(warnings, n => Assert.Equal(T0 + Grace + Duration.FromDays(4), n.At));
        Assert.Contains(warnings, n => n.Key.Value == "acct/1/PurgeWarning/P1D/2026-02-07T08:30:00Z/owner@example.com/Email");
        Assert.All(warnings, n => Assert.Equal(T0 + Grace + Duration.FromDays(5), n.PurgeAt));
    }

    [Fact]
    public void Evaluate_PaymentAtWarningInstant_CancelsTheWarning()
    {
        var warnAt = T0 + Grace + Retention - Duration.FromDays(7);
        var h = new EngineHarness().Charge(T0, 25m).Pay(warnAt, 25m);

        h.EvaluateAt(warnAt + Duration.FromDays(30));

        Assert.DoesNotContain(h.Notifications, n => n.Kind == NotificationKind.PurgeWarning);
        Assert.Equal($"{warnAt} Suspended->Active Resumed", h.Steps().Last());
    }

    [Fact]
    public void Evaluate_NextReviewAt_IsTheNextDeadlineOrWarning()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        Assert.Equal(T0 + Grace, h.EvaluateAt(T0).NextReviewAt);
        Assert.Equal(T0 + Grace + Retention - Duration.FromDays(7), h.EvaluateAt(T0 + Grace).NextReviewAt);
        Assert.Equal(T0 + Grace + Retention - Duration.FromDays(1), h.EvaluateAt(T0 + Grace + Retention - Duration.FromDays(7)).NextReviewAt);
        Assert.Equal(T0 + Grace + Retention, h.EvaluateAt(T0 + Grace + Retention - Duration.FromDays(1)).NextReviewAt);
        Assert.Null(h.EvaluateAt(T0 + Grace + Retention).NextReviewAt);
    }

    [Fact]
    public void Evaluate_GraceAcrossDaylightSavingChange_IsExactlyTwentyFourElapsedHours()
    {
        // 2026-03-29 01:00 UTC: Europe/London springs forward; the local clock shows 25 hours later, the timeline 24.
        var start = Instant.FromUtc(2026, 3, 28, 12, 0);
        var h = new EngineHarness().Charge(start, 1m);

        h.EvaluateAt(start + Duration.FromDays(2));

        var suspended = h.Transitions.Single(t => t.To == LifecycleStatus.Suspended).At;
        Assert.Equal(Duration.FromHours(24), suspended - start);
        var london = DateTimeZoneProviders.Tzdb["Europe/London"];
        Assert.Equal(new LocalDateTime(2026, 3, 29, 13, 0), suspended.InZone(london).LocalDateTime);
    }

    [Fact]
    public void Constructor_InconsistentLifecycle_IsRejectedNamingTheValues()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProductLifecycle("apigw", LifecycleStatus.Overdue, 1, T0, null, null));

        Assert.StartsWith("an Overdue lifecycle needs episode > 0, overdueSince and suspendAt (product \"apigw\", status Overdue, episode 1, overdueSince 2026-02-01T08:30:00Z, suspendAt null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_StateWithDeadlineAlreadyPassed_IsAcceptedAndTheDeadlineActsAtTheNextEvaluation()
    {
        // A hold deferred the suspension past its nominal deadline, so a saved state may hold a deadline already passed
        // (decision 0008). Evaluated without that hold (it was revoked), the deadline acts at once, marked late.
        var overdue = new ProductLifecycle(null, LifecycleStatus.Overdue, 1, T0, T0 + Grace, null);
        var state = new AccountState([overdue], false, T0 + Grace + Duration.FromHours(1));
        var ledger = new Ledger(Cny);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m));

        var evaluation = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy)
            .Evaluate(new AccountProfile("acct", "owner@example.com"), ledger, state, T0 + Grace + Duration.FromHours(2));

        var suspended = Assert.Single(evaluation.Transitions);
        Assert.Equal((T0 + Grace + Duration.FromHours(2), TransitionReason.GraceExpired, true, T0 + Grace), (suspended.At, suspended.Reason, suspended.IsLate, suspended.DeferredFrom));
        Assert.Empty(suspended.HeldBy);
    }
}
