using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Tests.Billing;

public sealed class TierTests
{
    private static readonly Currency Usd = Currency.FromCode("USD");

    // The first 100 units of a month cost 1.00 each, the next 900 cost 0.50, the rest 0.10 (the item's own unit price).
    private static readonly BillingItem Storage = new BillingItem("storage", 1m, 0.10m, BillingCycle.Day, tiers: [new PriceTier(100m, 1.00m), new PriceTier(1000m, 0.50m)]);

    [Fact]
    public void Rate_CyclesCrossingTierBounds_SplitIntoOneChargePerTier()
    {
        var charges = Rating.Rate(
            [Storage],
            [
                new UsageRecord("storage", At("2026-01-01T10:00:00Z"), 80m),   // 0..80: tier 1
                new UsageRecord("storage", At("2026-01-02T10:00:00Z"), 100m),  // 80..180: 20 in tier 1, 80 in tier 2
                new UsageRecord("storage", At("2026-01-03T10:00:00Z"), 1000m), // 180..1180: 820 in tier 2, 180 beyond
                new UsageRecord("storage", At("2026-02-01T10:00:00Z"), 50m),   // a new month starts again in tier 1
            ],
            Usd,
            DateTimeZone.Utc);

        Assert.Equal(
            [
                ("storage:2026-01-01T00:00:00Z:t1", 80.00m),
                ("storage:2026-01-02T00:00:00Z:t1", 20.00m),
                ("storage:2026-01-02T00:00:00Z:t2", 40.00m),
                ("storage:2026-01-03T00:00:00Z:t2", 410.00m),
                ("storage:2026-01-03T00:00:00Z:t3", 18.00m),
                ("storage:2026-02-01T00:00:00Z:t1", 50.00m),
            ],
            charges.Select(charge => (charge.Id, charge.Amount)));
    }

    [Fact]
    public void Rate_FreeFirstTier_BillsOnlyTheQuantityBeyondIt()
    {
        var calls = new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"), tiers: [new PriceTier(1_000_000m, 0m)]);

        var charges = Rating.Rate(
            [calls],
            [new UsageRecord("calls", At("2026-01-01T01:15:00Z"), 900_000m), new UsageRecord("calls", At("2026-01-01T02:15:00Z"), 350_000m)],
            Usd,
            DateTimeZone.Utc);

        // 900000 free; the next hour: 100000 free, 250000 at 0.06 per 10000 = 1.50. Free parts round to 0 and are not billed.
        Assert.Equal([("calls:2026-01-01T02:00:00Z:t2", 1.50m)], charges.Select(charge => (charge.Id, charge.Amount)));
    }

    [Fact]
    public void Rate_TierMonth_IsTheBillingZonesMonthOfTheCycleStart()
    {
        // In Asia/Tokyo (+09) February begins at 2026-01-31T15:00Z: the day cycle starting then counts in February.
        var zone = DateTimeZoneProviders.Tzdb["Asia/Tokyo"];

        var charges = Rating.Rate(
            [Storage],
            [new UsageRecord("storage", At("2026-01-31T14:00:00Z"), 100m), new UsageRecord("storage", At("2026-01-31T15:00:00Z"), 100m)],
            Usd,
            zone);

        Assert.Equal(
            [("storage:2026-01-30T15:00:00Z:t1", 100.00m), ("storage:2026-01-31T15:00:00Z:t1", 100.00m)],
            charges.Select(charge => (charge.Id, charge.Amount)));
    }

    [Fact]
    public void Rate_WeekStartingInOneMonth_CountsInThatMonth()
    {
        var weekly = Storage.Copy(cycle: BillingCycle.Week);

        // Monday 2026-03-30 starts a week that ends in April; its usage continues March's cumulative quantity.
        var charges = Rating.Rate(
            [weekly],
            [new UsageRecord("storage", At("2026-03-02T00:00:00Z"), 100m), new UsageRecord("storage", At("2026-04-02T00:00:00Z"), 10m)],
            Usd,
            DateTimeZone.Utc);

        Assert.Equal(
            [("storage:2026-03-02T00:00:00Z:t1", 100.00m), ("storage:2026-03-30T00:00:00Z:t2", 5.00m)],
            charges.Select(charge => (charge.Id, charge.Amount)));
    }

    private static Instant At(string text) => InstantPattern.ExtendedIso.Parse(text).Value;
}
