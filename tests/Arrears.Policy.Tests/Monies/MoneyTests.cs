using System.Globalization;
using Arrears.Policy.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Arrears.Policy.Tests.Monies;

using Money = Arrears.Policy.Money;

public sealed class MoneyTests
{
    private static readonly Currency Cny = Currency.FromCode("CNY");
    private static readonly Currency Usd = Currency.FromCode("USD");

    [Fact]
    public void Add_DifferentCurrencies_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Money(1m, Cny) + new Money(1m, Usd));

        Assert.Contains("CNY", error.Message, StringComparison.Ordinal);
        Assert.Contains("USD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subtract_DifferentCurrencies_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new Money(1m, Cny) - new Money(1m, Usd));
    }

    [Fact]
    public void CompareTo_DifferentCurrencies_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new Money(1m, Cny) < new Money(2m, Usd));
    }

    [Fact]
    public void Equals_DifferentCurrencies_IsFalse()
    {
        Assert.NotEqual(new Money(1m, Cny), new Money(1m, Usd));
    }

    [Fact]
    public void Add_SameCurrency_AddsAmounts()
    {
        var total = new Money(-4.01m, Cny) + new Money(10m, Cny);

        Assert.Equal(new Money(5.99m, Cny), total);
        Assert.Equal(new Money(-5.99m, Cny), -total);
        Assert.Equal(new Money(-14.01m, Cny), Arrears.Policy.Money.Subtract(new Money(-4.01m, Cny), new Money(10m, Cny)));
    }

    [Fact]
    public void Round_Midpoint_RoundsAwayFromZero()
    {
        Assert.Equal("-4.01", new Money(-4.005m, Cny).Round().Amount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("4.00", new Money(4.005m, Cny).Round(MidpointRounding.ToEven).Amount.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ToString_Amount_FormatsWithCurrencyDecimalsAndCode()
    {
        Assert.Equal("-20.00 CNY", new Money(-20m, Cny).ToString());
        Assert.Equal("7 JPY", new Money(7m, Currency.FromCode("JPY")).ToString());
    }

    [Property(MaxTest = 1000)]
    public Property Round_AmountWithMinorUnits_IsUnchanged() =>
        Prop.ForAll(
            Generators.Currencies.SelectMany(currency => Generators.Money(currency)).ToArbitrary(),
            money => money.Round() == money);

    [Property(MaxTest = 1000)]
    public Property Round_AnyAmount_IsWithinHalfAMinorUnit() =>
        Prop.ForAll(
            Generators.Currencies.ToArbitrary(),
            ArbMap.Default.ArbFor<decimal>(),
            (currency, amount) =>
            {
                var rounded = currency.Round(amount);
                var half = 0.5m / Pow10(currency.MinorUnits);
                return Math.Abs(rounded - amount) <= half && decimal.Round(rounded, currency.MinorUnits) == rounded;
            });

    [Property(MaxTest = 1000)]
    public Property Add_SameCurrency_IsCommutativeAndSubtractionUndoesIt() =>
        Prop.ForAll(
            Generators.Currencies.SelectMany(currency => Generators.Money(currency).Two()).ToArbitrary(),
            pair =>
            {
                var (a, b) = pair;
                return a + b == b + a && (a + b) - b == a;
            });

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10m;
        }

        return result;
    }
}
