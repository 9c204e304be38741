using NodaTime;
using static Arrears.Policy.Tests.Lifecycle.EngineHarness;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>Holds (specification section 9): one example per rule, on the tencent-api-gateway preset unless said otherwise.</summary>
/// <remarks>
/// The account is charged 25.00 at <c>T0</c> (2026-02-01 08:30 UTC), so it is Overdue from <c>T0</c> with a nominal
/// suspension deadline at 2026-02-02 08:30 (24 hours, inclusive) and, once suspended, a purge 180 days later.
/// </remarks>
public sealed class HoldTests
{
    private static readonly Duration Grace = Duration.FromHours(24);
    private static readonly Instant Nominal = T0 + Grace;                           // 2026-02-02T08:30Z
    private static readonly Instant Friday = Instant.FromUtc(2026, 2, 6, 0, 0);

    private static EngineHarness Owing(LifecyclePolicy? policy = null, AccountProfile? account = null) =>
        new EngineHarness(policy, account).Charge(T0, 25m);

    [Fact]
    public void Evaluate_SuspensionDeadlineInTheWindow_IsDeferredToTheEndOfTheWindowNamingTheHold()
    {
        var h = Owing().Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(4), Friday);

        var during = h.EvaluateAt(Nominal + Duration.FromDays(1));
        h.EvaluateAt(Friday + Duration.FromDays(1));

        Assert.Equal(Friday, during.NextReviewAt);
        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{Friday} Overdue->Suspended GraceExpired deferred from {Nominal} by h1"], h.Steps());
        var suspended = h.Transitions[1];
        Assert.Equal(["h1"], suspended.HeldBy);
        Assert.False(suspended.IsLate);

