using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy;

/// <summary>Culture-invariant formatting of values quoted in error messages and ids.</summary>
internal static class Invariant
{
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(Instant value) => InstantPattern.ExtendedIso.Format(value);

    /// <summary>Formats a duration as ISO 8601 with hours, minutes and seconds (<c>PT1H</c>, <c>PT-30M</c>, <c>P1DT2H</c>).</summary>
    public static string Format(Duration value)
    {
        if (value == Duration.Zero)
        {
            return "PT0S";
        }

        // Days are split off first so that any Duration fits the period's fields.
        var period = new PeriodBuilder { Days = value.Days, Nanoseconds = value.NanosecondOfDay }.Build().Normalize();
        return PeriodPattern.NormalizingIso.Format(period);
    }
}
