using NodaTime;
using static Arrears.Policy.Tests.Lifecycle.EngineHarness;

namespace Arrears.Policy.Tests.Lifecycle;

public sealed class NotificationTests
{
    private static readonly Duration Grace = Duration.FromHours(24);

    private static AccountProfile WithAlarm(decimal alarm) =>
        new("acct", "owner@example.com", collaborators: ["dev@example.com"], balanceAlarm: alarm);

    [Fact]
    public void Evaluate_Suspension_FansOutToCreatorAndEveryCollaboratorOverEveryChannel()
    {
        var account = new AccountProfile("acct", "owner@example.com", collaborators: ["dev@example.com", "ops@example.com"]);
        var h = new EngineHarness(account: account).Charge(T0, 25m);

        h.EvaluateAt(T0 + Grace);

        var suspended = h.Notifications.Where(n => n.Kind == NotificationKind.Suspended).ToList();
        Assert.Equal(
            ["owner@example.com/Email", "owner@example.com/SMS", "dev@example.com/Email", "dev@example.com/SMS", "ops@example.com/Email", "ops@example.com/SMS"],
            suspended.Select(n => $"{n.Recipient}/{n.Channel}"));
        Assert.All(suspended, n => Assert.Equal((T0 + Grace, 1, -25m), (n.At, n.Episode, n.Balance)));
        Assert.Equal(suspended.Count, suspended.Select(n => n.Key.Value).Distinct().Count());
    }

    [Fact]
    public void Evaluate_RouteNarrowsAudienceAndChannels_PerKind()
    {
        var policy = PolicyWith(o =>
        {
            o.Routes[NotificationKind.Overdue] = new NotificationRoute(Audience.Creator, ["Email"]);
            o.Routes[NotificationKind.Suspended] = NotificationRoute.Silent;
            o.Routes[NotificationKind.Purged] = new NotificationRoute(Audience.Collaborators, []);
        });
        var h = new EngineHarness(policy).Charge(T0, 25m);

        h.EvaluateAt(T0 + Duration.FromDays(365));

        Assert.Equal(["owner@example.com/Email"], h.Notifications.Where(n => n.Kind == NotificationKind.Overdue).Select(n => $"{n.Recipient}/{n.Channel}"));
        Assert.DoesNotContain(h.Notifications, n => n.Kind == NotificationKind.Suspended);
        Assert.Equal(["dev@example.com/Email", "dev@example.com/SMS"], h.Notifications.Where(n => n.Kind == NotificationKind.Purged).Select(n => $"{n.Recipient}/{n.Channel}"));
        Assert.Equal(2, h.Transitions.Count(t => t.To is LifecycleStatus.Suspended or LifecycleStatus.Purged));
    }

    [Fact]
    public void Evaluate_BalanceCrossesBelowAlarm_FiresOnceAndReArmsWhenBackAbove()
    {
        var h = new EngineHarness(account: WithAlarm(50m), opening: 100m)
            .Charge(T0, 60m)                                  // 40: crosses below -> fires
            .Charge(T0 + Duration.FromHours(1), 10m)          // 30: still below -> nothing
            .Pay(T0 + Duration.FromHours(2), 20m)             // 50: back at the threshold -> re-arms
            .Charge(T0 + Duration.FromHours(3), 0.01m);       // 49.99: fires again

        h.EvaluateAt(T0 + Duration.FromDays(1));

        var alarms = h.Notifications.Where(n => n.Kind == NotificationKind.BalanceLow).ToList();
        Assert.Equal([T0, T0 + Duration.FromHours(3)], alarms.Select(n => n.At).Distinct());
        Assert.Equal(8, alarms.Count);
        Assert.Contains(alarms, n => n.Key.Value == $"acct/BalanceLow/{T0}/owner@example.com/Email");
        Assert.Empty(h.Transitions);
    }

    [Fact]
    public void Evaluate_OpeningBalanceBelowAlarm_StartsDisarmed()
    {
        var h = new EngineHarness(account: WithAlarm(50m), opening: 40m).Charge(T0, 10m).Pay(T0 + Duration.FromHours(1), 30m).Charge(T0 + Duration.FromHours(2), 40m);

        h.EvaluateAt(T0 + Duration.FromHours(3));

        Assert.Equal([T0 + Duration.FromHours(2)], h.Notifications.Where(n => n.Kind == NotificationKind.BalanceLow).Select(n => n.At).Distinct());
    }

    [Fact]
    public void Evaluate_NegativeAlarm_FiresWhateverTheLifecycleStateExceptPurged()
    {
        var policy = PolicyWith(o => o.Retention = Duration.FromDays(2));
        var h = new EngineHarness(policy, WithAlarm(-100m))
            .Charge(T0, 50m)                                   // Overdue, -50: above the alarm
            .Charge(T0 + Grace + Duration.FromHours(1), 60m)   // Suspended, -110: fires
            .Pay(T0 + Grace + Duration.FromHours(2), 20m)      // -90: re-arms
            .Charge(T0 + Duration.FromDays(10), 20m);          // Purged, -110: nothing

        h.EvaluateAt(T0 + Duration.FromDays(11));

        Assert.Equal([T0 + Grace + Duration.FromHours(1)], h.Notifications.Where(n => n.Kind == NotificationKind.BalanceLow).Select(n => n.At).Distinct());
        Assert.Equal(LifecycleStatus.Purged, h.State.Lifecycles[0].Status);
    }

