using NodaTime;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>
/// The examples about holds and late facts, each worked out by hand in a comment and checked here against the library,
/// besides the semantic comparison with their expected timelines that <see cref="ExampleTests"/> makes for every example.
/// </summary>
public sealed class HoldExampleTests
{
    private static Timeline Run(string name, out Scenario scenario)
    {
        var read = ScenarioJson.Read(File.ReadAllText(ExampleTests.ExamplePath(name + ".scenario.json")));
        Assert.True(read.IsValid, string.Join(Environment.NewLine, read.Errors));
        scenario = read.Scenario;
        return Simulator.Run(scenario);
    }

    private static List<string> Steps(Timeline timeline) =>
        [.. timeline.Transitions.Select(t => $"{t.At} {t.To} {t.Reason}{(t.IsLate ? " late" : string.Empty)}{(t.DeferredFrom is { } d ? $" from {d} by {string.Join(",", t.HeldBy)}" : string.Empty)}")];

    [Fact]
    public void PromiseToPayBroken_HandChecked_SuspendsAtTheEndOfThePromise()
    {
        // tencent-api-gateway: 24 hours of grace, inclusive; 180 days of retention; warnings 7 days and 1 day before the purge.
        // 2026-03-02 10:00  charge c1 100.00: balance -100.00, Overdue (episode 1); nominal suspension 2026-03-03 10:00.
        //                   Overdue to the owner and dev, by Email and SMS: 4 notifications.
        // Hold h1 (suspension) covers [2026-03-02 15:00, 2026-03-06 00:00); 03-03 10:00 lies in it, so the suspension waits
        // for the end of the window.
        // 2026-03-04 08:00  payment p1 40.00: balance -60.00, still in arrears; a partial payment changes nothing.
        // 2026-03-06 00:00  the promise is broken: Suspended (GraceExpired), deferred from 03-03 10:00 by h1; 4 notifications.
        //                   Retention starts here: purge 2026-09-02 00:00, warnings 08-26 00:00 and 09-01 00:00.
        // until 2026-03-10: Suspended, balance -60.00, next review the 7-day warning, 2026-08-26 00:00.
        var timeline = Run("promise-to-pay-broken", out _);

        Assert.Equal(
            ["2026-03-02T10:00:00Z Overdue InArrears", "2026-03-06T00:00:00Z Suspended GraceExpired from 2026-03-03T10:00:00Z by h1"],
            Steps(timeline));
        Assert.Equal(8, timeline.Notifications.Count);
        Assert.Equal((LifecycleStatus.Suspended, -60.00m, Instant.FromUtc(2026, 8, 26, 0, 0)), (timeline.Final.Status, timeline.Final.Balance, timeline.Final.NextReviewAt!.Value));
        Assert.Equal(Instant.FromUtc(2026, 9, 2, 0, 0), timeline.Final.Products[0].PurgeAt);
    }

    [Fact]
    public void PromiseToPayKept_HandChecked_PaidWithinThePromiseIsNeverSuspended()
    {
        // tencent-api-gateway with suspension holds limited to 7 days (h1 lasts 3 days 10 hours: allowed).
        // 2026-05-04 09:00  charge c1 80.00: balance -80.00, Overdue; nominal suspension 2026-05-05 09:00. Overdue to the
        //                   owner by Email and SMS.
        // Hold h1 (suspension) covers [2026-05-04 14:00, 2026-05-08 00:00): the suspension would wait until 05-08 00:00.
        // 2026-05-07 16:00  payment p1 80.00: balance 0.00, Overdue -> Active (Paid), before the deferred deadline; Paid
        //                   sends nothing. Without the hold the account would have been suspended on 05-05 09:00.
        // until 2026-05-15: Active, balance 0.00, nothing scheduled.
        var timeline = Run("promise-to-pay-kept", out var scenario);

        Assert.Equal(["2026-05-04T09:00:00Z Overdue InArrears", "2026-05-07T16:00:00Z Active Paid"], Steps(timeline));
        Assert.Equal([NotificationKind.Overdue, NotificationKind.Overdue], timeline.Notifications.Select(n => n.Kind));
        Assert.Equal((LifecycleStatus.Active, 0m, (Instant?)null), (timeline.Final.Status, timeline.Final.Balance, timeline.Final.NextReviewAt));
        Assert.Equal(Duration.FromDays(7), scenario.Policy.HoldLimits[HoldKind.Suspension]);

        var withoutHold = Simulator.Run(new Scenario(scenario.Policy, scenario.Account, scenario.Currency, scenario.Until, entries: scenario.Entries));
        Assert.Contains(withoutHold.Transitions, t => t.Reason == TransitionReason.GraceExpired && t.At == Instant.FromUtc(2026, 5, 5, 9, 0));
    }

