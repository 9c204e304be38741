using System.Globalization;

namespace Arrears.Policy;

/// <summary>An amount of money in one <see cref="Policy.Currency"/>. Amounts are <see cref="decimal"/>, never floating point.</summary>
/// <remarks>
/// Arithmetic between two different currencies is an error, never a silent conversion.
/// </remarks>
/// <example>
/// <code>
/// var cny = Currency.FromCode("CNY");
/// var owed = new Money(-4.005m, cny).Round();   // -4.01 CNY (away from zero at the midpoint)
/// var total = owed + new Money(10m, cny);       // 5.99 CNY
/// </code>
/// </example>
public readonly struct Money : IEquatable<Money>, IComparable<Money>
{
    /// <summary>Initializes a new amount of money.</summary>
    /// <param name="amount">The amount, which may be negative (a debt).</param>
    /// <param name="currency">The currency.</param>
    public Money(decimal amount, Currency currency)
    {
        Amount = amount;
        Currency = currency;
    }

    /// <summary>Gets the amount.</summary>
    public decimal Amount { get; }

    /// <summary>Gets the currency.</summary>
    public Currency Currency { get; }

    /// <summary>Rounds the amount to the currency's minor units.</summary>
    /// <param name="mode">How to round a midpoint; defaults to away from zero.</param>
    /// <returns>The rounded amount in the same currency.</returns>
    public Money Round(MidpointRounding mode = MidpointRounding.AwayFromZero) => new(Currency.Round(Amount, mode), Currency);

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="InvalidOperationException">The currencies differ.</exception>
    public static Money operator +(Money left, Money right) => new(left.Amount + right.Amount, SameCurrency(left, right));

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="InvalidOperationException">The currencies differ.</exception>
    public static Money operator -(Money left, Money right) => new(left.Amount - right.Amount, SameCurrency(left, right));

    /// <summary>Negates an amount.</summary>
    /// <param name="value">The amount.</param>
    /// <returns>The amount with the opposite sign.</returns>
    public static Money operator -(Money value) => new(-value.Amount, value.Currency);

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    public static Money Add(Money left, Money right) => left + right;

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    public static Money Subtract(Money left, Money right) => left - right;

    /// <summary>Negates an amount.</summary>
    /// <param name="value">The amount.</param>
    /// <returns>The amount with the opposite sign.</returns>
    public static Money Negate(Money value) => -value;

    /// <inheritdoc />
    public int CompareTo(Money other)
    {
        _ = SameCurrency(this, other);
        return Amount.CompareTo(other.Amount);
    }

    /// <inheritdoc />
    public bool Equals(Money other) => Amount == other.Amount && Currency == other.Currency;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Money other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Amount, Currency);

    /// <summary>Formats the amount with the currency's decimals followed by its code, for example <c>-20.00 CNY</c>.</summary>
    /// <returns>The formatted amount.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Currency.Format(Amount)} {Currency.Code}");

    /// <summary>Compares two amounts for equality.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns><see langword="true"/> when amount and currency are equal.</returns>
    public static bool operator ==(Money left, Money right) => left.Equals(right);

    /// <summary>Compares two amounts for inequality.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns><see langword="true"/> when amount or currency differ.</returns>
    public static bool operator !=(Money left, Money right) => !left.Equals(right);

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is smaller.</returns>
    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is larger.</returns>
    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is smaller or equal.</returns>
    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is larger or equal.</returns>
    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    private static Currency SameCurrency(Money left, Money right) =>
        left.Currency == right.Currency
            ? left.Currency
            : throw new InvalidOperationException($"currency: cannot combine {left.Currency.Code} with {right.Currency.Code}");
}
