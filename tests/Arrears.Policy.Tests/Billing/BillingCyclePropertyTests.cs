using Arrears.Policy.PropertyTesting;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Billing;

public sealed class BillingCyclePropertyTests
{
    private static readonly Gen<BillingCycle> TilingCycles = Generators.Cycles.Where(cycle => cycle.Kind != BillingCycleKind.None);

    /// <summary>Instants anywhere, or near a zone transition (where daylight saving moves the boundaries).</summary>
    private static Gen<(DateTimeZone Zone, Instant At)> ZoneAndInstant(Gen<DateTimeZone> zones) =>
        zones.SelectMany(zone => Generators.Instants.SelectMany(at => Gen.Frequency(
            (1, Gen.Constant(at)),
            (2, Generators.InstantNear(NextTransition(zone, at))))).Select(at => (zone, at)));

    [Property(MaxTest = 2000)]
    public Property CycleContaining_AnyTzdbZone_TilesTime() =>
        Prop.ForAll(TilingCycles.ToArbitrary(), ZoneAndInstant(Generators.AnyTzdbZone).ToArbitrary(), Tiles);

    [Property(MaxTest = 2000)]
    public Property CycleContaining_ZonesWithDst_TilesTime() =>
        Prop.ForAll(TilingCycles.ToArbitrary(), ZoneAndInstant(Generators.ZonesWithDst).ToArbitrary(), Tiles);

    [Property(MaxTest = 1000)]
    public Property CycleContaining_DayInAnyZone_StartsAtTheZonesStartOfDay() =>
        Prop.ForAll(
            ZoneAndInstant(Generators.ZonesWithDst).ToArbitrary(),
            pair =>
            {
                var (zone, at) = pair;
                var cycle = BillingCycle.Day.CycleContaining(at, zone);
                var week = BillingCycle.Week.CycleContaining(at, zone);
                var month = BillingCycle.Month.CycleContaining(at, zone);
                return cycle.Start == zone.AtStartOfDay(cycle.Start.InZone(zone).Date).ToInstant()
                    && week.Start.InZone(zone).DayOfWeek == IsoDayOfWeek.Monday
                    && month.Start.InZone(zone).Day == 1
                    && cycle.Duration >= Duration.FromHours(20) && cycle.Duration <= Duration.FromHours(28);
            });

    [Property(MaxTest = 1000)]
    public Property Parse_ToString_RoundTrips() =>
        Prop.ForAll(Generators.Cycles.ToArbitrary(), cycle => BillingCycle.Parse(cycle.ToString()) == cycle);

    private static bool Tiles(BillingCycle cycle, (DateTimeZone Zone, Instant At) pair)
    {
        var (zone, at) = pair;
        var containing = cycle.CycleContaining(at, zone);

        // The instant is inside its cycle, the cycle is the cycle of each of its instants (so no other cycle contains
        // them), and the neighbouring cycles touch it: no gap, no overlap.
        return containing.Start <= at && at < containing.End
            && cycle.CycleContaining(containing.Start, zone) == containing
            && cycle.CycleContaining(containing.End - Duration.Epsilon, zone) == containing
            && cycle.CycleContaining(containing.End, zone).Start == containing.End
            && cycle.CycleContaining(containing.Start - Duration.Epsilon, zone).End == containing.Start;
    }

    private static Instant NextTransition(DateTimeZone zone, Instant at)
    {
        var interval = zone.GetZoneInterval(at);
        return interval.HasEnd && interval.End < Generators.End ? interval.End : at;
    }
}
