namespace Arrears.Policy.Tests.Monies;

public sealed class CurrencyTests
{
    [Theory]
    [InlineData("CNY", 2)]
    [InlineData("USD", 2)]
    [InlineData("EUR", 2)]
    [InlineData("GBP", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KWD", 3)]
    [InlineData("BHD", 3)]
    public void FromCode_KnownCode_HasIsoMinorUnits(string code, int minorUnits)
    {
        var currency = Currency.FromCode(code);

        Assert.Equal(code, currency.Code);
        Assert.Equal(minorUnits, currency.MinorUnits);
    }

    [Theory]
    [InlineData("CYN")]
    [InlineData("cny")]
    [InlineData("")]
    [InlineData("US")]
    public void FromCode_UnknownCode_ThrowsNamingFieldAndValue(string code)
    {
        var error = Assert.Throws<ArgumentException>(() => Currency.FromCode(code));

        Assert.StartsWith("currency:", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{code}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromCode_Null_ThrowsNamingNull()
    {
        var error = Assert.Throws<ArgumentException>(() => Currency.FromCode(null!));

        Assert.StartsWith("currency: unknown ISO 4217 code, got null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFromCode_Null_ReturnsFalse()
    {
        Assert.False(Currency.TryFromCode(null, out var currency));
        Assert.Equal(default, currency);
    }

    [Theory]
    [InlineData("USD", "1.005", "1.01")]
    [InlineData("USD", "-1.005", "-1.01")]
    [InlineData("USD", "1.0049", "1.00")]
    [InlineData("USD", "2.5", "2.50")]
    [InlineData("JPY", "2.5", "3")]
    [InlineData("JPY", "-2.5", "-3")]
    [InlineData("KWD", "0.0005", "0.001")]
    [InlineData("KWD", "1.23449", "1.234")]
    public void Round_Midpoint_RoundsAwayFromZeroToMinorUnits(string code, string amount, string expected)
    {
        var rounded = Currency.FromCode(code).Round(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture));

        // Compare the text so that the scale (number of decimal places) is checked too.
        Assert.Equal(expected, rounded.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("1.005", MidpointRounding.ToEven, "1.00")]
    [InlineData("1.015", MidpointRounding.ToEven, "1.02")]
    [InlineData("1.009", MidpointRounding.ToZero, "1.00")]
    [InlineData("-1.001", MidpointRounding.ToNegativeInfinity, "-1.01")]
    public void Round_ExplicitMode_UsesThatMode(string amount, MidpointRounding mode, string expected)
    {
        var rounded = Currency.FromCode("USD").Round(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), mode);

        Assert.Equal(expected, rounded.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("CNY", "-4", "-4.00")]
    [InlineData("JPY", "12.4", "12")]
    [InlineData("KWD", "1.5", "1.500")]
    [InlineData("USD", "-0.001", "0.00")]
    public void Format_Amount_HasExactlyTheMinorUnits(string code, string amount, string expected)
    {
        Assert.Equal(expected, Currency.FromCode(code).Format(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void KnownCodes_EveryCode_RoundTripsThroughFromCode()
    {
        Assert.NotEmpty(Currency.KnownCodes);
        Assert.All(Currency.KnownCodes, code =>
        {
            Assert.Matches("^[A-Z]{3}$", code);
            Assert.Equal(code, Currency.FromCode(code).Code);
        });
    }

    [Fact]
    public void Equals_SameCode_IsEqual()
    {
        Assert.Equal(Currency.FromCode("EUR"), Currency.FromCode("EUR"));
        Assert.True(Currency.FromCode("EUR") != Currency.FromCode("USD"));
    }
}
