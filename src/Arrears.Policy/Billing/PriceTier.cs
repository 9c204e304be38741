namespace Arrears.Policy.Billing;

/// <summary>
/// One bounded tier of a graduated price: the quantity of a billing item consumed in a calendar month, counted from the
/// previous tier's <see cref="UpTo"/> (or 0) up to (excluding) this tier's <see cref="UpTo"/>, costs <see cref="UnitPrice"/>
/// per <see cref="BillingItem.Unit"/>.
/// </summary>
/// <remarks>
/// Quantities are in usage units (calls, bytes), not price units. Beyond the last tier's <see cref="UpTo"/> the item's own
/// <see cref="BillingItem.UnitPrice"/> applies, so every quantity has a price and no tier is open-ended.
/// </remarks>
/// <example>
/// <code>
/// // The first million calls of each month are free, the next nine million cost 0.08 per 10000, the rest 0.06.
/// var calls = new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"))
/// {
///     Tiers = [new PriceTier(1_000_000m, 0m), new PriceTier(10_000_000m, 0.08m)],
/// };
/// </code>
/// </example>
public sealed record PriceTier
{
    /// <summary>Initializes a tier.</summary>
    /// <param name="upTo">The exclusive upper bound of the cumulative monthly quantity this tier prices; strictly positive.</param>
    /// <param name="unitPrice">The price per <see cref="BillingItem.Unit"/> within the tier; not negative.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the value.</exception>
    public PriceTier(decimal upTo, decimal unitPrice)
    {
        UpTo = upTo;
        UnitPrice = unitPrice;
    }

    /// <summary>Gets the exclusive upper bound of the cumulative monthly quantity this tier prices; strictly positive.</summary>
    /// <exception cref="ArgumentException">The value set is not positive.</exception>
    public decimal UpTo
    {
        get;
        init => field = value > 0
            ? value
            : throw new ArgumentException($"upTo: must be positive, got \"{Invariant.Format(value)}\"", nameof(value));
    }

    /// <summary>Gets the price per <see cref="BillingItem.Unit"/> within the tier; not negative.</summary>
    /// <exception cref="ArgumentException">The value set is negative.</exception>
    public decimal UnitPrice
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentException($"unitPrice: must not be negative, got \"{Invariant.Format(value)}\"", nameof(value));
    }
}
