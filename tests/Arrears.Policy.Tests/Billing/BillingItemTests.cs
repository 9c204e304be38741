using NodaTime;

namespace Arrears.Policy.Tests.Billing;

public sealed class BillingItemTests
{
    private static BillingItem Calls => new("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"));

    private static BillingItem CallsWith(Duration settlementDelay = default, IReadOnlyList<PriceTier>? tiers = null) =>
        new("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"), settlementDelay, tiers: tiers);

    [Theory]
    [InlineData("0", "0.06", "unit: must be positive, got \"0\"")]
    [InlineData("-1", "0.06", "unit: must be positive, got \"-1\"")]
    [InlineData("1", "-0.01", "unitPrice: must not be negative, got \"-0.01\"")]
    public void Constructor_OutOfRange_ThrowsNamingFieldAndValue(string unit, string unitPrice, string message)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;

        var error = Assert.Throws<ArgumentException>(() =>
            new BillingItem("calls", decimal.Parse(unit, invariant), decimal.Parse(unitPrice, invariant), BillingCycle.Day));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyId_ThrowsNamingField()
    {
        var error = Assert.Throws<ArgumentException>(() => new BillingItem("", 1m, 1m, BillingCycle.Day));

        Assert.StartsWith("id: must not be empty, got \"\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ZeroUnitPrice_IsAllowed()
    {
        Assert.Equal(0m, new BillingItem("free", 1m, 0m, BillingCycle.Day).UnitPrice);
    }

    [Fact]
    public void SettlementDelay_Default_IsZero()
    {
        Assert.Equal(Duration.Zero, Calls.SettlementDelay);
        Assert.Empty(Calls.Tiers);
        Assert.Null(Calls.Product);
    }

    [Fact]
    public void SettlementDelay_Negative_ThrowsNamingFieldAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => CallsWith(settlementDelay: Duration.FromMinutes(-30)));

        Assert.StartsWith("settlementDelay: must not be negative, got \"-PT30M\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(AccountProfile))]
    [InlineData(typeof(BillingItem))]
    [InlineData(typeof(PriceTier))]
    [InlineData(typeof(UsageRecord))]
    [InlineData(typeof(LedgerEntry))]
    [InlineData(typeof(RatedCharge))]
    [InlineData(typeof(Scenario))]
    [InlineData(typeof(Hold))]
    [InlineData(typeof(HoldRevocation))]
    [InlineData(typeof(HoldSet))]
    public void InputType_NoInitAccessorAndNoClone_EveryValuePassesTheValidatingConstructor(Type type)
    {
        // An init accessor or a record's <Clone>$ (what `with` calls) would let a copy change a value without validation.
        Assert.All(type.GetProperties(), property => Assert.Null(property.SetMethod));
        Assert.Null(type.GetMethod("<Clone>$"));
        Assert.Throws<ArgumentException>(() => Calls.Copy(unit: 0m));
    }

    [Fact]
    public void Tiers_NotIncreasing_ThrowsNamingTheTier()
    {
        var error = Assert.Throws<ArgumentException>(() => CallsWith(tiers: [new PriceTier(100m, 1m), new PriceTier(100m, 0.5m)]));

        Assert.StartsWith("tiers[1].upTo: must be greater than tiers[0].upTo \"100\", got \"100\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tiers_NullTier_ThrowsNamingTheTier()
    {
        var error = Assert.Throws<ArgumentException>(() => CallsWith(tiers: [new PriceTier(100m, 1m), null!]));

        Assert.StartsWith("tiers[1]: must not be null", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "1", "upTo: must be positive, got \"0\"")]
    [InlineData("10", "-1", "unitPrice: must not be negative, got \"-1\"")]
    public void PriceTier_OutOfRange_ThrowsNamingFieldAndValue(string upTo, string unitPrice, string message)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;

        var error = Assert.Throws<ArgumentException>(() => new PriceTier(decimal.Parse(upTo, invariant), decimal.Parse(unitPrice, invariant)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tiers_CallerListChangedLater_ItemKeepsItsOwnCopy()
    {
        var tiers = new List<PriceTier> { new(100m, 1m) };
        var item = CallsWith(tiers: tiers);

        tiers.Add(new PriceTier(50m, 2m));

        Assert.Single(item.Tiers);
    }

    [Fact]
    public void Equals_SameTierValuesInDifferentLists_IsEqual()
    {
        var a = CallsWith(tiers: [new PriceTier(100m, 1m)]);
        var b = CallsWith(tiers: [new PriceTier(100m, 1m)]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Calls);
    }

    [Theory]
    [InlineData("-1", "quantity: must not be negative, got \"-1\"")]
    [InlineData("-0.001", "quantity: must not be negative, got \"-0.001\"")]
    public void UsageRecord_NegativeQuantity_ThrowsNamingFieldAndValue(string quantity, string message)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new UsageRecord("calls", Instant.FromUtc(2026, 1, 1, 0, 0), decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsageRecord_EmptyItem_ThrowsNamingField()
    {
        var error = Assert.Throws<ArgumentException>(() => new UsageRecord(" ", Instant.FromUtc(2026, 1, 1, 0, 0), 1m));

        Assert.StartsWith("item: must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RatedCharge_NonPositiveAmount_ThrowsNamingFieldAndValue()
    {
        var at = Instant.FromUtc(2026, 1, 1, 0, 0);

        var error = Assert.Throws<ArgumentException>(() => new RatedCharge("calls:x", "calls", null, at, at, at, 0m));

        Assert.StartsWith("amount: must be positive, got \"0\"", error.Message, StringComparison.Ordinal);
    }
}