        // Retention starts at the effective suspension; the episode and overdueSince are the hold's to keep.
        var state = h.State.Lifecycles[0];
        Assert.Equal((Friday, Friday + Duration.FromDays(180), T0, 1), (state.SuspendAt!.Value, state.PurgeAt!.Value, state.OverdueSince!.Value, state.Episode));
        Assert.All(h.Notifications.Where(n => n.Kind == NotificationKind.Suspended), n => Assert.Equal(Friday, n.At));
    }

    [Fact]
    public void Evaluate_PaymentAtTheEndOfTheWindowWithInclusiveGrace_PreventsTheDeferredSuspension()
    {
        var h = Owing().Hold("h1", HoldKind.Suspension, T0, Friday).Pay(Friday, 25m);

        h.EvaluateAt(Friday + Duration.FromDays(1));

        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{Friday} Overdue->Active Paid"], h.Steps());
    }

    [Fact]
    public void Evaluate_PaymentAtTheEndOfTheWindowWithExclusiveGrace_SuspendsThenResumesThere()
    {
        var h = Owing(PolicyWith(o => o.GraceBoundary = DeadlineBoundary.Exclusive)).Hold("h1", HoldKind.Suspension, T0, Friday).Pay(Friday, 25m);

        h.EvaluateAt(Friday + Duration.FromDays(1));

        Assert.Equal(
            [$"{T0} Active->Overdue InArrears", $"{Friday} Overdue->Suspended GraceExpired deferred from {Nominal} by h1", $"{Friday} Suspended->Active Resumed"],
            h.Steps());
    }

    [Fact]
    public void Evaluate_WindowsThatOverlapOrTouch_DeferToTheEndOfTheChain()
    {
        var h = Owing()
            .Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(1), Instant.FromUtc(2026, 2, 3, 0, 0))
            .Hold("h2", HoldKind.All, Instant.FromUtc(2026, 2, 3, 0, 0), Instant.FromUtc(2026, 2, 4, 0, 0))      // touches h1
            .Hold("h3", HoldKind.Suspension, Instant.FromUtc(2026, 2, 3, 12, 0), Friday)                          // overlaps h2
            .Hold("h4", HoldKind.Purge, T0, Friday + Duration.FromDays(30))                                       // another kind
            .Hold("h5", HoldKind.Suspension, Friday + Duration.FromHours(1), Friday + Duration.FromDays(2));      // after a gap

        h.EvaluateAt(Friday + Duration.FromDays(10));

        var suspended = h.Transitions.Single(t => t.Reason == TransitionReason.GraceExpired);
        Assert.Equal((Friday, Nominal), (suspended.At, suspended.DeferredFrom!.Value));
        Assert.Equal(["h1", "h2", "h3"], suspended.HeldBy);
    }

    [Fact]
    public void Evaluate_WindowEndingAtTheDeadline_DoesNotCoverItButOneStartingThereDoes()
    {
        var ending = Owing().Hold("h1", HoldKind.Suspension, T0, Nominal);
        var starting = Owing().Hold("h1", HoldKind.Suspension, Nominal, Friday);
        var justAfter = Owing().Hold("h1", HoldKind.Suspension, Nominal + Duration.Epsilon, Friday);

        foreach (var h in new[] { ending, starting, justAfter })
        {
            h.EvaluateAt(Friday + Duration.FromDays(1));
        }

        Assert.Equal(Nominal, ending.Transitions[1].At);
        Assert.Null(ending.Transitions[1].DeferredFrom);
        Assert.Equal(Friday, starting.Transitions[1].At);
        Assert.Equal(Nominal, justAfter.Transitions[1].At);
    }

    [Fact]
    public void Evaluate_OpenEndedHold_NeverActsAndIsNoReviewInstantUntilRevoked()
    {
        var revokedAt = T0 + Duration.FromDays(40);
        var h = Owing().Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(1), until: null);

        var held = h.EvaluateAt(T0 + Duration.FromDays(30));
        h.Revoke("h1", revokedAt);
        var known = h.EvaluateAt(T0 + Duration.FromDays(35));
        h.EvaluateAt(T0 + Duration.FromDays(50));

        Assert.Null(held.NextReviewAt);
        Assert.Equal(LifecycleStatus.Overdue, held.State.Lifecycles[0].Status);
        Assert.Equal(revokedAt, known.NextReviewAt);
        Assert.Equal([$"{T0} Active->Overdue InArrears", $"{revokedAt} Overdue->Suspended GraceExpired deferred from {Nominal} by h1"], h.Steps());
    }

    [Fact]
    public void Evaluate_RevocationThatBecomesKnownLate_SuspendsAtTheFirstInstantOfTheEvaluationThatSeesIt()
    {
        var h = Owing().Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(1), until: null);
        h.EvaluateAt(T0 + Duration.FromDays(10));
        h.Revoke("h1", T0 + Duration.FromDays(5));

        var seen = h.EvaluateAt(T0 + Duration.FromDays(10) + Duration.FromHours(1));

        var suspended = Assert.Single(seen.Transitions);
        var at = T0 + Duration.FromDays(10) + Duration.FromHours(1);
        Assert.Equal((at, TransitionReason.GraceExpired, true, Nominal), (suspended.At, suspended.Reason, suspended.IsLate, suspended.DeferredFrom!.Value));
        Assert.Equal(["h1"], suspended.HeldBy);
        Assert.Equal(at + Duration.FromDays(180), seen.State.Lifecycles[0].PurgeAt);
    }

    [Fact]
    public void Evaluate_LateRevocationAndLatePaymentTogether_PaymentWinsAsStepZeroCuresFirst()
    {
        var h = Owing().Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(1), until: null);
        h.EvaluateAt(T0 + Duration.FromDays(10));
        h.Revoke("h1", T0 + Duration.FromDays(5));
        h.Pay(T0 + Duration.FromDays(3), 25m);

        var seen = h.EvaluateAt(T0 + Duration.FromDays(11));

        var paid = Assert.Single(seen.Transitions);
        Assert.Equal((TransitionReason.Paid, true), (paid.Reason, paid.IsLate));
    }

    [Fact]
    public void Evaluate_HoldThatBecomesKnownAfterTheSuspension_NeitherResumesNorRewrites()
    {
        var h = Owing();
        h.EvaluateAt(Nominal + Duration.FromHours(1));
        h.Hold("h1", HoldKind.All, T0 + Duration.FromHours(1), Friday);

        var later = h.EvaluateAt(Friday + Duration.FromDays(1));

        Assert.Empty(later.Transitions);
        Assert.Equal((LifecycleStatus.Suspended, Nominal, Nominal + Duration.FromDays(180)), (later.State.Lifecycles[0].Status, later.State.Lifecycles[0].SuspendAt!.Value, later.State.Lifecycles[0].PurgeAt!.Value));
    }

    [Fact]
    public void Evaluate_RevocationAtOrBeforeTheStart_CancelsTheHoldAndAtOrAfterTheEnd_ChangesNothing()
    {
        var cancelled = Owing().Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(1), Friday).Revoke("h1", T0 + Duration.FromHours(1));
        var tooLate = Owing().Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(1), Friday).Revoke("h1", Friday + Duration.FromDays(1));
        var early = Owing().Hold("h1", HoldKind.Suspension, T0 + Duration.FromHours(1), Friday).Revoke("h1", Nominal + Duration.FromHours(2)).Revoke("h1", Nominal + Duration.FromHours(5));

        foreach (var h in new[] { cancelled, tooLate, early })
        {
            h.EvaluateAt(Friday + Duration.FromDays(3));
        }

        Assert.Equal((Nominal, (Instant?)null), (cancelled.Transitions[1].At, cancelled.Transitions[1].DeferredFrom));
        Assert.Equal(Friday, tooLate.Transitions[1].At);
        Assert.Equal(Nominal + Duration.FromHours(2), early.Transitions[1].At);   // the earliest revocation wins
        Assert.Equal(Nominal + Duration.FromHours(2), early.Holds.EndOf("h1"));
    }

    [Fact]
    public void Evaluate_PurgeHold_DefersThePurgeAndWarnsAgainUnderNewKeys()
    {
        // Retention 10 days: suspended 2026-02-02 08:30, purge 2026-02-12 08:30, warnings 7 days and 1 day before.
        var policy = PolicyWith(o => o.Retention = Duration.FromDays(10));
        var purge = Nominal + Duration.FromDays(10);
        var deferredTo = Instant.FromUtc(2026, 2, 20, 0, 0);
        var h = Owing(policy);
        h.EvaluateAt(Instant.FromUtc(2026, 2, 6, 0, 0));   // the 7-day warning of the first purge instant is sent
        h.Hold("h2", HoldKind.Purge, Instant.FromUtc(2026, 2, 8, 0, 0), deferredTo, reason: "disputed charge");

        h.EvaluateAt(Instant.FromUtc(2026, 3, 1, 0, 0));

        var warnings = h.Notifications.Where(n => n.Kind == NotificationKind.PurgeWarning && n.Recipient == "owner@example.com" && n.Channel == "Email").ToList();
        Assert.Equal(
            [
                (purge - Duration.FromDays(7), purge, $"acct/1/PurgeWarning/P7D/2026-02-12T08:30:00Z/owner@example.com/Email"),
                (deferredTo - Duration.FromDays(7), deferredTo, $"acct/1/PurgeWarning/P7D/2026-02-20T00:00:00Z/owner@example.com/Email"),
                (deferredTo - Duration.FromDays(1), deferredTo, $"acct/1/PurgeWarning/P1D/2026-02-20T00:00:00Z/owner@example.com/Email"),
            ],
            warnings.Select(n => (n.At, n.PurgeAt!.Value, n.Key.Value)));
        var purged = h.Transitions.Single(t => t.Reason == TransitionReason.RetentionExpired);
        Assert.Equal((deferredTo, purge, "h2"), (purged.At, purged.DeferredFrom!.Value, Assert.Single(purged.HeldBy)));
        Assert.Equal(h.Notifications.Count, h.Notifications.Select(n => n.Key).Distinct().Count());
    }

    [Theory]
    [InlineData(HoldKind.Suspension, false, true)]
    [InlineData(HoldKind.Purge, true, false)]
    [InlineData(HoldKind.All, false, false)]
    public void Evaluate_HoldKind_DefersOnlyTheDeadlinesOfItsKind(HoldKind kind, bool suspensionOnTime, bool purgeOnTime)
    {
        // Zero retention: the nominal purge is the suspension instant, so one window covers both deadlines.
        var policy = PolicyWith(o => o.Retention = Duration.Zero);
        var h = Owing(policy).Hold("h1", kind, T0 + Duration.FromHours(1), Friday);

        h.EvaluateAt(Friday + Duration.FromDays(1));

        var suspended = h.Transitions.Single(t => t.Reason == TransitionReason.GraceExpired);
        var purged = h.Transitions.Single(t => t.Reason == TransitionReason.RetentionExpired);
        Assert.Equal(suspensionOnTime ? Nominal : Friday, suspended.At);
        Assert.Equal(purgeOnTime ? suspended.At : Friday, purged.At);
        Assert.Equal(!purgeOnTime && suspensionOnTime, purged.DeferredFrom is not null);
    }

    [Fact]
    public void Evaluate_HoldOfOneProduct_LeavesTheOthersAloneAndAHoldOfNoneCoversAll()
    {
        var products = new AccountPolicyBuilder()
            .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
            .AddProduct("cvm", PolicyPresets.TencentApiGateway.Policy)
            .Build();
        var one = Owing().Use(products).Hold("h1", HoldKind.Suspension, T0, Friday, product: "apigw");
        var all = Owing().Use(products).Hold("h1", HoldKind.Suspension, T0, Friday);

        one.EvaluateAt(Friday + Duration.FromDays(1));
        all.EvaluateAt(Friday + Duration.FromDays(1));

        Assert.Equal([("apigw", Friday), ("cvm", Nominal)], one.Transitions.Where(t => t.To == LifecycleStatus.Suspended).Select(t => (t.Product!, t.At)).Order());
        Assert.All(all.Transitions.Where(t => t.To == LifecycleStatus.Suspended), t => Assert.Equal((Friday, "h1"), (t.At, Assert.Single(t.HeldBy))));
    }

    [Fact]
    public void Evaluate_DuringAHold_OverdueAndBalanceLowAreStillSent()
    {
        var account = new AccountProfile("acct", "owner@example.com", balanceAlarm: 0m);
        var h = Owing(account: account).Hold("h1", HoldKind.All, T0 - Duration.FromDays(1), Friday);

        h.EvaluateAt(T0 + Duration.FromHours(1));

        Assert.Equal([$"{T0} BalanceLow", $"{T0} Overdue"], h.Kinds());
    }

    [Fact]
    public void Evaluate_StepwiseWithHoldsKnownOnTime_EqualsOneEvaluation()
    {
        var policy = PolicyWith(o => o.Retention = Duration.FromDays(10));
        Evaluation Holding(EngineHarness h) => h.Hold("h1", HoldKind.Suspension, T0, Friday).Hold("h2", HoldKind.Purge, Friday + Duration.FromDays(9), Friday + Duration.FromDays(12)).EvaluateAt(Friday + Duration.FromDays(30));
        var once = Owing(policy);
        Holding(once);
        var stepwise = Owing(policy).Hold("h1", HoldKind.Suspension, T0, Friday).Hold("h2", HoldKind.Purge, Friday + Duration.FromDays(9), Friday + Duration.FromDays(12));
        for (var t = T0; t < Friday + Duration.FromDays(30); t += Duration.FromHours(7))
        {
            stepwise.EvaluateAt(t);
        }

        stepwise.EvaluateAt(Friday + Duration.FromDays(30));

        Assert.Equal(once.Transitions, stepwise.Transitions);
        Assert.Equal(once.Notifications.Select(n => n.Key), stepwise.Notifications.Select(n => n.Key));
        Assert.Contains(once.Transitions, t => t.Reason == TransitionReason.RetentionExpired && t.HeldBy.SequenceEqual(["h2"]));
    }

    [Fact]
    public void ValidateHolds_OverLimitOpenEndedOrUnknownProduct_ListsEveryProblemAndEvaluateRejects()
    {
        var policy = AccountPolicy.For(PolicyWith(o =>
        {
            o.Name = "strict";
            o.HoldLimits[HoldKind.Suspension] = Duration.FromDays(3);
            o.HoldLimits[HoldKind.Purge] = Duration.FromDays(30);
        }));
        var holds = new HoldSet(
        [
            new Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(3), "agent-7", "within the limit"),
            new Hold("h2", HoldKind.Suspension, T0, T0 + Duration.FromDays(4), "agent-7", "one day too long"),
            new Hold("h3", HoldKind.Purge, T0, null, "finance", "dispute"),
            new Hold("h4", HoldKind.All, T0, T0 + Duration.FromDays(10), "agent-7", "both kinds"),
            new Hold("h5", HoldKind.Suspension, T0, T0 + Duration.FromDays(1), "agent-7", "a product", product: "apigw"),
        ]);

        Assert.Equal(
            [
                "holds[1].until: the hold lasts \"P4D\", longer than the suspension hold limit \"P3D\" of policy \"strict\", got \"2026-02-05T08:30:00Z\"",
                "holds[2].until: an open-ended hold exceeds the purge hold limit \"P30D\" of policy \"strict\"; give the hold an end",
                "holds[3].until: the hold lasts \"P10D\", longer than the suspension hold limit \"P3D\" of policy \"strict\", got \"2026-02-11T08:30:00Z\"",
                "holds[4].product: the account has a single unnamed product, so a hold names none, got \"apigw\"",
            ],
            policy.ValidateHolds(holds).Select(e => e.ToString()));
        var h = Owing().Use(policy);
        var error = Assert.Throws<ArgumentException>(() => policy.Evaluate(h.Account, h.Ledger, holds, AccountState.Initial, T0));
        Assert.StartsWith("holds[1].until: the hold lasts \"P4D\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(policy.ValidateHolds(new HoldSet([holds.Holds[0]])));
    }

    [Fact]
    public void ValidateHolds_HoldOfEveryProduct_IsCheckedAgainstEachProductsLimits()
    {
        var policy = new AccountPolicyBuilder()
            .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
            .AddProduct("cvm", PolicyWith(o => o.HoldLimits[HoldKind.Suspension] = Duration.FromDays(1)))
            .Build();
        var holds = new HoldSet(
        [
            new Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(2), "agent-7", "every product"),
            new Hold("h2", HoldKind.Suspension, T0, T0 + Duration.FromDays(2), "agent-7", "apigw only", product: "apigw"),
            new Hold("h3", HoldKind.Suspension, T0, T0 + Duration.FromDays(2), "agent-7", "typo", product: "apgw"),
        ]);

        Assert.Equal(
            [
                "holds[0].until: the hold lasts \"P2D\", longer than the suspension hold limit \"P1D\" of product \"cvm\", got \"2026-02-03T08:30:00Z\"",
                "holds[2].product: the account policy has no product \"apgw\"; its products are \"apigw\", \"cvm\", got \"apgw\"",
            ],
            policy.ValidateHolds(holds).Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("", "id: must not be empty, got \"\"")]
    [InlineData("until", "until: must be after from (2026-02-01T08:30:00Z), got \"2026-02-01T08:30:00Z\"")]
    [InlineData("by", "grantedBy: must not be empty, got \" \"")]
    [InlineData("reason", "reason: must not be empty, got \"\"")]
    [InlineData("product", "product: must be null or a name, got \" \"")]
    public void Hold_BadValue_ThrowsNamingFieldAndValue(string bad, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new Hold(
            bad == string.Empty ? string.Empty : "h1",
            HoldKind.Suspension,
            T0,
            bad == "until" ? T0 : Friday,
            bad == "by" ? " " : "agent-7",
            bad == "reason" ? string.Empty : "promise to pay",
            bad == "product" ? " " : null));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HoldSet_RepeatsConflictsAndUnknownRevocations_AreKeptOnceOrRejectedNamingTheValue()
    {
        var h1 = new Hold("h1", HoldKind.Suspension, T0, Friday, "agent-7", "promise to pay");
        var other = new Hold("h1", HoldKind.Purge, T0, Friday, "agent-7", "promise to pay");
        var revocation = new HoldRevocation("r1", "h1", Nominal, "agent-7", "promise broken");

        var replayed = new HoldSet([h1, h1], [revocation, revocation]);

        Assert.Equal([h1], replayed.Holds);
        Assert.Equal([revocation], replayed.Revocations);
        Assert.StartsWith("holds[1].id: a hold with this id already exists with different content", Assert.Throws<ArgumentException>(() => new HoldSet([h1, other])).Message, StringComparison.Ordinal);
        Assert.StartsWith("revocations[0].revokes: no hold has this id, got \"h9\"", Assert.Throws<ArgumentException>(() => new HoldSet([h1], [new HoldRevocation("r1", "h9", Nominal, "a", "b")])).Message, StringComparison.Ordinal);
        Assert.StartsWith("revocations[1].id: a revocation with this id already exists with different content", Assert.Throws<ArgumentException>(() => new HoldSet([h1], [revocation, new HoldRevocation("r1", "h1", Friday, "a", "b")])).Message, StringComparison.Ordinal);
        Assert.StartsWith("holds[0]: must not be null", Assert.Throws<ArgumentException>(() => new HoldSet([null!])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => replayed.EndOf("h9"));
        Assert.Equal("1 hold, 1 revocation", replayed.ToString());
    }

    [Fact]
    public void HoldAndRevocation_SameValues_AreEqualAndReadInOneLine()
    {
        var a = new Hold("h1", HoldKind.Suspension, T0, Friday, "agent-7", "promise to pay");
        var b = new Hold("h1", HoldKind.Suspension, T0, Friday, "agent-7", "promise to pay");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new Hold("h1", HoldKind.Suspension, T0, null, "agent-7", "promise to pay"));
        Assert.Equal("h1: Suspension hold from 2026-02-01T08:30:00Z until 2026-02-06T00:00:00Z, granted by agent-7: promise to pay", a.ToString());
        Assert.Equal("r1 revokes h1 at 2026-02-06T00:00:00Z, by agent-7: promise broken", new HoldRevocation("r1", "h1", Friday, "agent-7", "promise broken").ToString());
        Assert.Equal(new HoldRevocation("r1", "h1", Friday, "a", "b"), new HoldRevocation("r1", "h1", Friday, "a", "b"));
    }

    [Fact]
    public void LifecyclePolicy_HoldLimits_AreValidatedAndSurviveToOptions()
    {
        var options = new LifecyclePolicyOptions();
        options.HoldLimits[HoldKind.Suspension] = Duration.FromDays(-1);
        options.HoldLimits[HoldKind.All] = Duration.FromDays(1);

        Assert.Equal(
            ["holdLimits.suspension: must not be negative, got \"-P1D\"", "holdLimits: a limit is set per kind, suspension or purge (a hold of kind all is checked against both), got \"All\""],
            LifecyclePolicy.Validate(options).Select(e => e.ToString()));

        var policy = PolicyWith(o => o.HoldLimits[HoldKind.Purge] = Duration.FromDays(30));
        Assert.Equal(Duration.FromDays(30), policy.HoldLimits[HoldKind.Purge]);
        Assert.Equal(policy.HoldLimits, LifecyclePolicy.Create(policy.ToOptions()).HoldLimits);
    }

    [Fact]
    public void ToString_DeferredTransitionScheduleAndEvaluation_ReadInOneLine()
    {
        var h = Owing().Hold("h1", HoldKind.Suspension, T0, Friday);
        h.EvaluateAt(Friday);

        Assert.Equal("2026-02-06T00:00:00Z Overdue -> Suspended (GraceExpired, episode 1, deferred from 2026-02-02T08:30:00Z by h1)", h.Transitions[1].ToString());
        Assert.Equal("every PT1H", new EvaluationSchedule(Duration.FromHours(1)).ToString());
        Assert.Equal("2 instants", new EvaluationSchedule([T0, Friday]).ToString());
        var scenario = new Scenario(h.Policy, h.Account, Cny, Friday, entries: [.. h.Ledger.Entries], holds: h.Holds, schedule: new EvaluationSchedule([Nominal]));
        Assert.Equal(["2026-02-02T08:30:00Z: 1 transition, 4 notifications", "2026-02-06T00:00:00Z: 1 transition, 4 notifications"], Simulator.Run(scenario).Evaluations.Select(e => e.ToString()));
    }
}
