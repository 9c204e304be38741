using FsCheck;
using FsCheck.Fluent;
using NodaTime;

namespace Arrears.Policy.PropertyTesting;

/// <summary>
/// FsCheck generators shared by the Arrears.Policy test projects: instants near boundaries, real IANA time zones (with
/// and without daylight saving), currencies, amounts with the right minor units, ledger entries and billing cycles.
/// </summary>
/// <remarks>
/// Every generator is deterministic given FsCheck's seed, so a failing case can be replayed with the seed FsCheck prints.
/// Instants are kept in the years 2000 to 2100 so that every time zone rule involved is real TZDB data (past) or its
/// projected rules (future).
/// </remarks>
public static class Generators
{
    /// <summary>The first instant <see cref="Instants"/> can generate: 2000-01-01T00:00:00Z.</summary>
    public static readonly Instant Earliest = Instant.FromUtc(2000, 1, 1, 0, 0);

    /// <summary>The instant just after the last one <see cref="Instants"/> can generate: 2100-01-01T00:00:00Z.</summary>
    public static readonly Instant End = Instant.FromUtc(2100, 1, 1, 0, 0);

    /// <summary>The zones <see cref="ZonesWithDst"/> always includes and favours: they have the daylight-saving changes the spec names.</summary>
    public static readonly IReadOnlyList<string> NamedDstZoneIds =
    [
        "Europe/London", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "America/Havana", "Europe/Berlin",
        "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo", "Asia/Tehran",
    ];

    private static readonly Lazy<string[]> DstZoneIds = new(FindZonesWithDst);

    /// <summary>Gets instants from 2000-01-01T00:00:00Z (inclusive) to 2100-01-01T00:00:00Z (exclusive), with nanosecond precision.</summary>
    public static Gen<Instant> Instants { get; } =
        Gen.Choose(0, (int)(End - Earliest).Days - 1).SelectMany(
            day => Gen.Choose(0, (24 * 60 * 60) - 1).SelectMany(
                second => Gen.OneOf(Gen.Constant(0), Gen.Choose(0, 999_999_999)).Select(
                    nanosecond => Earliest + Duration.FromDays(day) + Duration.FromSeconds(second) + Duration.FromNanoseconds(nanosecond))));

    /// <summary>Gets every zone of <see cref="DateTimeZoneProviders.Tzdb"/>, each equally likely.</summary>
    public static Gen<DateTimeZone> AnyTzdbZone { get; } =
        Gen.Elements(DateTimeZoneProviders.Tzdb.Ids.ToArray()).Select(id => DateTimeZoneProviders.Tzdb[id]);

    /// <summary>
    /// Gets real IANA zones that change their offset for daylight saving between 2000 and 2100, favouring
    /// <see cref="NamedDstZoneIds"/> (Europe/London, America/New_York, Australia/Lord_Howe with its 30-minute shift,
    /// America/Santiago whose local midnight is skipped…).
    /// </summary>
    public static Gen<DateTimeZone> ZonesWithDst { get; } =
        Gen.Frequency(
            (1, Gen.Elements(NamedDstZoneIds.ToArray())),
            (1, Gen.Fresh(() => DstZoneIds.Value).SelectMany(ids => Gen.Elements(ids))))
        .Select(id => DateTimeZoneProviders.Tzdb[id]);

    /// <summary>Gets currencies from the built-in ISO 4217 table, each equally likely.</summary>
    public static Gen<Currency> Currencies { get; } = Gen.Elements(Currency.KnownCodes.ToArray()).Select(Currency.FromCode);

    /// <summary>Gets billing cycles of every kind: none, day, week, month, and fixed sub-day durations (common and odd ones).</summary>
    public static Gen<BillingCycle> Cycles { get; } =
        Gen.OneOf(
            Gen.Elements(BillingCycle.None, BillingCycle.Day, BillingCycle.Week, BillingCycle.Month),
            Gen.Elements("PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT2H", "PT6H", "PT12H", "PT7M", "PT0.5S").Select(BillingCycle.Parse),
            Gen.Choose(1, (24 * 60 * 60) - 1).Select(seconds => BillingCycle.Every(Duration.FromSeconds(seconds))));

    /// <summary>Returns the given boundary, or an instant one nanosecond, one tick, one second or a random time (up to a day) before or after it.</summary>
    /// <param name="boundary">The boundary to probe, for example a cycle start or a deadline.</param>
    /// <returns>The generator.</returns>
    public static Gen<Instant> InstantNear(Instant boundary) =>
        Gen.Frequency(
            (3, Gen.Constant(boundary)),
            (2, Gen.Elements(
                Duration.FromNanoseconds(-1), Duration.FromNanoseconds(1), Duration.FromTicks(-1), Duration.FromTicks(1),
                Duration.FromSeconds(-1), Duration.FromSeconds(1)).Select(offset => boundary + offset)),
            (2, Gen.Choose(-86_399, 86_399).SelectMany(
                seconds => Gen.Choose(0, 999_999_999).Select(
                    nanos => boundary + Duration.FromSeconds(seconds) + Duration.FromNanoseconds(nanos)))));

    /// <summary>Returns strictly positive amounts with at most the minor units of <paramref name="currency"/> (ledger entry amounts).</summary>
    /// <param name="currency">The currency.</param>
    /// <returns>The generator.</returns>
    public static Gen<decimal> PositiveAmounts(Currency currency) =>
        Gen.Frequency(
            (4, Gen.Choose(1, 100_000)),
            (1, Gen.Choose(1, int.MaxValue)))
        .Select(minor => FromMinorUnits(minor, currency));

    /// <summary>Returns lists of ledger entries with distinct ids, instants near a few shared boundaries (so many entries share an instant) and every kind.</summary>
    /// <param name="currency">The currency of the amounts.</param>
    /// <returns>The generator.</returns>
    public static Gen<LedgerEntry[]> LedgerEntries(Currency currency) =>
        Instants.ArrayOf(3).SelectMany(anchors =>
            Gen.Choose(0, 40).SelectMany(count =>
                Gen.CollectToArray(
                    Enumerable.Range(0, count),
                    index => Gen.Elements(anchors).SelectMany(InstantNear).SelectMany(at =>
                        Gen.Elements(LedgerEntryKind.Charge, LedgerEntryKind.Payment, LedgerEntryKind.Credit, LedgerEntryKind.Refund).SelectMany(kind =>
                            PositiveAmounts(currency).Select(amount =>
                                new LedgerEntry($"e{index}", kind, at, amount)))))));

    /// <summary>Returns an amount from a whole number of minor units of the currency, carrying exactly its number of decimal places.</summary>
    /// <param name="minorUnits">The number of minor units (cents for USD).</param>
    /// <param name="currency">The currency.</param>
    /// <returns>The amount.</returns>
    public static decimal FromMinorUnits(long minorUnits, Currency currency) =>
        new(
            (int)(ulong)Math.Abs(minorUnits),
            (int)((ulong)Math.Abs(minorUnits) >> 32),
            0,
            minorUnits < 0,
            (byte)currency.MinorUnits);

    private static string[] FindZonesWithDst()
    {
        var from = Instant.FromUtc(2000, 1, 1, 0, 0);
        var to = Instant.FromUtc(2100, 1, 1, 0, 0);
        return
        [
            .. DateTimeZoneProviders.Tzdb.Ids
                .Where(id => DateTimeZoneProviders.Tzdb[id].GetZoneIntervals(from, to).Any(interval => interval.Savings != Offset.Zero))
                .Order(StringComparer.Ordinal),
        ];
    }
}