    [Fact]
    public void PurgeHoldDispute_HandChecked_PurgesWhenTheDisputeEndsAndWarnsAgainUnderNewKeys()
    {
        // tencent-api-gateway with 10 days of retention and one warning, 3 days before the purge; evaluated every day from
        // the first fact (2026-06-01 00:00), so at 06-02 00:00, 06-03 00:00, ..., 06-24 00:00, then at until (06-25).
        // 2026-06-01 00:00  charge c1 30.00: Overdue; seen by the evaluation of 06-02 (evaluatedAt 06-02).
        // 2026-06-02 00:00  Suspended (24 hours, inclusive), seen at 06-02; nominal purge 06-12 00:00, warning 06-09 00:00.
        // 2026-06-09 00:00  PurgeWarning for the purge of 06-12 (key .../P3D/2026-06-12T00:00:00Z/...), evaluated at 06-09.
        // 2026-06-10 00:00  hold h1 (purge, open-ended) starts and is recorded: the purge of 06-12 waits with no end, so
        //                   there is no review instant and no warning.
        // 2026-06-15 09:00  finance records r1: h1 ends on 06-20 00:00. From the evaluation of 06-16 the purge is due on
        //                   06-20, and its warning on 06-17, under a new key (.../P3D/2026-06-20T00:00:00Z/...).
        // 2026-06-20 00:00  Purged (RetentionExpired), deferred from 06-12 by h1, evaluated at 06-20.
        // until 2026-06-25: Purged, balance -30.00, nothing scheduled. Every notification goes to the owner by Email and SMS.
        var timeline = Run("purge-hold-dispute", out _);

        Assert.Equal(
            ["2026-06-01T00:00:00Z Overdue InArrears", "2026-06-02T00:00:00Z Suspended GraceExpired", "2026-06-20T00:00:00Z Purged RetentionExpired from 2026-06-12T00:00:00Z by h1"],
            Steps(timeline));
        Assert.Equal(
            ["2026-06-02T00:00:00Z", "2026-06-09T00:00:00Z", "2026-06-17T00:00:00Z", "2026-06-20T00:00:00Z"],
            timeline.Evaluations.Select(e => e.At.ToString()));
        var warnings = timeline.Notifications.Where(n => n.Kind == NotificationKind.PurgeWarning && n.Channel == "Email").ToList();
        Assert.Equal(
            ["acct-dispute/1/PurgeWarning/P3D/2026-06-12T00:00:00Z/owner@example.com/Email", "acct-dispute/1/PurgeWarning/P3D/2026-06-20T00:00:00Z/owner@example.com/Email"],
            warnings.Select(n => n.Key.Value));
        Assert.Equal((LifecycleStatus.Purged, -30.00m, (Instant?)null), (timeline.Final.Status, timeline.Final.Balance, timeline.Final.NextReviewAt));
        Assert.True(timeline.IsScheduled);
    }

    [Fact]
    public void LateBankTransfer_HandChecked_ResumesAtTheFirstEvaluationThatSeesIt()
    {
        // tencent-api-gateway, evaluated every hour from the first fact (2026-04-01 00:00): 01:00, 02:00, ...
        // 2026-04-01 00:00  charge c1 50.00: Overdue; seen at 01:00.
        // 2026-04-01 20:00  the customer's transfer t1 of 50.00 takes effect, but the bank books it only on 04-03 09:30.
        // 2026-04-02 00:00  the evaluation of 00:00 does not know t1: the balance is -50.00 at the deadline, Suspended.
        // 2026-04-03 10:00  the first evaluation after 09:30 sees t1; nothing falls between 09:00 and 10:00, so its first
        //                   instant is 10:00: in step 0 the balance as of 09:00, t1 included, is 0.00, and the account
        //                   resumes there (late). The suspension of 04-02 stands: decisions taken are facts.
        // until 2026-04-05: Active, balance 0.00, nothing scheduled.
        var timeline = Run("late-bank-transfer", out _);

        Assert.Equal(
            ["2026-04-01T00:00:00Z Overdue InArrears", "2026-04-02T00:00:00Z Suspended GraceExpired", "2026-04-03T10:00:00Z Active Resumed late"],
            Steps(timeline));
        Assert.Equal(
            ["2026-04-01T01:00:00Z", "2026-04-02T00:00:00Z", "2026-04-03T10:00:00Z"],
            timeline.Evaluations.Select(e => e.At.ToString()));
        Assert.Equal((LifecycleStatus.Active, 0m), (timeline.Final.Status, timeline.Final.Balance));
    }
}
