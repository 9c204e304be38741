using System.Globalization;
using System.Numerics;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Text;

/// <summary>
/// The ISO 8601 duration pattern of the library, for NodaTime's <see cref="Duration"/>: days, hours, minutes and seconds
/// only, with a day of exactly 24 hours (<c>P180D</c>, <c>PT24H</c>, <c>P1DT2H30M</c>, <c>PT0.5S</c>, <c>-PT30M</c>). It is
/// the form of every duration in a scenario and a policy, and the form a host's configuration binds to a <see cref="Duration"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Accepted.</b> An optional <c>-</c>, then <c>P</c>, then days (<c>nD</c>), then optionally <c>T</c> followed by hours
/// (<c>nH</c>), minutes (<c>nM</c>) and seconds (<c>nS</c>), each unit at most once and in this order, with at least one
/// unit in all and at least one after a <c>T</c>. Numbers are ASCII digits (leading zeros allowed); only seconds may have a
/// fraction, written with a full stop and at least one digit on each side, down to the nanosecond (<c>PT0.000000001S</c>;
/// further digits must be zeros). Units need not be normalized: <c>PT36H</c> and <c>P1DT12H</c> are the same duration.
/// The whole range of <see cref="Duration"/> is accepted, from <see cref="Duration.MinValue"/> to
/// <see cref="Duration.MaxValue"/> (about 16.7 million days either way).
/// </para>
/// <para>
/// <b>Rejected</b>, with a message that says why: years, months and weeks (<c>P1Y</c>, <c>P1M</c>, <c>P1W</c>), whose length
/// is not a fixed duration; an empty text, <c>P</c> or <c>PT</c> alone, or a <c>T</c> with nothing after it; hours,
/// minutes or seconds before the <c>T</c> (<c>P1H</c>) and days after it (<c>PT1D</c>); units out of order or repeated
/// (<c>PT1M1H</c>); a fraction on days, hours or minutes (<c>PT1.5H</c>); a precision finer than a nanosecond; a duration
/// outside the range of <see cref="Duration"/>; and anything else: lower-case letters (<c>pt24h</c>), spaces anywhere
/// (configuration values are not trimmed), a <c>+</c> sign, a comma as the decimal separator, a sign inside the text
/// (<c>P-1D</c>).
/// </para>
/// <para>
/// <b>Failures</b> are results, not exceptions, as in NodaTime: <see cref="Parse"/> returns a failed
/// <see cref="ParseResult{T}"/> whose exception is an <see cref="UnparsableValueException"/> with the text in
/// <see cref="UnparsableValueException.Value"/>, the position of the problem in <see cref="UnparsableValueException.Index"/>,
/// and a message in the form of the library's validation messages, <c>must ..., got "TEXT"</c>, so that a host can prefix
/// it with the name of the setting: <c>grace: must use days, hours, minutes and seconds only (years, months and weeks have
/// no fixed length), got "P1M"</c>. Control characters in the text are written as escapes and a long text is shortened.
/// Reading the result's <see cref="ParseResult{T}.Value"/> throws that exception.
/// </para>
/// <para>
/// <b>Formatting</b> writes the largest whole units, a full stop and no trailing zeros in the seconds, <c>PT0S</c> for zero
/// and a leading <c>-</c> for a negative duration: 24 hours is <c>P1D</c>, 90 minutes <c>PT1H30M</c>, minus 30 minutes
/// <c>-PT30M</c>. Every duration formats, and parsing the text gives the same duration back.
/// </para>
/// <para>The pattern is immutable and thread-safe; use the single <see cref="Instance"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// var pattern = IsoDurationPattern.Instance;
/// Duration grace = pattern.Parse("PT24H").Value;             // 24 hours
/// string text = pattern.Format(Duration.FromDays(180));      // "P180D"
/// ParseResult&lt;Duration&gt; month = pattern.Parse("P1M");
/// if (!month.Success)
/// {
///     // must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got "P1M"
///     Console.Error.WriteLine(month.Exception.Message);
/// }
/// </code>
/// </example>
public sealed class IsoDurationPattern : IPattern<Duration>
{
    private const string NotADuration = "must be an ISO 8601 duration such as \"PT24H\"";
    private const string CalendarUnit = "must use days, hours, minutes and seconds only (years, months and weeks have no fixed length)";
    private const string TimeBeforeT = "must write hours, minutes and seconds after a \"T\", such as \"PT1H\"";
    private const string DaysAfterT = "must write days before the \"T\", such as \"P1DT12H\"";
    private const string OutOfOrder = "must give days, hours, minutes and seconds at most once each, in this order";
    private const string FractionNotOnSeconds = "must have a fraction only on seconds, such as \"PT0.5S\"";
    private const string FinerThanNanosecond = "must not be finer than a nanosecond";
    private const string OutOfRange = "must be within the range of a NodaTime Duration (about 16.7 million days either way)";
    private const string UpperCase = "must use upper-case letters, such as \"PT24H\"";
    private const string Spaces = "must not contain spaces";

