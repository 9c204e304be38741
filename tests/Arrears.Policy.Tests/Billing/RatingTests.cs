using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Tests.Billing;

using Ledger = Arrears.Policy.Ledger;

public sealed class RatingTests
{
    private static readonly Currency Cny = Currency.FromCode("CNY");
    private static readonly Currency Gbp = Currency.FromCode("GBP");
    private static readonly IDateTimeZoneProvider Tzdb = DateTimeZoneProviders.Tzdb;

    private static readonly BillingItem Calls = new("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"), settlementDelay: Duration.FromMinutes(30), product: "api-gateway");

    private static readonly BillingItem Traffic = new("traffic", 1m, 0.8m, BillingCycle.Parse("none"), product: "api-gateway");

    [Fact]
    public void Rate_HourlyUsage_OneChargeAtCycleEndPlusSettlementDelay()
    {
        var charges = Rating.Rate([Calls], [new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 250000m)], Cny, DateTimeZone.Utc);

        var charge = Assert.Single(charges);
        Assert.Equal(
            new RatedCharge("calls:2026-01-01T01:00:00Z", "calls", "api-gateway", At("2026-01-01T01:00:00Z"), At("2026-01-01T02:00:00Z"), At("2026-01-01T02:30:00Z"), 1.50m),
            charge);
        Assert.Equal("1.50", charge.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Rate_SeveralRecordsInOneCycle_SumsThemIntoOneCharge()
    {
        var charges = Rating.Rate(
            [Calls],
            [
                new UsageRecord("calls", At("2026-01-01T01:00:00Z"), 100000m),
                new UsageRecord("calls", At("2026-01-01T01:59:59.999999999Z"), 150000m),
                new UsageRecord("calls", At("2026-01-01T02:00:00Z"), 10000m),
            ],
            Cny,
            DateTimeZone.Utc);

        Assert.Equal(
            [("calls:2026-01-01T01:00:00Z", 1.50m), ("calls:2026-01-01T02:00:00Z", 0.06m)],
            charges.Select(charge => (charge.Id, charge.Amount)));
    }

    [Fact]
    public void Rate_RecordExactlyAtBoundary_BelongsToTheCycleStartingThere()
    {
        var charge = Assert.Single(Rating.Rate([Calls], [new UsageRecord("calls", At("2026-01-01T02:00:00Z"), 10000m)], Cny, DateTimeZone.Utc));

        Assert.Equal(At("2026-01-01T02:00:00Z"), charge.CycleStart);
        Assert.Equal(At("2026-01-01T03:30:00Z"), charge.At);
    }

    [Fact]
    public void Rate_ChargeRoundingToZero_IsNotBilled()
    {
        // 80 calls cost 0.00048 CNY, which rounds to 0.00.
        Assert.Empty(Rating.Rate([Calls], [new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 80m)], Cny, DateTimeZone.Utc));
    }

    [Fact]
    public void Rate_ZeroQuantityOrNoUsage_MakesNoCharge()
    {
        Assert.Empty(Rating.Rate([Calls], [new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 0m)], Cny, DateTimeZone.Utc));
        Assert.Empty(Rating.Rate([Calls, Traffic], [], Cny, DateTimeZone.Utc));
    }

    [Theory]
    [InlineData("USD", "0.005", "0.01")]
    [InlineData("USD", "0.015", "0.02")]
    [InlineData("USD", "0.0149", "0.01")]
    [InlineData("JPY", "2.5", "3")]
    [InlineData("JPY", "0.4", null)]
    [InlineData("KWD", "0.0005", "0.001")]
    [InlineData("BHD", "1.2345", "1.235")]
    public void Rate_Midpoint_RoundsAwayFromZeroToTheCurrencysMinorUnits(string code, string unitPrice, string? expected)
    {
        var item = new BillingItem("item", 1m, decimal.Parse(unitPrice, System.Globalization.CultureInfo.InvariantCulture), BillingCycle.Day);

        var charges = Rating.Rate([item], [new UsageRecord("item", At("2026-01-01T01:15:00Z"), 1m)], Currency.FromCode(code), DateTimeZone.Utc);

        Assert.Equal(expected, charges.SingleOrDefault()?.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Rate_CycleNone_BillsEachInstantsRecordsAsOneCharge()
    {
        var first = At("2026-01-01T01:15:00Z");
        var second = At("2026-01-01T01:15:00.5Z");

        var charges = Rating.Rate(
            [Traffic],
            [new UsageRecord("traffic", first, 1m), new UsageRecord("traffic", first, 2m), new UsageRecord("traffic", second, 1m)],
            Cny,
            DateTimeZone.Utc);

        Assert.Equal(
            [
                new RatedCharge("traffic:2026-01-01T01:15:00Z", "traffic", "api-gateway", first, first, first, 2.40m),
                new RatedCharge("traffic:2026-01-01T01:15:00.5Z", "traffic", "api-gateway", second, second, second, 0.80m),
            ],
            charges);
    }

    [Fact]
    public void Rate_DayCycleAcrossLondonFallBack_BillsA25HourDay()
    {
        // The scenario of docs/spec/examples/dst-daily-cycle-london: 25 October 2026 lasts 25 hours in Europe/London.
        var storage = new BillingItem("storage", 1m, 0.25m, BillingCycle.Day);

        var charges = Rating.Rate(
            [storage],
            [
                new UsageRecord("storage", At("2026-10-24T23:00:00Z"), 2m),
                new UsageRecord("storage", At("2026-10-25T23:59:59Z"), 2m),
                new UsageRecord("storage", At("2026-10-26T00:00:00Z"), 2m),
            ],
            Gbp,
            Tzdb["Europe/London"]);

        Assert.Equal(
            [
                ("storage:2026-10-24T23:00:00Z", At("2026-10-26T00:00:00Z"), 1.00m),
                ("storage:2026-10-26T00:00:00Z", At("2026-10-27T00:00:00Z"), 0.50m),
            ],
            charges.Select(charge => (charge.Id, charge.At, charge.Amount)));
    }

    [Fact]
    public void Rate_DayCycleAcrossLondonSpringForward_BillsA23HourDay()
    {
        var storage = new BillingItem("storage", 1m, 0.25m, BillingCycle.Day);

        var charges = Rating.Rate(
            [storage],
            [new UsageRecord("storage", At("2026-03-29T22:59:59Z"), 1m), new UsageRecord("storage", At("2026-03-29T23:00:00Z"), 1m)],
            Gbp,
            Tzdb["Europe/London"]);

        Assert.Equal(
            [
                ("storage:2026-03-29T00:00:00Z", At("2026-03-29T23:00:00Z")),
                ("storage:2026-03-29T23:00:00Z", At("2026-03-30T23:00:00Z")),
            ],
            charges.Select(charge => (charge.Id, charge.At)));
    }

    [Fact]
    public void Rate_DayCycleWhoseMidnightIsSkipped_IdIsTheFirstInstantOfTheDay()
    {
        var storage = new BillingItem("storage", 1m, 1m, BillingCycle.Day);

        var charge = Assert.Single(Rating.Rate([storage], [new UsageRecord("storage", At("2026-09-06T12:00:00Z"), 1m)], Cny, Tzdb["America/Santiago"]));

        Assert.Equal("storage:2026-09-06T04:00:00Z", charge.Id);
        Assert.Equal(At("2026-09-07T03:00:00Z"), charge.At);
    }

    [Fact]
    public void Rate_WeekAndMonthCycles_UseTheBillingZone()
    {
        var weekly = new BillingItem("weekly", 1m, 1m, BillingCycle.Week);
        var monthly = new BillingItem("monthly", 1m, 1m, BillingCycle.Month);
        var at = At("2026-03-29T12:00:00Z");

        var charges = Rating.Rate([weekly, monthly], [new UsageRecord("weekly", at, 1m), new UsageRecord("monthly", at, 1m)], Gbp, Tzdb["Europe/London"]);

        Assert.Equal(
            [("weekly:2026-03-23T00:00:00Z", At("2026-03-29T23:00:00Z")), ("monthly:2026-03-01T00:00:00Z", At("2026-03-31T23:00:00Z"))],
            charges.Select(charge => (charge.Id, charge.At)));
    }

    [Fact]
    public void Rate_ManyItems_SortedByInstantThenId()
    {
        var a = new BillingItem("b-item", 1m, 1m, BillingCycle.Parse("PT1H"));
        var b = new BillingItem("a-item", 1m, 1m, BillingCycle.Parse("PT1H"));
        var c = new BillingItem("c-item", 1m, 1m, BillingCycle.Parse("PT15M"));
        var at = At("2026-01-01T00:10:00Z");

        var charges = Rating.Rate([a, b, c], [new UsageRecord("b-item", at, 1m), new UsageRecord("a-item", at, 1m), new UsageRecord("c-item", at, 1m)], Cny, DateTimeZone.Utc);

        Assert.Equal(["c-item:2026-01-01T00:00:00Z", "a-item:2026-01-01T00:00:00Z", "b-item:2026-01-01T00:00:00Z"], charges.Select(charge => charge.Id));
    }

    [Fact]
    public void Rate_UnknownItem_ThrowsNamingPathAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => Rating.Rate(
            [Calls],
            [new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 1m), new UsageRecord("cals", At("2026-01-01T01:15:00Z"), 1m)],
            Cny,
            DateTimeZone.Utc));

        Assert.StartsWith("usage[1].item: unknown billing item, got \"cals\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_DuplicateItemIds_ThrowsNamingPathAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => Rating.Rate([Calls, Calls.Copy(unitPrice: 1m)], [], Cny, DateTimeZone.Utc));

        Assert.StartsWith("items[1].id: duplicate billing item id, got \"calls\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_DefaultCurrency_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Rating.Rate([Calls], [], default, DateTimeZone.Utc));

        Assert.StartsWith("currency:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_TotalOverflowsDecimal_ThrowsNamingTheRecord()
    {
        var item = new BillingItem("big", 1m, 1m, BillingCycle.Day);
        var at = At("2026-01-01T00:00:00Z");

        var error = Assert.Throws<ArgumentException>(() => Rating.Rate([item], [new UsageRecord("big", at, decimal.MaxValue), new UsageRecord("big", at, decimal.MaxValue)], Cny, DateTimeZone.Utc));

        Assert.StartsWith("usage[0].quantity:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRate_UnknownItem_ReturnsTheRecordFieldAndMessageThatRateThrows()
    {
        IReadOnlyList<UsageRecord> usage = [new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 1m), new UsageRecord("cals", At("2026-01-01T01:15:00Z"), 1m)];

        var (charges, error) = Rating.TryRate([Calls], usage, Cny, DateTimeZone.Utc);

        Assert.Null(charges);
        Assert.Equal(new RatingError("usage", 1, "item", "unknown billing item, got \"cals\""), error);
        var thrown = Assert.Throws<ArgumentException>(() => Rating.Rate([Calls], usage, Cny, DateTimeZone.Utc));
        Assert.Equal("usage[1].item: unknown billing item, got \"cals\" (Parameter 'usage')", thrown.Message);
    }

    [Fact]
    public void TryRate_TotalOverflowsDecimal_ReturnsTheFirstRecordOfTheCycleWithTheOverflow()
    {
        var item = new BillingItem("big", 1m, 1m, BillingCycle.Day);
        var at = At("2026-01-01T00:00:00Z");

        var (_, error) = Rating.TryRate([item], [new UsageRecord("big", at, 1m), new UsageRecord("big", at, decimal.MaxValue), new UsageRecord("big", at, decimal.MaxValue)], Cny, DateTimeZone.Utc);

        Assert.NotNull(error);
        Assert.Equal("usage[0].quantity", error.Path);
        Assert.IsType<OverflowException>(error.Cause);
        Assert.IsType<OverflowException>(error.ToException().InnerException);
    }

    [Fact]
    public void ToLedgerEntry_RatedCharge_IsAChargeCarryingProductAndItem()
    {
        var charge = Rating.Rate([Calls], [new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 250000m)], Cny, DateTimeZone.Utc)[0];

        var entry = charge.ToLedgerEntry();

        Assert.Equal(
            new LedgerEntry("calls:2026-01-01T01:00:00Z", LedgerEntryKind.Charge, At("2026-01-01T02:30:00Z"), 1.50m, product: "api-gateway", billingItem: "calls"),
            entry);
    }

    [Fact]
    public void ToLedgerEntry_RatingTheSameUsageAgain_AppendsAsReplay()
    {
        var usage = new[] { new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 250000m), new UsageRecord("traffic", At("2026-01-01T01:20:00Z"), 3m) };
        var ledger = new Ledger(Cny);
        ledger.Append(Rating.Rate([Calls, Traffic], usage, Cny, DateTimeZone.Utc).Select(charge => charge.ToLedgerEntry()));

        var again = ledger.Append(Rating.Rate([Traffic, Calls], usage.Reverse().ToArray(), Cny, DateTimeZone.Utc).Select(charge => charge.ToLedgerEntry()));

        Assert.Equal(new AppendResult(0, 2), again);
        Assert.Equal(-3.90m, ledger.BalanceAt(At("2026-01-02T00:00:00Z")));
        Assert.Equal(
            [new BillDetailLine("api-gateway", "calls", 1, 1.50m), new BillDetailLine("api-gateway", "traffic", 1, 2.40m)],
            ledger.BillDetails(new Interval(At("2026-01-01T00:00:00Z"), At("2026-01-02T00:00:00Z"))));
    }

    private static Instant At(string text) => InstantPattern.ExtendedIso.Parse(text).Value;
}
