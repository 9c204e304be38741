namespace Arrears.Policy.Billing;

/// <summary>
/// One bounded tier of a graduated price: the quantity of a billing item consumed in a calendar month, counted from the
/// previous tier's <see cref="UpTo"/> (or 0) up to (excluding) this tier's <see cref="UpTo"/>, costs <see cref="UnitPrice"/>
/// per <see cref="BillingItem.Unit"/>.
/// </summary>
/// <remarks>
/// <para>
/// Quantities are in usage units (calls, bytes), not price units. Beyond the last tier's <see cref="UpTo"/> the item's own
/// <see cref="BillingItem.UnitPrice"/> applies, so every quantity has a price and no tier is open-ended.
/// </para>
/// <para>Both values are validated by the constructor; two tiers are equal when both values are.</para>
/// </remarks>
/// <example>
/// <code>
/// // The first million calls of each month are free, the next nine million cost 0.08 per 10000, the rest 0.06.
/// var calls = new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"),
///     tiers: [new PriceTier(1_000_000m, 0m), new PriceTier(10_000_000m, 0.08m)]);
/// </code>
/// </example>
public sealed class PriceTier : IEquatable<PriceTier>
{
    /// <summary>Initializes a tier.</summary>
    /// <param name="upTo">The exclusive upper bound of the cumulative monthly quantity this tier prices; strictly positive.</param>
    /// <param name="unitPrice">The price per <see cref="BillingItem.Unit"/> within the tier; not negative.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the value.</exception>
    public PriceTier(decimal upTo, decimal unitPrice)
    {
        if (upTo <= 0)
        {
            throw new ArgumentException($"upTo: must be positive, got \"{Invariant.Format(upTo)}\"", nameof(upTo));
        }

        if (unitPrice < 0)
        {
            throw new ArgumentException($"unitPrice: must not be negative, got \"{Invariant.Format(unitPrice)}\"", nameof(unitPrice));
        }

        UpTo = upTo;
        UnitPrice = unitPrice;
    }

    /// <summary>Gets the exclusive upper bound of the cumulative monthly quantity this tier prices; strictly positive.</summary>
    public decimal UpTo { get; }

    /// <summary>Gets the price per <see cref="BillingItem.Unit"/> within the tier; not negative.</summary>
    public decimal UnitPrice { get; }

    /// <summary>Returns whether two tiers are equal.</summary>
    /// <param name="left">The first tier.</param>
    /// <param name="right">The second tier.</param>
    /// <returns>Whether they are equal (both <see langword="null"/>, or equal by <see cref="Equals(PriceTier)"/>).</returns>
    public static bool operator ==(PriceTier? left, PriceTier? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Returns whether two tiers differ.</summary>
    /// <param name="left">The first tier.</param>
    /// <param name="right">The second tier.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(PriceTier? left, PriceTier? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(PriceTier? other) => other is not null && UpTo == other.UpTo && UnitPrice == other.UnitPrice;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PriceTier);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(UpTo, UnitPrice);

    /// <summary>Returns the tier in words, for example <c>up to 1000000 at 0</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"up to {Invariant.Format(UpTo)} at {Invariant.Format(UnitPrice)}";
}
