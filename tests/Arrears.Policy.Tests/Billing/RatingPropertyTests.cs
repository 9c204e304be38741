using Arrears.Policy.PropertyTesting;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Billing;

public sealed class RatingPropertyTests
{
    private static readonly Currency Usd = Currency.FromCode("USD");

    private static readonly Gen<decimal> Quantities =
        Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5000))).SelectMany(whole => Gen.Elements(1m, 0.1m, 0.001m).Select(scale => whole * scale));

    private static readonly Gen<decimal> Units = Gen.Elements(1m, 10m, 100m, 1000m, 10000m);

    private static readonly Gen<decimal> Prices = Gen.Choose(0, 100_000).Select(minor => minor / 1000m);

    private static readonly Gen<PriceTier[]> TierLists =
        Gen.Choose(0, 4).SelectMany(count => Gen.Choose(1, 3000).ArrayOf(count)).SelectMany(bounds =>
        {
            var distinct = bounds.Distinct().Order().ToArray();
            return Gen.CollectToArray(distinct, bound => Prices.Select(price => new PriceTier(bound, price)));
        });

    private static readonly Gen<BillingItem> Items =
        Generators.Cycles.SelectMany(cycle => Units.SelectMany(unit => Prices.SelectMany(price => TierLists.SelectMany(tiers =>
            Gen.Choose(0, 3600).Select(delaySeconds => new BillingItem("item", unit, price, cycle, settlementDelay: Duration.FromSeconds(delaySeconds), tiers: tiers))))));

    /// <summary>Usage in a few weeks around a month boundary, with instants near each other so that records share cycles.</summary>
    private static Gen<UsageRecord[]> Usage(string[] itemIds) =>
        Generators.Instants.SelectMany(anchor => Gen.Choose(0, 30).SelectMany(count => Gen.CollectToArray(
            Enumerable.Range(0, count),
            _ => Gen.Elements(itemIds).SelectMany(item => Generators.InstantNear(anchor).SelectMany(near =>
                Gen.Choose(0, 40 * 24).SelectMany(hours => Quantities.Select(quantity =>
                    new UsageRecord(item, near + Duration.FromHours(hours - (20 * 24)), quantity))))))));

    private static readonly Gen<(BillingItem[] Items, UsageRecord[] Usage, DateTimeZone Zone)> Scenarios =
        Items.Two().SelectMany(pair =>
        {
            BillingItem[] items = [pair.Item1.Copy(id: "a"), pair.Item2.Copy(id: "b", product: "p")];
            return Usage(["a", "b"]).SelectMany(usage => Generators.ZonesWithDst.Select(zone => (items, usage, zone)));
        });

    [Property(MaxTest = 1000)]
    public Property Rate_AnyUsageOrder_GivesTheSameCharges() =>
        Prop.ForAll(
            Scenarios.SelectMany(scenario => Gen.Shuffle(scenario.Usage).Select(shuffled => (scenario, shuffled))).ToArbitrary(),
            pair =>
            {
                var ((items, usage, zone), shuffled) = pair;
                var expected = Rating.Rate(items, usage, Usd, zone);
                var actual = Rating.Rate(items.Reverse().ToArray(), shuffled, Usd, zone);
                return expected.SequenceEqual(actual);
            });

    [Property(MaxTest = 1000)]
    public Property Rate_AnyUsage_ChargesAreSortedUniquePositiveAndSettleAfterTheirCycle() =>
        Prop.ForAll(
            Scenarios.ToArbitrary(),
            scenario =>
            {
                var (items, usage, zone) = scenario;
                var charges = Rating.Rate(items, usage, Usd, zone);
                var byId = items.ToDictionary(item => item.Id);
                return charges.Select(charge => charge.Id).Distinct().Count() == charges.Count
                    && charges.Zip(charges.Skip(1), (a, b) => a.At < b.At || (a.At == b.At && string.CompareOrdinal(a.Id, b.Id) < 0)).All(ordered => ordered)
                    && charges.All(charge =>
                        charge.Amount > 0
                        && Usd.Round(charge.Amount) == charge.Amount
                        && charge.At == charge.CycleEnd + byId[charge.Item].SettlementDelay
                        && charge.Id.StartsWith($"{charge.Item}:{NodaTime.Text.InstantPattern.ExtendedIso.Format(charge.CycleStart)}", StringComparison.Ordinal)
                        && usage.Any(record => record.Item == charge.Item && InCycle(record.At, charge)));
            });

    [Property(MaxTest = 1000)]
    public Property Rate_FlatPrice_EachChargeIsTheRoundedPriceOfItsCyclesQuantity() =>
        Prop.ForAll(
            Scenarios.ToArbitrary(),
            scenario =>
            {
                var (items, usage, zone) = scenario;
                var flat = items.Select(item => item.Copy(tiers: [])).ToArray();
                var charges = Rating.Rate(flat, usage, Usd, zone);
                return charges.All(charge =>
                {
                    var item = flat.Single(candidate => candidate.Id == charge.Item);
                    var quantity = usage.Where(record => record.Item == charge.Item && InCycle(record.At, charge)).Sum(record => record.Quantity);
                    return charge.Id == $"{charge.Item}:{NodaTime.Text.InstantPattern.ExtendedIso.Format(charge.CycleStart)}"
                        && charge.Amount == decimal.Round(quantity * item.UnitPrice / item.Unit, 2, MidpointRounding.AwayFromZero);
                });
            });

    /// <summary>
    /// Tiers, exactly: before rounding, the tier parts of consecutive quantities sum to the tiered price of their total
    /// (units are powers of ten, so every division is exact).
    /// </summary>
    [Property(MaxTest = 1000)]
    public Property PriceTiered_ConsecutiveQuantities_SumToThePriceOfTheTotalBeforeRounding() =>
        Prop.ForAll(
            Items.ToArbitrary(),
            Quantities.ArrayOf().ToArbitrary(),
            (item, quantities) =>
            {
                var parts = new List<(int Tier, decimal Quantity, decimal Amount)>();
                var monthToDate = 0m;
                foreach (var quantity in quantities)
                {
                    item.PriceTiered(monthToDate, quantity, parts);
                    monthToDate += quantity;
                }

                return parts.Sum(part => part.Amount) == ReferenceTieredPrice(item, quantities.Sum())
                    && parts.Sum(part => part.Quantity) == quantities.Sum();
            });

    /// <summary>
    /// Tiers, as billed: over one month, the billed charges differ from the rounded tiered price of the month's total
    /// quantity by at most half a minor unit per rounded part (every charge, plus every part that rounded to zero, of
    /// which there are at most one per cycle plus one per tier bound crossed) and half a minor unit for the total.
    /// </summary>
    [Property(MaxTest = 1000)]
    public Property Rate_TieredMonth_SumOfChargesIsThePriceOfTheMonthsTotalWithinRounding() =>
        Prop.ForAll(
            Scenarios.ToArbitrary(),
            scenario =>
            {
                var (items, usage, zone) = scenario;
                var charges = Rating.Rate(items, usage, Usd, zone);
                return items.All(item =>
                {
                    var cycles = usage.Where(record => record.Item == item.Id)
                        .Select(record => item.Cycle.CycleContaining(record.At, zone).Start)
                        .Distinct()
                        .GroupBy(start => MonthOf(start, zone));
                    return cycles.All(month =>
                    {
                        var starts = month.ToHashSet();
                        var total = usage.Where(record => record.Item == item.Id && starts.Contains(item.Cycle.CycleContaining(record.At, zone).Start)).Sum(record => record.Quantity);
                        var billed = charges.Where(charge => charge.Item == item.Id && starts.Contains(charge.CycleStart)).Sum(charge => charge.Amount);
                        var parts = starts.Count + item.Tiers.Count + 1;
                        return Math.Abs(billed - Usd.Round(ReferenceTieredPrice(item, total))) <= parts * 0.005m;
                    });
                });
            });

    [Property(MaxTest = 1000)]
    public Property Rate_RecordSplitInTwoAtTheSameInstant_GivesTheSameCharges() =>
        Prop.ForAll(
            Scenarios.Where(scenario => scenario.Usage.Length > 0).SelectMany(scenario =>
                Gen.Choose(0, scenario.Usage.Length - 1).SelectMany(index => Gen.Choose(0, 100).Select(percent => (scenario, index, percent)))).ToArbitrary(),
            input =>
            {
                var ((items, usage, zone), index, percent) = input;
                var record = usage[index];
                var part = record.Quantity * percent / 100m;
                var split = usage.Where((_, i) => i != index).Append(record.Copy(quantity: part)).Append(record.Copy(quantity: record.Quantity - part)).ToArray();
                return Rating.Rate(items, usage, Usd, zone).SequenceEqual(Rating.Rate(items, split, Usd, zone));
            });

    private static bool InCycle(Instant at, RatedCharge charge) =>
        charge.CycleStart == charge.CycleEnd ? at == charge.CycleStart : charge.CycleStart <= at && at < charge.CycleEnd;

    private static YearMonth MonthOf(Instant start, DateTimeZone zone)
    {
        var date = start.InZone(zone).Date;
        return new YearMonth(date.Year, date.Month);
    }

    /// <summary>An independent statement of graduated pricing: each tier prices the part of [0, total) between its bounds.</summary>
    private static decimal ReferenceTieredPrice(BillingItem item, decimal total)
    {
        var price = 0m;
        var lower = 0m;
        foreach (var tier in item.Tiers)
        {
            price += Math.Max(0m, Math.Min(total, tier.UpTo) - lower) * tier.UnitPrice / item.Unit;
            lower = tier.UpTo;
        }

        return price + (Math.Max(0m, total - lower) * item.UnitPrice / item.Unit);
    }
}
