using NodaTime;

namespace Arrears.Policy.Tests.Billing;

public sealed class BillingCycleTests
{
    private static readonly IDateTimeZoneProvider Tzdb = DateTimeZoneProviders.Tzdb;

    [Theory]
    [InlineData("none", BillingCycleKind.None, "none")]
    [InlineData("-", BillingCycleKind.None, "none")]
    [InlineData("PT1H", BillingCycleKind.Fixed, "PT1H")]
    [InlineData("PT60M", BillingCycleKind.Fixed, "PT1H")]
    [InlineData("PT15M", BillingCycleKind.Fixed, "PT15M")]
    [InlineData("PT0.5S", BillingCycleKind.Fixed, "PT0.5S")]
    [InlineData("PT23H59M59S", BillingCycleKind.Fixed, "PT23H59M59S")]
    [InlineData("P1D", BillingCycleKind.Day, "P1D")]
    [InlineData("P1W", BillingCycleKind.Week, "P1W")]
    [InlineData("P1M", BillingCycleKind.Month, "P1M")]
    public void Parse_ValidText_HasKindAndCanonicalText(string text, BillingCycleKind kind, string canonical)
    {
        var cycle = BillingCycle.Parse(text);

        Assert.Equal(kind, cycle.Kind);
        Assert.Equal(canonical, cycle.ToString());
        Assert.Equal(cycle, BillingCycle.Parse(cycle.ToString()));
        Assert.Equal(kind == BillingCycleKind.Fixed, cycle.Length.HasValue);
    }

    [Theory]
    [InlineData("PT24H")]
    [InlineData("PT25H")]
    [InlineData("PT0S")]
    [InlineData("PT-1H")]
    [InlineData("P2D")]
    [InlineData("P1Y")]
    [InlineData("P1DT1H")]
    [InlineData("1h")]
    [InlineData("NONE")]
    [InlineData("p1d")]
    [InlineData("")]
    public void Parse_InvalidText_ThrowsNamingTheValue(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => BillingCycle.Parse(text));

