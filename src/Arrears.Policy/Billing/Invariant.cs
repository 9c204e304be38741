using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy;

/// <summary>Culture-invariant formatting of values quoted in error messages and ids.</summary>
internal static class Invariant
{
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(Instant value) => InstantPattern.ExtendedIso.Format(value);

    public static string Format(Duration value) => DurationPattern.Roundtrip.Format(value);
}
