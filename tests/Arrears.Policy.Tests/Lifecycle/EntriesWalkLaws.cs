using FsCheck;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// The entries walk (<see cref="LifecycleEngine.TryEvaluateEntries"/>) against the full walk of every instant
/// (<see cref="AccountPolicy.EvaluateFull"/>): whenever it answers, its evaluation is the full walk's, field by field, over
/// the same generated cases and boundary instants as the idle fast path (<see cref="IdleFastPathLaws"/>): entries known
/// late, the alarm, one and two products, both ledgers. It runs only without holds, as <see cref="AccountPolicy"/> calls it.
/// </summary>
[Properties(Arbitrary = [typeof(LawArbitraries)], MaxTest = 500)]
public sealed class EntriesWalkLaws
{
    private static readonly AccountPolicy ApiGateway = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
    private static readonly AccountProfile Account = new("acct", "owner@example.com", collaborators: ["dev@example.com"], balanceAlarm: 10m);

    [Property]
    public Property EntriesWalk_AgreesWithTheFullWalk(LawCase c) => IdleFastPathLaws.Agrees(c, Entries, "entries walk");

    /// <summary>
    /// The same law under narrowed routes: purge warnings that reach nobody (so they are no instants to look at), Overdue
    /// told to the collaborators only by SMS, Suspended to the creator only, and the balance alarm to the collaborators.
    /// </summary>
    [Property]
    public Property EntriesWalk_AgreesWithTheFullWalk_UnderNarrowedRoutes(LawCase c) => IdleFastPathLaws.Agrees(c, Entries, "entries walk", NarrowRoutes);

    [Fact]
    public void EntriesWalk_IsTakenAndDeclinedOverTheGeneratedCases() => IdleFastPathLaws.AnswersAndDeclinesOften(Entries, "the entries walk");

    [Fact]
    public void AChargeIntoArrears_IsAnsweredByTheWalk_AsTheFullWalkAnswers()
    {
        var (ledger, state, last) = Charged(10m);
        ledger.Append(new LedgerEntry("c2", LedgerEntryKind.Charge, last + Duration.FromHours(1), 25m));
        var now = last + Duration.FromHours(2);

        var walked = Walk(ApiGateway, ledger, state, now);
        Assert.NotNull(walked);
        var full = ApiGateway.EvaluateFull(Account, ledger, HoldSet.Empty, state, now);
        Assert.Null(IdleFastPathLaws.Differences(walked.Value, full));
        var transition = Assert.Single(walked.Value.Transitions);
        Assert.Equal((LifecycleStatus.Active, LifecycleStatus.Overdue, last + Duration.FromHours(1)), (transition.From, transition.To, transition.At));
        Assert.Equal(last + Duration.FromHours(1) + PolicyPresets.TencentApiGateway.Policy.Grace, walked.Value.NextReviewAt);

        // Creator and collaborator, by email and SMS, in that order, each with the key the public functions build.
        Assert.Equal(
            ["owner@example.com/Email", "owner@example.com/SMS", "dev@example.com/Email", "dev@example.com/SMS"],
            walked.Value.Notifications.Select(n => $"{n.Recipient}/{n.Channel}"));
        Assert.All(walked.Value.Notifications, n => Assert.Equal(NotificationKey.For("acct", null, 1, NotificationKind.Overdue, n.Recipient, n.Channel), n.Key));
    }

    [Fact]
    public void ChargesAndPaymentsAtSeveralInstants_CureAndEnterAgain_AsTheFullWalkDoes()
    {
        var (ledger, state, last) = Charged(10m);
        ledger.Append(
        [
            new LedgerEntry("c2", LedgerEntryKind.Charge, last + Duration.FromMinutes(10), 30m),
            new LedgerEntry("p1", LedgerEntryKind.Payment, last + Duration.FromMinutes(20), 50m),
            new LedgerEntry("c3", LedgerEntryKind.Charge, last + Duration.FromMinutes(30), 20m),
            new LedgerEntry("c4", LedgerEntryKind.Charge, last + Duration.FromMinutes(30), 20m),
        ]);
        var now = last + Duration.FromHours(1);

        var walked = Walk(ApiGateway, ledger, state, now);
        Assert.NotNull(walked);
        Assert.Null(IdleFastPathLaws.Differences(walked.Value, ApiGateway.EvaluateFull(Account, ledger, HoldSet.Empty, state, now)));
        Assert.Equal(
            [(LifecycleStatus.Overdue, 1), (LifecycleStatus.Active, 1), (LifecycleStatus.Overdue, 2)],
            walked.Value.Transitions.Select(t => (t.To, t.Episode)));
        Assert.Equal(-15m, walked.Value.Balance);
    }

