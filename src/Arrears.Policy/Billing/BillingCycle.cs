using System.Diagnostics.CodeAnalysis;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Billing;

/// <summary>
/// How usage of a billing item is grouped into charges: not at all (<c>none</c>), by a fixed sub-day duration aligned to
/// the Unix epoch (<c>PT1H</c>), or by calendar day, week or month in the account's billing time zone (<c>P1D</c>,
/// <c>P1W</c>, <c>P1M</c>).
/// </summary>
/// <remarks>
/// <para>
/// Cycles are half-open intervals <c>[start, end)</c>: an instant exactly at a boundary belongs to the cycle that starts
/// there. The cycles of one kind tile the time line with no gaps and no overlaps.
/// </para>
/// <para>
/// Calendar cycles start at the zone's start of day (local midnight, or the first instant of the date when midnight is
/// skipped by a daylight-saving change), so a day cycle lasts 23 or 25 hours across a daylight-saving change in
/// Europe/London, 23.5 or 24.5 hours in Australia/Lord_Howe. Weeks start on Monday. A date skipped entirely by a zone
/// (Pacific/Apia skipped 30 December 2011) has no cycle of its own.
/// </para>
/// <para>The default value is <see cref="None"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// var hourly = BillingCycle.Parse("PT1H");
/// var london = DateTimeZoneProviders.Tzdb["Europe/London"];
/// var day = BillingCycle.Day.CycleContaining(Instant.FromUtc(2026, 3, 29, 12, 0), london);
/// // [2026-03-29T00:00:00Z, 2026-03-29T23:00:00Z): 23 hours, the clocks go forward that day.
/// </code>
/// </example>
public readonly struct BillingCycle : IEquatable<BillingCycle>
{
    private const string NoneText = "none";
    private const string SeedNoneText = "-";

    private static readonly Duration OneDay = Duration.FromDays(1);

    private static readonly Int128 NanosecondsPerDay = NodaConstants.NanosecondsPerDay;

    private readonly Duration _length;

    private BillingCycle(BillingCycleKind kind, Duration length)
    {
        Kind = kind;
        _length = length;
    }

    /// <summary>Gets the cycle that bills usage at its own instant (<c>none</c>).</summary>
    public static BillingCycle None => default;

    /// <summary>Gets the calendar-day cycle (<c>P1D</c>).</summary>
    public static BillingCycle Day => new(BillingCycleKind.Day, Duration.Zero);

    /// <summary>Gets the calendar-week cycle starting on Monday (<c>P1W</c>).</summary>
    public static BillingCycle Week => new(BillingCycleKind.Week, Duration.Zero);

    /// <summary>Gets the calendar-month cycle (<c>P1M</c>).</summary>
    public static BillingCycle Month => new(BillingCycleKind.Month, Duration.Zero);

    /// <summary>Gets the kind of the cycle.</summary>
    public BillingCycleKind Kind { get; }

    /// <summary>Gets the length of a <see cref="BillingCycleKind.Fixed"/> cycle; <see langword="null"/> for every other kind.</summary>
    public Duration? Length => Kind == BillingCycleKind.Fixed ? _length : null;

    /// <summary>Returns a fixed cycle of the given sub-day length, aligned to the Unix epoch.</summary>
    /// <param name="length">The length: strictly positive and strictly shorter than one day (use <see cref="Day"/> for a calendar day).</param>
    /// <returns>The cycle.</returns>
    /// <exception cref="ArgumentException">The length is not positive or is one day or longer; the message names the value.</exception>
    public static BillingCycle Every(Duration length)
    {
        if (length <= Duration.Zero || length >= OneDay)
        {
            throw new ArgumentException(
                $"cycle: a fixed cycle must be positive and shorter than one day (use \"P1D\" for a calendar day), got \"{Invariant.Format(length)}\"",
                nameof(length));
        }

        return new BillingCycle(BillingCycleKind.Fixed, length);
    }

    /// <summary>Parses a cycle: <c>none</c> (or <c>-</c>), a sub-day ISO 8601 duration such as <c>PT1H</c> or <c>PT15M</c>, or <c>P1D</c>, <c>P1W</c>, <c>P1M</c>.</summary>
    /// <param name="text">The text to parse (case-sensitive).</param>
    /// <returns>The cycle.</returns>
    /// <exception cref="ArgumentException">The text is not a cycle; the message names the value.</exception>
    public static BillingCycle Parse(string text)
    {
        if (TryParse(text, out var cycle, out var error))
        {
            return cycle;
        }

        throw new ArgumentException(error, nameof(text));
    }

    /// <summary>Tries to parse a cycle; see <see cref="Parse(string)"/> for the accepted forms.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="cycle">The cycle when the text is valid; otherwise <see cref="None"/>.</param>
    /// <returns><see langword="true"/> when the text is a cycle.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out BillingCycle cycle) => TryParse(text, out cycle, out _);

    /// <summary>Returns the cycle containing an instant, as a half-open interval <c>[start, end)</c>.</summary>
    /// <param name="instant">The instant.</param>
    /// <param name="zone">The billing time zone; used by day, week and month cycles only.</param>
    /// <returns>
    /// The cycle with <c>start &lt;= instant &lt; end</c>; for <see cref="None"/>, the empty interval <c>[instant, instant)</c>
    /// (the charge's cycle start and end are both the usage instant).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public Interval CycleContaining(Instant instant, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Kind switch
        {
            BillingCycleKind.None => new Interval(instant, instant),
            BillingCycleKind.Fixed => FixedCycleContaining(instant, _length),
            _ => CalendarCycleContaining(instant, zone, Kind),
        };
    }

    /// <summary>Returns the text form that <see cref="Parse(string)"/> reads back: <c>none</c>, <c>PT1H</c>, <c>P1D</c>, <c>P1W</c> or <c>P1M</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => Kind switch
    {
        BillingCycleKind.None => NoneText,
        BillingCycleKind.Fixed => Invariant.Format(_length),
        BillingCycleKind.Day => "P1D",
        BillingCycleKind.Week => "P1W",
        _ => "P1M",
    };

    /// <inheritdoc />
    public bool Equals(BillingCycle other) => Kind == other.Kind && _length == other._length;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BillingCycle other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _length);

    /// <summary>Compares two cycles for equality.</summary>
    /// <param name="left">The first cycle.</param>
    /// <param name="right">The second cycle.</param>
    /// <returns><see langword="true"/> when kind and length are equal.</returns>
    public static bool operator ==(BillingCycle left, BillingCycle right) => left.Equals(right);

    /// <summary>Compares two cycles for inequality.</summary>
    /// <param name="left">The first cycle.</param>
    /// <param name="right">The second cycle.</param>
    /// <returns><see langword="true"/> when kind or length differ.</returns>
    public static bool operator !=(BillingCycle left, BillingCycle right) => !left.Equals(right);

    /// <summary>Returns the calendar month (in <paramref name="zone"/>) that a cycle starting at <paramref name="cycleStart"/> is counted in for tiered pricing.</summary>
    internal static YearMonth TierMonthOf(Instant cycleStart, DateTimeZone zone)
    {
        var date = cycleStart.InZone(zone).Date;
        return new YearMonth(date.Year, date.Month);
    }

    private static bool TryParse(string? text, out BillingCycle cycle, [NotNullWhen(false)] out string? error)
    {
        cycle = default;
        error = null;
        switch (text)
        {
            case null:
                error = "cycle: must be \"none\", a sub-day duration such as \"PT1H\", \"P1D\", \"P1W\" or \"P1M\", got null";
                return false;
            case NoneText or SeedNoneText:
                return true;
            case "P1D":
                cycle = Day;
                return true;
            case "P1W":
                cycle = Week;
                return true;
            case "P1M":
                cycle = Month;
                return true;
        }

        var parsed = PeriodPattern.NormalizingIso.Parse(text);
        if (parsed.Success && text.StartsWith("PT", StringComparison.Ordinal))
        {
            var period = parsed.Value;
            if (!period.HasDateComponent)
            {
                var length = period.ToDuration();
                if (length > Duration.Zero && length < OneDay)
                {
                    cycle = new BillingCycle(BillingCycleKind.Fixed, length);
                    return true;
                }
            }
        }

        error = $"cycle: must be \"none\", a sub-day duration such as \"PT1H\", \"P1D\", \"P1W\" or \"P1M\", got \"{text}\"";
        return false;
    }

    private static Interval FixedCycleContaining(Instant instant, Duration length)
    {
        var sinceEpoch = instant - NodaConstants.UnixEpoch;
        var nanos = (sinceEpoch.Days * NanosecondsPerDay) + sinceEpoch.NanosecondOfDay;
        var lengthNanos = (length.Days * NanosecondsPerDay) + length.NanosecondOfDay;
        var remainder = nanos % lengthNanos;
        if (remainder < 0)
        {
            remainder += lengthNanos;
        }

        var start = instant - Duration.FromNanoseconds((long)remainder);
        return new Interval(start, start + length);
    }

    private static Interval CalendarCycleContaining(Instant instant, DateTimeZone zone, BillingCycleKind kind)
    {
        var first = PeriodStartDate(instant.InZone(zone).Date, kind);
        var start = StartOf(zone, first);
        var nextDate = NextPeriodStart(first, kind);
        var end = StartOf(zone, nextDate);

        // A fall-back across midnight can map an instant to a local date whose period has already ended (and a zone
        // might in principle do the opposite); walk to the period whose boundaries hold the instant.
        while (end <= instant)
        {
            first = nextDate;
            start = end;
            nextDate = NextPeriodStart(first, kind);
            end = StartOf(zone, nextDate);
        }

        while (start > instant)
        {
            nextDate = first;
            end = start;
            first = PeriodStartDate(first.PlusDays(-1), kind);
            start = StartOf(zone, first);
        }

        return new Interval(start, end);
    }

    private static LocalDate PeriodStartDate(LocalDate date, BillingCycleKind kind) => kind switch
    {
        BillingCycleKind.Day => date,
        BillingCycleKind.Week => date.With(DateAdjusters.PreviousOrSame(IsoDayOfWeek.Monday)),
        _ => date.With(DateAdjusters.StartOfMonth),
    };

    private static LocalDate NextPeriodStart(LocalDate periodStart, BillingCycleKind kind) => kind switch
    {
        BillingCycleKind.Day => periodStart.PlusDays(1),
        BillingCycleKind.Week => periodStart.PlusWeeks(1),
        _ => periodStart.PlusMonths(1),
    };

    /// <summary>
    /// The first instant whose local date is <paramref name="date"/> or later: the earliest mapping of local midnight, or
    /// the end of the gap when midnight is skipped (which is the start of the next existing date when the whole date is skipped).
    /// </summary>
    private static Instant StartOf(DateTimeZone zone, LocalDate date)
    {
        var mapping = zone.MapLocal(date.AtMidnight());
        return mapping.Count > 0 ? mapping.First().ToInstant() : mapping.LateInterval.Start;
    }
}
