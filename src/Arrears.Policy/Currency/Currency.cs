using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Arrears.Policy;

/// <summary>
/// An ISO 4217 currency: its three-letter code and the number of minor units (decimal places) its amounts carry.
/// </summary>
/// <remarks>
/// Only codes in the built-in ISO 4217 table are accepted, so that a typo such as <c>"CYN"</c> is rejected rather
/// than silently billed with a guessed precision. Two currencies are equal when their codes are equal.
/// </remarks>
/// <example>
/// <code>
/// var cny = Currency.FromCode("CNY");   // MinorUnits == 2
/// var jpy = Currency.FromCode("JPY");   // MinorUnits == 0
/// var kwd = Currency.FromCode("KWD");   // MinorUnits == 3
/// </code>
/// </example>
public readonly struct Currency : IEquatable<Currency>
{
    private static readonly FrozenDictionary<string, int> MinorUnitsByCode = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        // Zero decimal places.
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0,
        ["PYG"] = 0, ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0,
        ["XPF"] = 0,
        // Three decimal places.
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        // Four decimal places.
        ["CLF"] = 4, ["UYW"] = 4,
        // Two decimal places.
        ["AED"] = 2, ["AFN"] = 2, ["ALL"] = 2, ["AMD"] = 2, ["ANG"] = 2, ["AOA"] = 2, ["ARS"] = 2, ["AUD"] = 2, ["AWG"] = 2,
        ["AZN"] = 2, ["BAM"] = 2, ["BBD"] = 2, ["BDT"] = 2, ["BGN"] = 2, ["BMD"] = 2, ["BND"] = 2, ["BOB"] = 2,
        ["BRL"] = 2, ["BSD"] = 2, ["BTN"] = 2, ["BWP"] = 2, ["BYN"] = 2, ["BZD"] = 2, ["CAD"] = 2, ["CDF"] = 2,
        ["CHF"] = 2, ["CNY"] = 2, ["COP"] = 2, ["CRC"] = 2, ["CUP"] = 2, ["CVE"] = 2, ["CZK"] = 2, ["DKK"] = 2,
        ["DOP"] = 2, ["DZD"] = 2, ["EGP"] = 2, ["ERN"] = 2, ["ETB"] = 2, ["EUR"] = 2, ["FJD"] = 2, ["FKP"] = 2,
        ["GBP"] = 2, ["GEL"] = 2, ["GHS"] = 2, ["GIP"] = 2, ["GMD"] = 2, ["GTQ"] = 2, ["GYD"] = 2, ["HKD"] = 2,
        ["HNL"] = 2, ["HTG"] = 2, ["HUF"] = 2, ["IDR"] = 2, ["ILS"] = 2, ["INR"] = 2, ["IRR"] = 2, ["JMD"] = 2,
        ["KES"] = 2, ["KGS"] = 2, ["KHR"] = 2, ["KPW"] = 2, ["KYD"] = 2, ["KZT"] = 2, ["LAK"] = 2, ["LBP"] = 2,
        ["LKR"] = 2, ["LRD"] = 2, ["LSL"] = 2, ["MAD"] = 2, ["MDL"] = 2, ["MGA"] = 2, ["MKD"] = 2, ["MMK"] = 2,
        ["MNT"] = 2, ["MOP"] = 2, ["MRU"] = 2, ["MUR"] = 2, ["MVR"] = 2, ["MWK"] = 2, ["MXN"] = 2, ["MYR"] = 2,
        ["MZN"] = 2, ["NAD"] = 2, ["NGN"] = 2, ["NIO"] = 2, ["NOK"] = 2, ["NPR"] = 2, ["NZD"] = 2, ["PAB"] = 2,
        ["PEN"] = 2, ["PGK"] = 2, ["PHP"] = 2, ["PKR"] = 2, ["PLN"] = 2, ["QAR"] = 2, ["RON"] = 2, ["RSD"] = 2,
        ["RUB"] = 2, ["SAR"] = 2, ["SBD"] = 2, ["SCR"] = 2, ["SDG"] = 2, ["SEK"] = 2, ["SGD"] = 2, ["SHP"] = 2,
        ["SLE"] = 2, ["SOS"] = 2, ["SRD"] = 2, ["SSP"] = 2, ["STN"] = 2, ["SVC"] = 2, ["SYP"] = 2, ["SZL"] = 2,
        ["THB"] = 2, ["TJS"] = 2, ["TMT"] = 2, ["TOP"] = 2, ["TRY"] = 2, ["TTD"] = 2, ["TWD"] = 2, ["TZS"] = 2,
        ["UAH"] = 2, ["USD"] = 2, ["UZS"] = 2, ["VES"] = 2, ["WST"] = 2, ["XCD"] = 2, ["XCG"] = 2, ["YER"] = 2, ["ZAR"] = 2,
        ["ZMW"] = 2, ["ZWG"] = 2,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Currency> ByCode =
        MinorUnitsByCode.ToFrozenDictionary(pair => pair.Key, pair => new Currency(pair.Key, pair.Value), StringComparer.Ordinal);

    private readonly string? _code;

    private Currency(string code, int minorUnits)
    {
        _code = code;
        MinorUnits = minorUnits;
    }

    /// <summary>Gets the upper-case three-letter ISO 4217 code, for example <c>CNY</c>.</summary>
    public string Code => _code ?? "XXX";

    /// <summary>Gets the number of decimal places of the currency's minor unit (2 for CNY, 0 for JPY, 3 for KWD).</summary>
    public int MinorUnits { get; }

    /// <summary>Gets every currency code this library knows, in ordinal order.</summary>
    public static IReadOnlyList<string> KnownCodes { get; } = [.. MinorUnitsByCode.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Returns the currency with the given ISO 4217 code.</summary>
    /// <param name="code">A three-letter upper-case ISO 4217 code such as <c>"CNY"</c>.</param>
    /// <returns>The currency.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not a known ISO 4217 code; the message names the value.</exception>
    public static Currency FromCode(string code)
    {
        if (TryFromCode(code, out var currency))
        {
            return currency;
        }

        throw new ArgumentException(
            code is null ? "currency: unknown ISO 4217 code, got null" : $"currency: unknown ISO 4217 code, got \"{code}\"",
            nameof(code));
    }

    /// <summary>Looks up a currency by its ISO 4217 code.</summary>
    /// <param name="code">The code to look up (case-sensitive, upper case).</param>
    /// <param name="currency">The currency when the code is known.</param>
    /// <returns><see langword="true"/> when the code is known.</returns>
    public static bool TryFromCode([NotNullWhen(true)] string? code, out Currency currency)
    {
        if (code is not null && ByCode.TryGetValue(code, out currency))
        {
            return true;
        }

        currency = default;
        return false;
    }

    /// <summary>Rounds an amount to this currency's minor units.</summary>
    /// <param name="amount">The amount to round.</param>
    /// <param name="mode">How to round a midpoint; billing uses <see cref="MidpointRounding.AwayFromZero"/>.</param>
    /// <returns>The rounded amount, carrying exactly <see cref="MinorUnits"/> decimal places.</returns>
    public decimal Round(decimal amount, MidpointRounding mode = MidpointRounding.AwayFromZero)
    {
        var rounded = decimal.Round(amount, MinorUnits, mode);
        return Rescale(rounded, MinorUnits);
    }

    /// <summary>Formats an amount with exactly this currency's number of decimal places, invariant culture.</summary>
    /// <param name="amount">The amount to format.</param>
    /// <returns>For example <c>"-4.00"</c> for CNY or <c>"12"</c> for JPY.</returns>
    public string Format(decimal amount) =>
        Round(amount).ToString(MinorUnits == 0 ? "0" : "0." + new string('0', MinorUnits), System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public bool Equals(Currency other) => string.Equals(Code, other.Code, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Currency other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Code);

    /// <summary>Returns the ISO 4217 code.</summary>
    /// <returns>The code.</returns>
    public override string ToString() => Code;

    /// <summary>Compares two currencies for equality.</summary>
    /// <param name="left">The first currency.</param>
    /// <param name="right">The second currency.</param>
    /// <returns><see langword="true"/> when both have the same code.</returns>
    public static bool operator ==(Currency left, Currency right) => left.Equals(right);

    /// <summary>Compares two currencies for inequality.</summary>
    /// <param name="left">The first currency.</param>
    /// <param name="right">The second currency.</param>
    /// <returns><see langword="true"/> when the codes differ.</returns>
    public static bool operator !=(Currency left, Currency right) => !left.Equals(right);

    private static decimal Rescale(decimal value, int scale)
    {
        // decimal.Round never adds trailing zeros; adding a zero with the target scale does.
        var zero = new decimal(0, 0, 0, false, (byte)scale);
        return value + zero;
    }
}