    /// <summary>Integer digits beyond which a unit is out of range whatever it is (the range is about 1.45e21 nanoseconds).</summary>
    private const int MaxIntegerDigits = 24;

    private static readonly BigInteger MinNanoseconds = Duration.MinValue.ToBigIntegerNanoseconds();
    private static readonly BigInteger MaxNanoseconds = Duration.MaxValue.ToBigIntegerNanoseconds();

    private IsoDurationPattern()
    {
    }

    /// <summary>Gets the pattern.</summary>
    public static IsoDurationPattern Instance { get; } = new();

    /// <summary>Parses a duration such as <c>PT24H</c>, <c>P180D</c> or <c>-PT30M</c>; see the remarks for what is accepted.</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>
    /// The duration, or a failure holding an <see cref="UnparsableValueException"/> that names the text and says what is
    /// wrong (an <see cref="ArgumentNullException"/> when <paramref name="text"/> is null).
    /// </returns>
    public ParseResult<Duration> Parse(string text)
    {
        if (text is null)
        {
            return ParseResult<Duration>.ForException(static () => new ArgumentNullException(nameof(text)));
        }

        if (TryParse(text, out var duration) is { } failure)
        {
            return ParseResult<Duration>.ForException(() => new UnparsableValueException(Message(failure.Problem, text), text, failure.Index));
        }

        return ParseResult<Duration>.ForValue(duration);
    }

    /// <summary>Formats a duration with the largest whole units: <c>P7D</c>, 24 hours is <c>P1D</c>, <c>PT0S</c>, <c>P1DT2H30M</c>, <c>-PT30M</c>.</summary>
    /// <param name="value">The duration.</param>
    /// <returns>The ISO 8601 text, which <see cref="Parse"/> reads back as the same duration.</returns>
    public string Format(Duration value) => AppendFormat(value, new StringBuilder(16)).ToString();

    /// <summary>Appends a duration to a builder, as <see cref="Format"/> writes it.</summary>
    /// <param name="value">The duration.</param>
    /// <param name="builder">The builder to append to.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public StringBuilder AppendFormat(Duration value, StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (value == Duration.Zero)
        {
            return builder.Append("PT0S");
        }

        if (value < Duration.Zero)
        {
            builder.Append('-');
        }

        // Duration.MinValue has no positive counterpart, so the magnitude is split into units without negating the value.
        var magnitude = BigInteger.Abs(value.ToBigIntegerNanoseconds());
        var days = BigInteger.DivRem(magnitude, NodaConstants.NanosecondsPerDay, out var rest);
        builder.Append('P');
        if (!days.IsZero)
        {
            builder.Append(days.ToString(CultureInfo.InvariantCulture)).Append('D');
        }

        if (rest.IsZero)
        {
            return builder;
        }

        var nanos = (long)rest;
        builder.Append('T');
        var hours = nanos / NodaConstants.NanosecondsPerHour;
        var minutes = nanos / NodaConstants.NanosecondsPerMinute % NodaConstants.MinutesPerHour;
        var seconds = nanos % NodaConstants.NanosecondsPerMinute;
        if (hours != 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('H');
        }

        if (minutes != 0)
        {
            builder.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
        }

        if (seconds != 0)
        {
            var text = (seconds / (decimal)NodaConstants.NanosecondsPerSecond).ToString("0.#########", CultureInfo.InvariantCulture);
            builder.Append(text).Append('S');
        }

