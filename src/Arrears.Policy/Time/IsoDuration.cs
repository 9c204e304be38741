using System.Globalization;
using System.Text;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// Reads and writes the ISO 8601 durations of the scenario format: days, hours, minutes and (fractional) seconds only,
/// with a day of exactly 24 hours (<c>P180D</c>, <c>PT24H</c>, <c>PT0S</c>, <c>P1DT12H</c>).
/// </summary>
/// <remarks>Years, months and weeks are rejected: their length is not a fixed duration.</remarks>
/// <example>
/// <code>
/// Duration grace = IsoDuration.Parse("PT24H");        // 24 hours
/// string text = IsoDuration.Format(Duration.FromDays(180));   // "P180D"
/// bool ok = IsoDuration.TryParse("P1M", out _, out var error);   // false: a month has no fixed length
/// </code>
/// </example>
public static class IsoDuration
{
    private const string NotADuration = "must be an ISO 8601 duration such as \"PT24H\"";

    /// <summary>Parses a duration such as <c>PT24H</c> or <c>P180D</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The duration when the text is valid.</param>
    /// <param name="error">Why the text is invalid, when it is.</param>
    /// <returns><see langword="true"/> when the text is a valid duration.</returns>
    public static bool TryParse(string? text, out Duration duration, out string? error)
    {
        duration = Duration.Zero;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = NotADuration;
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (s[0] == '-')
        {
            negative = true;
            s = s[1..];
        }

        if (s.Length < 3 || s[0] != 'P')
        {
            error = NotADuration;
            return false;
        }

        s = s[1..];
        var inTime = false;
        var any = false;
        var lastRank = -1;
        var total = Duration.Zero;
        while (!s.IsEmpty)
        {
            if (s[0] == 'T')
            {
                if (inTime)
                {
                    error = NotADuration;
                    return false;
                }

                inTime = true;
                s = s[1..];
                if (s.IsEmpty)
                {
                    error = NotADuration;
                    return false;
                }

                continue;
            }

            var end = 0;
            while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.'))
            {
                end++;
            }

            if (end == 0 || end == s.Length ||
                !decimal.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                error = NotADuration;
                return false;
            }

            var designator = s[end];
            int rank;
            decimal nanosPerUnit;
            switch (designator)
            {
                case 'Y' or 'M' when !inTime:
                case 'W':
                    error = "must use days, hours, minutes and seconds only (years, months and weeks have no fixed length)";
                    return false;
                case 'D' when !inTime:
                    rank = 0;
                    nanosPerUnit = NodaConstants.NanosecondsPerDay;
                    break;
                case 'H' when inTime:
                    rank = 1;
                    nanosPerUnit = NodaConstants.NanosecondsPerHour;
                    break;
                case 'M' when inTime:
                    rank = 2;
                    nanosPerUnit = NodaConstants.NanosecondsPerMinute;
                    break;
                case 'S' when inTime:
                    rank = 3;
                    nanosPerUnit = NodaConstants.NanosecondsPerSecond;
                    break;
                default:
                    error = NotADuration;
                    return false;
            }

            if (rank <= lastRank || (rank < 3 && value != decimal.Truncate(value)))
            {
                error = NotADuration;
                return false;
            }

            try
            {
                var nanos = value * nanosPerUnit;
                if (nanos != decimal.Truncate(nanos))
                {
                    error = "must not be finer than a nanosecond";
                    return false;
                }

                total += Duration.FromNanoseconds((System.Numerics.BigInteger)nanos);
            }
            catch (Exception ex) when (ex is OverflowException or ArgumentOutOfRangeException)
            {
                error = "is too large";
                return false;
            }

            lastRank = rank;
            any = true;
            s = s[(end + 1)..];
        }

        if (!any)
        {
            error = NotADuration;
            return false;
        }

        duration = negative ? -total : total;
        return true;
    }

    /// <summary>Parses a duration such as <c>PT24H</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The duration.</returns>
    /// <exception cref="FormatException">The text is not a valid duration; the message names the value.</exception>
    public static Duration Parse(string text) =>
        TryParse(text, out var duration, out var error) ? duration : throw new FormatException($"{error}, got \"{text}\"");

    /// <summary>Formats a duration with the largest whole units: <c>P7D</c>, 24 hours becomes <c>P1D</c>, <c>PT0S</c>, <c>P1DT2H30M</c>.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The ISO 8601 text.</returns>
    public static string Format(Duration duration)
    {
        if (duration == Duration.Zero)
        {
            return "PT0S";
        }

        var sb = new StringBuilder();
        if (duration < Duration.Zero)
        {
            sb.Append('-');
            duration = -duration;
        }

        sb.Append('P');
        var days = duration.Days;
        if (days != 0)
        {
            sb.Append(days.ToString(CultureInfo.InvariantCulture)).Append('D');
        }

        var rest = duration - Duration.FromDays(days);
        if (rest != Duration.Zero)
        {
            sb.Append('T');
            if (rest.Hours != 0)
            {
                sb.Append(rest.Hours.ToString(CultureInfo.InvariantCulture)).Append('H');
            }

            if (rest.Minutes != 0)
            {
                sb.Append(rest.Minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
            }

            var seconds = (decimal)rest.Seconds + (rest.SubsecondNanoseconds / (decimal)NodaConstants.NanosecondsPerSecond);
            if (seconds != 0)
            {
                sb.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('S');
            }
        }

        return sb.ToString();
    }
}