        Assert.StartsWith("cycle:", error.Message, StringComparison.Ordinal);
        Assert.Contains($"got \"{text}\"", error.Message, StringComparison.Ordinal);
        Assert.False(BillingCycle.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(BillingCycle.TryParse(null, out var cycle));
        Assert.Equal(BillingCycle.None, cycle);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3600)]
    [InlineData(86400)]
    [InlineData(90000)]
    public void Every_NotSubDay_ThrowsNamingTheValue(int seconds)
    {
        var error = Assert.Throws<ArgumentException>(() => BillingCycle.Every(Duration.FromSeconds(seconds)));

        Assert.StartsWith("cycle: a fixed cycle must be positive and shorter than one day", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_IsNone()
    {
        Assert.Equal(BillingCycle.None, default);
        Assert.Equal(BillingCycleKind.None, default(BillingCycle).Kind);
        Assert.Null(BillingCycle.Day.Length);
    }

    [Fact]
    public void CycleContaining_Hourly_IsTheUtcHourWhateverTheZone()
    {
        var at = Instant.FromUtc(2026, 1, 1, 1, 15);
        var expected = new Interval(Instant.FromUtc(2026, 1, 1, 1, 0), Instant.FromUtc(2026, 1, 1, 2, 0));

        Assert.Equal(expected, BillingCycle.Parse("PT1H").CycleContaining(at, DateTimeZone.Utc));
        Assert.Equal(expected, BillingCycle.Parse("PT1H").CycleContaining(at, Tzdb["Asia/Kolkata"]));
    }

    [Fact]
    public void CycleContaining_FixedCycle_IsAlignedToTheUnixEpoch()
    {
        var sevenMinutes = BillingCycle.Parse("PT7M");
        var at = Instant.FromUtc(2026, 1, 1, 0, 0);

        var cycle = sevenMinutes.CycleContaining(at, DateTimeZone.Utc);

        Assert.Equal(0, (cycle.Start - NodaConstants.UnixEpoch).TotalTicks % Duration.FromMinutes(7).TotalTicks);
        Assert.True(cycle.Start <= at && at < cycle.End);
        Assert.Equal(Duration.FromMinutes(7), cycle.Duration);
    }

    [Fact]
    public void CycleContaining_FixedCycleBeforeTheEpoch_FloorsTowardsThePast()
    {
        var cycle = BillingCycle.Parse("PT1H").CycleContaining(Instant.FromUtc(1969, 12, 31, 23, 59, 59), DateTimeZone.Utc);

        Assert.Equal(new Interval(Instant.FromUtc(1969, 12, 31, 23, 0), NodaConstants.UnixEpoch), cycle);
    }

    [Fact]
    public void CycleContaining_InstantAtABoundary_BelongsToTheCycleStartingThere()
    {
        var boundary = Instant.FromUtc(2026, 1, 1, 2, 0);
        var hourly = BillingCycle.Parse("PT1H");

        Assert.Equal(boundary, hourly.CycleContaining(boundary, DateTimeZone.Utc).Start);
        Assert.Equal(boundary, hourly.CycleContaining(boundary - Duration.Epsilon, DateTimeZone.Utc).End);
    }

    [Fact]
    public void CycleContaining_None_IsTheEmptyIntervalAtTheInstant()
    {
        var at = Instant.FromUtc(2026, 1, 1, 1, 15);

        Assert.Equal(new Interval(at, at), BillingCycle.None.CycleContaining(at, DateTimeZone.Utc));
    }

    [Theory]
    // Europe/London: clocks go forward on 2026-03-29 (23 hours) and back on 2026-10-25 (25 hours).
    [InlineData("Europe/London", "2026-03-29T12:00:00Z", "2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z", 23 * 60)]
    [InlineData("Europe/London", "2026-10-25T12:00:00Z", "2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z", 25 * 60)]
    // America/New_York: 2026-03-08 (23 hours) and 2026-11-01 (25 hours).
    [InlineData("America/New_York", "2026-03-08T12:00:00Z", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23 * 60)]
    [InlineData("America/New_York", "2026-11-01T12:00:00Z", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25 * 60)]
    // Australia/Lord_Howe shifts by 30 minutes: 2026-04-05 lasts 24.5 hours, 2026-10-04 lasts 23.5 hours.
    [InlineData("Australia/Lord_Howe", "2026-04-05T00:00:00Z", "2026-04-04T13:00:00Z", "2026-04-05T13:30:00Z", (24 * 60) + 30)]
    [InlineData("Australia/Lord_Howe", "2026-10-04T00:00:00Z", "2026-10-03T13:30:00Z", "2026-10-04T13:00:00Z", (23 * 60) + 30)]
    // An ordinary day is 24 hours.
    [InlineData("Europe/London", "2026-06-01T12:00:00Z", "2026-05-31T23:00:00Z", "2026-06-01T23:00:00Z", 24 * 60)]
    public void CycleContaining_DayAcrossDaylightSaving_RunsFromStartOfDayToStartOfDay(
        string zoneId, string at, string start, string end, int minutes)
    {
        var zone = Tzdb[zoneId];

        var cycle = BillingCycle.Day.CycleContaining(Parse(at), zone);

        Assert.Equal(new Interval(Parse(start), Parse(end)), cycle);
        Assert.Equal(Duration.FromMinutes(minutes), cycle.Duration);
        Assert.Equal(zone.AtStartOfDay(cycle.Start.InZone(zone).Date).ToInstant(), cycle.Start);
        Assert.Equal(LocalTime.Midnight, cycle.Start.InZone(zone).TimeOfDay);
    }

    [Fact]
    public void CycleContaining_DayWhoseMidnightIsSkipped_StartsAtTheFirstInstantOfTheDate()
    {
        // America/Santiago springs forward at midnight: on 2026-09-06 the local clock goes from 23:59:59 to 01:00.
        var zone = Tzdb["America/Santiago"];
        var date = new LocalDate(2026, 9, 6);
        Assert.Equal(0, zone.MapLocal(date.AtMidnight()).Count);

        var cycle = BillingCycle.Day.CycleContaining(Instant.FromUtc(2026, 9, 6, 12, 0), zone);

        Assert.Equal(new Interval(Instant.FromUtc(2026, 9, 6, 4, 0), Instant.FromUtc(2026, 9, 7, 3, 0)), cycle);
        Assert.Equal(new LocalTime(1, 0), cycle.Start.InZone(zone).TimeOfDay);
        Assert.Equal(Duration.FromHours(23), cycle.Duration);
        Assert.Equal(cycle.Start, BillingCycle.Day.CycleContaining(cycle.Start - Duration.Epsilon, zone).End);
    }

    [Fact]
    public void CycleContaining_DateSkippedByTheZone_HasNoCycleOfItsOwn()
    {
        // Pacific/Apia skipped 2011-12-30 entirely: 2011-12-29T23:59:59 (-10) was followed by 2011-12-31T00:00 (+14).
        var zone = Tzdb["Pacific/Apia"];
        var jump = Instant.FromUtc(2011, 12, 30, 10, 0);
        Assert.Equal(new LocalDate(2011, 12, 29), (jump - Duration.Epsilon).InZone(zone).Date);
        Assert.Equal(new LocalDate(2011, 12, 31), jump.InZone(zone).Date);

        var before = BillingCycle.Day.CycleContaining(jump - Duration.Epsilon, zone);
        var after = BillingCycle.Day.CycleContaining(jump, zone);

        Assert.Equal(new Interval(Instant.FromUtc(2011, 12, 29, 10, 0), jump), before);
        Assert.Equal(new Interval(jump, Instant.FromUtc(2011, 12, 31, 10, 0)), after);
    }

    [Fact]
    public void CycleContaining_FallBackAcrossMidnight_KeepsTheInstantInTheDayThatAlreadyStarted()
    {
        // America/Goose_Bay fell back at 00:01 local on 2006-10-29, to 23:01 on 2006-10-28: the local date goes back.
        var zone = Tzdb["America/Goose_Bay"];
        var at = Instant.FromUtc(2006, 10, 29, 3, 30);
        Assert.Equal(new LocalDateTime(2006, 10, 28, 23, 30), at.InZone(zone).LocalDateTime);

        var cycle = BillingCycle.Day.CycleContaining(at, zone);

        // The cycle of 2006-10-29 began at its first local midnight (03:00Z) and lasts 25 hours.
        Assert.Equal(new Interval(Instant.FromUtc(2006, 10, 29, 3, 0), Instant.FromUtc(2006, 10, 30, 4, 0)), cycle);
        Assert.Equal(new LocalDateTime(2006, 10, 29, 0, 0), cycle.Start.InZone(zone).LocalDateTime);
    }

    [Fact]
    public void CycleContaining_Week_StartsOnMondayAtStartOfDay()
    {
        var zone = Tzdb["Europe/London"];

        var cycle = BillingCycle.Week.CycleContaining(Instant.FromUtc(2026, 3, 29, 12, 0), zone);

        Assert.Equal(new Interval(Instant.FromUtc(2026, 3, 23, 0, 0), Instant.FromUtc(2026, 3, 29, 23, 0)), cycle);
        Assert.Equal(IsoDayOfWeek.Monday, cycle.Start.InZone(zone).DayOfWeek);
        Assert.Equal(Duration.FromHours((7 * 24) - 1), cycle.Duration);
    }

    [Fact]
    public void CycleContaining_Month_RunsFromTheFirstToTheFirst()
    {
        var zone = Tzdb["America/New_York"];

        var cycle = BillingCycle.Month.CycleContaining(Instant.FromUtc(2026, 11, 30, 12, 0), zone);

        Assert.Equal(new Interval(Instant.FromUtc(2026, 11, 1, 4, 0), Instant.FromUtc(2026, 12, 1, 5, 0)), cycle);
        Assert.Equal(Duration.FromHours((30 * 24) + 1), cycle.Duration);
    }

    private static Instant Parse(string text) => NodaTime.Text.InstantPattern.ExtendedIso.Parse(text).Value;
}
