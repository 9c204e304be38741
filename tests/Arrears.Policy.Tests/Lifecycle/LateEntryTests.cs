using NodaTime;
using static Arrears.Policy.Tests.Lifecycle.EngineHarness;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>Entries that become known after an evaluation already passed their instant.</summary>
public sealed class LateEntryTests
{
    private static readonly Duration Grace = Duration.FromHours(24);

    [Theory]
    [InlineData(DeadlineBoundary.Inclusive)]
    [InlineData(DeadlineBoundary.Exclusive)]
    public void Evaluate_LatePaymentBeforeAnUnactedDeadline_PreventsTheSuspensionWhateverTheBoundary(DeadlineBoundary boundary)
    {
        var h = new EngineHarness(PolicyWith(o => o.GraceBoundary = boundary)).Charge(T0, 25m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Pay(T0 + Duration.FromHours(2), 25m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(3));

        var cure = Assert.Single(result.Transitions);
        Assert.Equal((T0 + Grace, LifecycleStatus.Overdue, LifecycleStatus.Active, TransitionReason.Paid, true), (cure.At, cure.From, cure.To, cure.Reason, cure.IsLate));
        Assert.Empty(result.Notifications);
    }

    [Fact]
    public void Evaluate_LatePaymentBeforeExclusiveDeadlineWithExclusiveZeroRetention_NeverPurges()
    {
        var h = new EngineHarness(PolicyWith(o =>
        {
            o.GraceBoundary = DeadlineBoundary.Exclusive;
            o.Retention = Duration.Zero;
            o.RetentionBoundary = DeadlineBoundary.Exclusive;
        })).Charge(T0, 25m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Pay(T0 + Duration.FromHours(2), 25m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(3));

        Assert.Equal(LifecycleStatus.Active, result.State.Lifecycles[0].Status);
        Assert.DoesNotContain(h.Transitions, t => t.To is LifecycleStatus.Suspended or LifecycleStatus.Purged);
    }

    [Fact]
    public void Evaluate_LatePaymentToZeroWithResumeMinimum_CuresTheOverdueStateBeforeTheExclusiveDeadline()
    {
        var h = new EngineHarness(PolicyWith(o =>
        {
            o.GraceBoundary = DeadlineBoundary.Exclusive;
            o.ResumeMinimumBalance = 0.01m;
        })).Charge(T0, 25m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Pay(T0 + Duration.FromHours(2), 25m);

        var result = h.EvaluateAt(T0 + Duration.FromDays(3));

        Assert.Equal(LifecycleStatus.Active, result.State.Lifecycles[0].Status);
        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{T0 + Grace} Overdue->Active Paid late"], h.Steps());
    }

    [Fact]
    public void Evaluate_LatePaymentBeforeExclusivePurge_ResumesInsteadOfPurging()
    {
        var policy = PolicyWith(o =>
        {
            o.Retention = Duration.FromDays(3);
            o.RetentionBoundary = DeadlineBoundary.Exclusive;
        });
        var purgeAt = T0 + Grace + Duration.FromDays(3);
        var h = new EngineHarness(policy).Charge(T0, 25m);
        h.EvaluateAt(purgeAt - Duration.FromHours(1));
        h.Pay(purgeAt - Duration.FromHours(2), 25m);

        var result = h.EvaluateAt(purgeAt + Duration.FromHours(1));

        var resumed = Assert.Single(result.Transitions);
        Assert.Equal((purgeAt, TransitionReason.Resumed, true), (resumed.At, resumed.Reason, resumed.IsLate));
        Assert.Equal(LifecycleStatus.Active, result.State.Lifecycles[0].Status);
    }

    [Fact]
    public void Evaluate_LatePaymentLandingWhereOnTimeEntriesAre_IsStillMarkedLate()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Pay(T0 + Duration.FromHours(2), 30m);                  // late
        h.Charge(T0 + Duration.FromHours(11), 1m);               // on time

        var result = h.EvaluateAt(T0 + Duration.FromHours(12));

        var cure = Assert.Single(result.Transitions);
        Assert.Equal((T0 + Duration.FromHours(11), TransitionReason.Paid, true), (cure.At, cure.Reason, cure.IsLate));
    }

    [Fact]
    public void Evaluate_LateChargeLandingWhereAnOnTimePaymentIs_OpensTheEpisodeMarkedLate()
    {
        var h = new EngineHarness(opening: 10m);
        h.EvaluateAt(T0 + Duration.FromHours(10));
        h.Charge(T0, 25m);                                       // late
        h.Pay(T0 + Duration.FromHours(11), 1m);                  // on time, not enough

        var result = h.EvaluateAt(T0 + Duration.FromHours(12));

        var opened = Assert.Single(result.Transitions);
        Assert.Equal((T0 + Duration.FromHours(11), TransitionReason.InArrears, true), (opened.At, opened.Reason, opened.IsLate));
    }

    [Fact]
    public void Evaluate_OnTimeCureAtInstantWithoutOwnEntries_IsNotLate()
    {
        // An exclusive deadline suspends before the instant's payment, which then resumes: both on time.
        var h = new EngineHarness(PolicyWith(o => o.GraceBoundary = DeadlineBoundary.Exclusive)).Charge(T0, 25m).Pay(T0 + Grace, 25m);

        h.EvaluateAt(T0 + Duration.FromHours(1));
        h.EvaluateAt(T0 + Grace);

        Assert.All(h.Transitions, t => Assert.False(t.IsLate));
    }

    [Fact]
    public void Evaluate_SilentPurgeWarnings_AreNotReviewInstants()
    {
        var policy = PolicyWith(o => o.Routes[NotificationKind.PurgeWarning] = NotificationRoute.Silent);
        var h = new EngineHarness(policy).Charge(T0, 25m);

        var result = h.EvaluateAt(T0 + Grace);

        Assert.Equal(T0 + Grace + Duration.FromDays(180), result.NextReviewAt);
    }
}