    [Fact]
    public void TheWalk_Declines_WhenAGraceShorterThanTheGapCouldEndInIt()
    {
        var (ledger, state, last) = Charged(10m);
        ledger.Append(new LedgerEntry("c2", LedgerEntryKind.Charge, last + Duration.FromHours(1), 25m));
        var grace = PolicyPresets.TencentApiGateway.Policy.Grace;

        Assert.NotNull(Walk(ApiGateway, ledger, state, last + grace));
        Assert.Null(Walk(ApiGateway, ledger, state, last + grace + Duration.Epsilon));

        // The full walk suspends at the end of the grace the charge started: the walk was right to decline.
        var late = ApiGateway.Evaluate(Account, ledger, state, last + Duration.FromHours(1) + grace);
        Assert.Equal([LifecycleStatus.Overdue, LifecycleStatus.Suspended], late.Transitions.Select(t => t.To));
    }

    [Fact]
    public void TheWalk_Declines_AnEntryKnownLateThatChangesAStatus_AndAnOverdueDeadlineUpToNow()
    {
        var (ledger, state, last) = Charged(10m);

        // A charge at the last evaluated instant, known only now: step 0 enters Overdue late.
        var late = new Ledger(EngineHarness.Cny, 10m);
        late.Append([new LedgerEntry("c1", LedgerEntryKind.Charge, last - Duration.FromHours(1), 5m), new LedgerEntry("at-last", LedgerEntryKind.Charge, last, 20m)]);
        late.Append(new LedgerEntry("c2", LedgerEntryKind.Charge, last + Duration.FromHours(1), 1m));
        Assert.Null(Walk(ApiGateway, late, state, last + Duration.FromHours(2)));
        Assert.True(Assert.Single(ApiGateway.Evaluate(Account, late, state, last + Duration.FromHours(2)).Transitions).IsLate);

        // An overdue account whose suspension falls in the window: a deadline to act on, not only entries.
        ledger.Append(new LedgerEntry("c2", LedgerEntryKind.Charge, last + Duration.FromHours(1), 25m));
        var overdue = ApiGateway.Evaluate(Account, ledger, state, last + Duration.FromHours(2)).State;
        var suspendAt = overdue.LifecycleOf(null).SuspendAt!.Value;
        ledger.Append(new LedgerEntry("c3", LedgerEntryKind.Charge, suspendAt - Duration.FromHours(1), 1m));
        Assert.NotNull(Walk(ApiGateway, ledger, overdue, suspendAt - Duration.Epsilon));
        Assert.Null(Walk(ApiGateway, ledger, overdue, suspendAt));
    }

    [Fact]
    public void TheWalk_Declines_AStateSavedWithTheProductsInAnotherOrder_WhichTheFullWalkMapsByName()
    {
        var policy = new AccountPolicyBuilder().AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy).AddProduct("redis", PolicyPresets.TencentRedis.Policy).Build();
        var (ledger, _, last) = Charged(10m);
        var saved = policy.Evaluate(Account, ledger, AccountState.Initial, last).State;
        var swapped = new AccountState([.. saved.Lifecycles.Reverse()], saved.AlarmArmed, saved.LastEvaluatedAt);
        ledger.Append(new LedgerEntry("c2", LedgerEntryKind.Charge, last + Duration.FromHours(1), 25m));
        var now = last + Duration.FromHours(2);

        Assert.NotNull(Walk(policy, ledger, saved, now));
        Assert.Null(Walk(policy, ledger, swapped, now));

