using NodaTime;
using static Arrears.Policy.Tests.Lifecycle.EngineHarness;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>Build once, evaluate many: products by name, state matched to products, defaults that are valid values.</summary>
public sealed class AccountPolicyTests
{
    private static readonly AccountProfile Account = new("acct", "owner@example.com");

    private static AccountPolicy Products(params string[] names)
    {
        var builder = new AccountPolicyBuilder();
        foreach (var name in names)
        {
            builder.AddProduct(name, name == "cvm" ? PolicyPresets.TencentCvm.Policy : PolicyPresets.TencentApiGateway.Policy);
        }

        return builder.Build();
    }

    private static Ledger Owing()
    {
        var ledger = new Ledger(Cny);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m));
        return ledger;
    }

    [Fact]
    public void Evaluate_StateSavedWithProductsInAnotherOrder_IsMappedByNameSoEachRunsUnderItsOwnPolicy()
    {
        var ledger = Owing();
        var saved = Products("apigw", "cvm").Evaluate(Account, ledger, AccountState.Initial, T0 + Duration.FromHours(3)).State;
        Assert.Equal([LifecycleStatus.Overdue, LifecycleStatus.Suspended], saved.Lifecycles.Select(l => l.Status));

        // The same products in the other order: API Gateway keeps its 24-hour grace, CVM stays suspended.
        var swapped = Products("cvm", "apigw").Evaluate(Account, ledger, saved, T0 + Duration.FromHours(23));

        Assert.Empty(swapped.Transitions);
        Assert.Equal(["cvm", "apigw"], swapped.State.Lifecycles.Select(l => l.Product));
        Assert.Equal(LifecycleStatus.Suspended, swapped.State.LifecycleOf("cvm").Status);
        Assert.Equal(LifecycleStatus.Overdue, swapped.State.LifecycleOf("apigw").Status);
        Assert.Equal(T0 + Duration.FromHours(24), swapped.NextReviewAt);
    }

    [Theory]
    [InlineData(new[] { "apigw" }, "state.lifecycles[1].product: the account policy has no product \"cvm\"; its products are \"apigw\"")]
    [InlineData(new[] { "apigw", "cvm", "cdn" }, "state.lifecycles: no lifecycle for product \"cdn\" of the account policy; the state has \"apigw\", \"cvm\"")]
    [InlineData(new[] { "apigw", "vm" }, "state.lifecycles: no lifecycle for product \"vm\" of the account policy; the state has \"apigw\", \"cvm\"")]
    public void Evaluate_StateOfOtherProducts_IsRejectedNamingTheProduct(string[] products, string expected)
    {
        var ledger = Owing();
        var saved = Products("apigw", "cvm").Evaluate(Account, ledger, AccountState.Initial, T0 + Duration.FromHours(1)).State;

        var ex = Assert.Throws<ArgumentException>(() => Products(products).Evaluate(Account, ledger, saved, T0 + Duration.FromHours(2)));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SingleProductStateUnderNamedProducts_IsRejected()
    {
        var ledger = Owing();
        var saved = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy).Evaluate(Account, ledger, AccountState.Initial, T0).State;

        var ex = Assert.Throws<ArgumentException>(() => Products("apigw").Evaluate(Account, ledger, saved, T0 + Duration.FromHours(1)));

        Assert.StartsWith("state.lifecycles: no lifecycle for product \"apigw\" of the account policy; the state has (unnamed)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_EvaluationAndState_AreValidValues()
    {
        Assert.False(default(Evaluation).HasChanges);
        Assert.Empty(default(Evaluation).Transitions);
        Assert.Empty(default(AccountState).Lifecycles);
        Assert.Equal(AccountState.Initial, default);
        Assert.Equal(ProductLifecycle.Initial(null), default);

        // The default state is the state of a new account.
        var evaluation = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy).Evaluate(Account, Owing(), default, T0);
        Assert.Equal(LifecycleStatus.Overdue, evaluation.State.Lifecycles[0].Status);
    }

    [Fact]
    public void Build_EverythingWrong_ListsEveryProblem()
    {
        var builder = new AccountPolicyBuilder()
            .AddProduct(" ", PolicyPresets.TencentApiGateway.Policy)
            .AddProduct("cvm", null!)
            .AddProduct("cvm", PolicyPresets.TencentCvm.Policy)
            .WithBalanceAlarmRoute(new NotificationRoute((Audience)8, ["Email", ""]));

        var ex = Assert.Throws<PolicyValidationException>(builder.Build);

        Assert.Equal(
            [
                "products[0].name: must not be empty, got \" \"",
                "products[1].policy: must not be null (product \"cvm\")",
                "products[2].name: duplicate product, got \"cvm\"",
                "balanceAlarmRoute.audience: unknown audience, got \"8\"",
                "balanceAlarmRoute.channels[1]: must not be empty, got \"\"",
            ],
            ex.Errors.Select(error => error.ToString()));
        Assert.Equal(["products: must name at least one product, got none"], Assert.Throws<PolicyValidationException>(new AccountPolicyBuilder().Build).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Evaluate_BalanceAlarmRoute_IsTheAccountPolicysNotTheFirstProducts()
    {
        var policy = new AccountPolicyBuilder()
            .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
            .WithBalanceAlarmRoute(new NotificationRoute(Audience.Creator, ["Email"]))
            .Build();
        var account = new AccountProfile("acct", "owner@example.com", collaborators: ["dev@example.com"], balanceAlarm: 0m);

        var evaluation = policy.Evaluate(account, Owing(), AccountState.Initial, T0);

        var alarm = Assert.Single(evaluation.Notifications, n => n.Kind == NotificationKind.BalanceLow);
        Assert.Equal("acct/BalanceLow/2026-02-01T08:30:00Z/owner@example.com/Email", alarm.Key.Value);
    }

    [Fact]
    public void NotificationKey_Formats_ArePinnedBecauseStoresPersistThem()
    {
        Assert.Equal("acct-1/1/Suspended/owner@example.com/SMS", NotificationKey.For("acct-1", null, 1, NotificationKind.Suspended, "owner@example.com", "SMS").Value);
        Assert.Equal("acct-1/apigw/2/Overdue/dev/Email", NotificationKey.For("acct-1", "apigw", 2, NotificationKind.Overdue, "dev", "Email").Value);
        Assert.Equal("acct-1/apigw/1/PurgeWarning/P7D/2026-08-01T08:30:00Z/owner/Email", NotificationKey.ForPurgeWarning("acct-1", "apigw", 1, Duration.FromDays(7), Instant.FromUtc(2026, 8, 1, 8, 30), "owner", "Email").Value);
        Assert.Equal("acct-1/BalanceLow/2026-02-01T08:30:00Z/owner/SMS", NotificationKey.ForBalanceLow("acct-1", T0, "owner", "SMS").Value);
        Assert.Equal("a%2Fb/p%25/1/Purged/r%2Fx/c", NotificationKey.For("a/b", "p%", 1, NotificationKind.Purged, "r/x", "c").Value);
        Assert.Equal(string.Empty, default(NotificationKey).Value);
        Assert.Throws<ArgumentException>(() => NotificationKey.For("a", null, 1, NotificationKind.BalanceLow, "r", "c"));
    }

    [Fact]
    public void NotificationKey_EngineKeys_EqualThePublicFactories()
    {
        var h = new EngineHarness().Charge(T0, 25m);

        h.EvaluateAt(T0 + Duration.FromDays(200));

        foreach (var n in h.Notifications)
        {
            var expected = n.Kind switch
            {
                NotificationKind.PurgeWarning => NotificationKey.ForPurgeWarning("acct", n.Product, n.Episode, h.Policy.PurgeWarnings.Single(w => h.State.Lifecycles[0].PurgeAt - w == n.At), h.State.Lifecycles[0].PurgeAt!.Value, n.Recipient, n.Channel),
                NotificationKind.BalanceLow => NotificationKey.ForBalanceLow("acct", n.At, n.Recipient, n.Channel),
                _ => NotificationKey.For("acct", n.Product, n.Episode, n.Kind, n.Recipient, n.Channel),
            };
            Assert.Equal(expected, n.Key);
        }

        Assert.Contains(h.Notifications, n => n.Kind == NotificationKind.PurgeWarning);
    }

    [Fact]
    public void Entries_Ledger_CannotBeChangedThroughTheList()
    {
        var ledger = Owing();

        var entries = Assert.IsAssignableFrom<ICollection<LedgerEntry>>(ledger.Entries);

        Assert.IsNotType<List<LedgerEntry>>(ledger.Entries);
        Assert.True(entries.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => entries.Clear());
        Assert.Equal(-25m, ledger.BalanceAt(T0));
    }
}