    [Fact]
    public void Evaluate_AlarmAndOverdueAtTheSameInstant_AlarmComesFirst()
    {
        var h = new EngineHarness(account: WithAlarm(10m), opening: 5m + 10m).Charge(T0, 20m);

        h.EvaluateAt(T0);

        Assert.Equal([NotificationKind.BalanceLow, NotificationKind.Overdue], h.Notifications.Select(n => n.Kind).Distinct());
    }

    [Fact]
    public void Evaluate_PaidWithinGraceSeenByALaterEvaluation_SendsNothing()
    {
        var h = new EngineHarness().Charge(T0, 25m);
        h.EvaluateAt(T0);

        h.Pay(T0 + Duration.FromHours(1), 25m);
        var result = h.EvaluateAt(T0 + Duration.FromHours(2));

        Assert.Single(result.Transitions);
        Assert.Empty(result.Notifications);
    }

    [Fact]
    public void Evaluate_SeveralProducts_EachUnderItsOwnPolicyDrivenByOneBalance()
    {
        var products = new AccountPolicyBuilder()
            .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
            .AddProduct("cvm", PolicyPresets.TencentCvm.Policy)
            .Build();
        var account = WithAlarm(0m);
        var ledger = new Ledger(Cny, 10m);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m));

        var result = products.Evaluate(account, ledger, AccountState.Initial, T0 + Duration.FromHours(3));

        Assert.Equal(LifecycleStatus.Overdue, result.State.Lifecycles[0].Status);    // API Gateway still in its 24-hour grace
        Assert.Equal(LifecycleStatus.Suspended, result.State.Lifecycles[1].Status);  // CVM suspended after 2 hours
        Assert.Equal(
            ["apigw Active->Overdue", "cvm Active->Overdue", "cvm Overdue->Suspended"],
            result.Transitions.Select(t => $"{t.Product} {t.From}->{t.To}"));
        Assert.Equal(T0 + Duration.FromHours(24), result.NextReviewAt);

        // The balance alarm belongs to the account: one alarm, not one per product.
        var alarms = result.Notifications.Where(n => n.Kind == NotificationKind.BalanceLow).ToList();
        Assert.Equal(4, alarms.Count);
        Assert.All(alarms, n => Assert.Null(n.Product));
        Assert.Contains(result.Notifications, n => n.Key.Value == "acct/cvm/1/Suspended/dev@example.com/SMS");
        Assert.Equal(result.Notifications.Count, result.Notifications.Select(n => n.Key.Value).Distinct().Count());
    }

    [Fact]
    public void Build_SeveralProductsWithDuplicateName_IsRejected()
    {
        var builder = new AccountPolicyBuilder()
            .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
            .AddProduct("apigw", PolicyPresets.TencentCvm.Policy);

        var ex = Assert.Throws<PolicyValidationException>(builder.Build);

        Assert.Equal(["products[1].name: duplicate product, got \"apigw\""], ex.Errors.Select(error => error.ToString()));
    }

    [Fact]
    public void Evaluate_SlashesInKeyParts_AreEscapedSoKeysStayUnique()
    {
        // Unescaped, creator "r" over channel "A/B" and collaborator "r/A" over channel "B" would share "a/1/Overdue/r/A/B".
        var policy = PolicyWith(o =>
        {
            o.Channels.Clear();
            o.Channels.Add("A/B");
            o.Channels.Add("B");
        });
        var account = new AccountProfile("a", "r", collaborators: ["r/A", "100%"]);
        var h = new EngineHarness(policy, account).Charge(T0, 1m);

        h.EvaluateAt(T0);

        Assert.Equal(6, h.Notifications.Count);
        Assert.Equal(6, h.Notifications.Select(n => n.Key.Value).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(h.Notifications, n => n.Key.Value == "a/1/Overdue/r/A%2FB" && n.Channel == "A/B");
        Assert.Contains(h.Notifications, n => n.Key.Value == "a/1/Overdue/r%2FA/B" && n.Recipient == "r/A");
        Assert.Contains(h.Notifications, n => n.Key.Value == "a/1/Overdue/100%25/B");
    }

    [Fact]
    public void AccountProfile_CollaboratorRepeatsCreator_IsRejectedNamingTheValue()
    {
        var ex = Assert.Throws<ArgumentException>(() => new AccountProfile("acct", "owner@example.com", collaborators: ["dev@example.com", "owner@example.com"]));

        Assert.StartsWith("account.collaborators[1]: is already the creator or another collaborator, got \"owner@example.com\"", ex.Message, StringComparison.Ordinal);
    }
}