        var evaluation = policy.Evaluate(Account, ledger, swapped, now);
        Assert.Null(IdleFastPathLaws.Differences(evaluation, policy.EvaluateFull(Account, ledger, HoldSet.Empty, swapped, now)));
        Assert.Equal(["apigw", "redis"], evaluation.State.Lifecycles.Select(l => l.Product));
        Assert.Equal(["apigw", "redis"], evaluation.Transitions.Select(t => t.Product));
    }

    [Fact]
    public void TheWalk_Declines_MoreProductsThanItsBuffer_AndAPurgeWarningInTheWindow()
    {
        var (ledger, _, last) = Charged(10m);
        var three = new AccountPolicyBuilder()
            .AddProduct("a", PolicyPresets.TencentApiGateway.Policy).AddProduct("b", PolicyPresets.TencentApiGateway.Policy).AddProduct("c", PolicyPresets.TencentApiGateway.Policy)
            .Build();
        var threeState = three.Evaluate(Account, ledger, AccountState.Initial, last).State;
        ledger.Append(new LedgerEntry("c2", LedgerEntryKind.Charge, last + Duration.FromHours(1), 25m));
        Assert.Null(Walk(three, ledger, threeState, last + Duration.FromHours(2)));
        Assert.Equal(3, three.Evaluate(Account, ledger, threeState, last + Duration.FromHours(2)).Transitions.Count);

        // A suspended account two hours before its first purge warning (seven days before the purge), with a new charge in
        // the window: walked up to the warning, declined at it (the warning is an instant to look at).
        var debt = new Ledger(EngineHarness.Cny, 10m);
        debt.Append(new LedgerEntry("d1", LedgerEntryKind.Charge, LawCase.T0, 25m));
        var suspended = ApiGateway.Evaluate(Account, debt, AccountState.Initial, LawCase.T0 + Duration.FromDays(10)).State;
        Assert.Equal(LifecycleStatus.Suspended, suspended.LifecycleOf(null).Status);
        var warnAt = suspended.LifecycleOf(null).PurgeAt!.Value - Duration.FromDays(7);
        var before = ApiGateway.Evaluate(Account, debt, suspended, warnAt - Duration.FromHours(2)).State;
        debt.Append(new LedgerEntry("d2", LedgerEntryKind.Charge, warnAt - Duration.FromHours(1), 1m));

        Assert.NotNull(Walk(ApiGateway, debt, before, warnAt - Duration.Epsilon));
        Assert.Null(Walk(ApiGateway, debt, before, warnAt));
        Assert.Equal([NotificationKind.PurgeWarning], ApiGateway.Evaluate(Account, debt, before, warnAt).Notifications.Select(n => n.Kind).Distinct());
    }

    [Fact]
    public void TheWalk_Declines_WithoutAnEntryInTheWindow_OrWithoutAnEarlierEvaluation()
    {
        var (ledger, state, last) = Charged(10m);
        Assert.Null(Walk(ApiGateway, ledger, state, last + Duration.FromHours(1)));
        Assert.Null(Walk(ApiGateway, ledger, AccountState.Initial, last + Duration.FromHours(1)));
    }

    /// <summary>A ledger opened at <paramref name="opening"/> with a charge of 5, evaluated an hour after it.</summary>
    private static (Ledger Ledger, AccountState State, Instant Last) Charged(decimal opening)
    {
        var ledger = new Ledger(EngineHarness.Cny, opening);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, LawCase.T0, 5m));
        var last = LawCase.T0 + Duration.FromHours(1);
        return (ledger, ApiGateway.Evaluate(Account, ledger, AccountState.Initial, last).State, last);
    }

    private static void NarrowRoutes(LifecyclePolicyOptions options)
    {
        options.Routes[NotificationKind.PurgeWarning] = new NotificationRoute(Audience.None, []);
        options.Routes[NotificationKind.Overdue] = new NotificationRoute(Audience.Collaborators, ["SMS"]);
        options.Routes[NotificationKind.Suspended] = new NotificationRoute(Audience.Creator, ["Email"]);
        options.Routes[NotificationKind.BalanceLow] = new NotificationRoute(Audience.Collaborators, ["Email", "SMS"]);
    }

    private static Evaluation? Walk(AccountPolicy policy, IBalanceHistory balances, AccountState state, Instant now) =>
        Entries(policy, Account, balances, HoldSet.Empty, state, state.LastEvaluatedAt ?? default, now);

    /// <summary>The walk as <see cref="AccountPolicy"/> calls it: without holds, the previous lifecycles in the products' order.</summary>
    private static Evaluation? Entries(AccountPolicy policy, AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant last, Instant now)
    {
        _ = last;
        if (!holds.IsEmpty)
        {
            return null;
        }

        return LifecycleEngine.TryEvaluateEntries(policy, [.. policy.Products], account, balances, in state, now, out var evaluation) ? evaluation : null;
    }
}