        return builder;
    }

    /// <summary>
    /// Parses <paramref name="text"/>; returns <see langword="null"/> on success, otherwise what is wrong (a "must ..."
    /// phrase) and the index in the text where the problem is.
    /// </summary>
    internal static (string Problem, int Index)? TryParse(string text, out Duration duration)
    {
        duration = Duration.Zero;
        var failure = ParseCore(text, out var nanoseconds);
        if (failure is { Problem: NotADuration })
        {
            // Say what a person can fix when it is the only thing wrong.
            var space = text.AsSpan().IndexOfAny(' ', '\t');
            if (space >= 0 && ParseCore(text.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\t", string.Empty, StringComparison.Ordinal), out _) is null)
            {
                return (Spaces, space);
            }

            var lower = text.AsSpan().IndexOfAnyInRange('a', 'z');
            if (lower >= 0 && ParseCore(text.ToUpperInvariant(), out _) is null)
            {
                return (UpperCase, lower);
            }
        }

        if (failure is not null)
        {
            return failure;
        }

        duration = Duration.FromNanoseconds(nanoseconds);
        return null;
    }

    /// <summary>Formats the failure message: the problem and the text, quoted on one line.</summary>
    private static string Message(string problem, string text) => $"{problem}, got {Invariant.Quote(text)}";

    private static (string Problem, int Index)? ParseCore(string text, out BigInteger nanoseconds)
    {
        nanoseconds = BigInteger.Zero;
        var i = 0;
        var negative = text.Length > 0 && text[0] == '-';
        if (negative)
        {
            i++;
        }

        if (i >= text.Length || text[i] != 'P')
        {
            return (NotADuration, i);
        }

        i++;
        var inTime = false;
        var units = 0;
        var lastRank = -1;
        var total = BigInteger.Zero;
        while (i < text.Length)
        {
            if (text[i] == 'T')
            {
                if (inTime)
                {
                    return (NotADuration, i);
                }

                inTime = true;
                i++;
                if (i == text.Length)
                {
                    return (NotADuration, i);
                }

                continue;
            }

            // A number: digits, and for seconds a full stop followed by digits.
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            var integerEnd = i;
            var fractionStart = -1;
            if (i < text.Length && text[i] == '.')
            {
                fractionStart = ++i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                if (i == fractionStart)
                {
                    return (NotADuration, i);
                }
            }

            if (integerEnd == start || i == text.Length)
            {
                return (NotADuration, i);
            }

            var designator = text[i];
            int rank;
            long nanosPerUnit;
            switch (designator)
            {
                case 'Y' or 'W':
                case 'M' when !inTime:
                    return (CalendarUnit, i);
                case 'D':
                    (rank, nanosPerUnit) = (0, NodaConstants.NanosecondsPerDay);
                    if (inTime)
                    {
                        return (DaysAfterT, i);
                    }

                    break;
                case 'H':
                    (rank, nanosPerUnit) = (1, NodaConstants.NanosecondsPerHour);
                    break;
                case 'M':
                    (rank, nanosPerUnit) = (2, NodaConstants.NanosecondsPerMinute);
                    break;
                case 'S':
                    (rank, nanosPerUnit) = (3, NodaConstants.NanosecondsPerSecond);
                    break;
                default:
                    return (NotADuration, i);
            }

            if (rank > 0 && !inTime)
            {
                return (TimeBeforeT, i);
            }

            if (rank <= lastRank)
            {
                return (OutOfOrder, i);
            }

            if (fractionStart >= 0 && rank != 3)
            {
                return (FractionNotOnSeconds, start);
            }

            var integerDigits = text.AsSpan(start, integerEnd - start).TrimStart('0');
            if (integerDigits.Length > MaxIntegerDigits)
            {
                return (OutOfRange, start);
            }

            var value = integerDigits.IsEmpty ? BigInteger.Zero : BigInteger.Parse(integerDigits, NumberStyles.None, CultureInfo.InvariantCulture);
            total += value * nanosPerUnit;
            if (fractionStart >= 0)
            {
                var fraction = text.AsSpan(fractionStart, i - fractionStart);
                var beyond = fraction.Length > 9 ? fraction[9..] : [];
                if (beyond.ContainsAnyExcept('0'))
                {
                    return (FinerThanNanosecond, fractionStart + 9 + beyond.IndexOfAnyExcept('0'));
                }

                var nanos = fraction.Length > 9 ? fraction[..9] : fraction;
                total += long.Parse(nanos, NumberStyles.None, CultureInfo.InvariantCulture) * Pow10(9 - nanos.Length);
            }

            lastRank = rank;
            units++;
            i++;
        }

        if (units == 0)
        {
            return (NotADuration, i);
        }

        nanoseconds = negative ? -total : total;
        return nanoseconds < MinNanoseconds || nanoseconds > MaxNanoseconds ? (OutOfRange, 0) : null;
    }

    private static long Pow10(int exponent)
    {
        var result = 1L;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
