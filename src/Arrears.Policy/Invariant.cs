using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy;

/// <summary>Culture-invariant formatting of values quoted in error messages and ids.</summary>
internal static class Invariant
{
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(Instant value) => InstantPattern.ExtendedIso.Format(value);

    /// <summary>Formats a duration the way the scenario format writes it (<see cref="IsoDuration.Format"/>): <c>PT1H</c>, <c>-PT30M</c>, <c>P1DT2H</c>.</summary>
    public static string Format(Duration value) => IsoDuration.Format(value);
}
