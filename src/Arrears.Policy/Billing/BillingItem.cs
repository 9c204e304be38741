using System.Collections.ObjectModel;
using NodaTime;

namespace Arrears.Policy.Billing;

/// <summary>
/// A billable item of a product (API calls, traffic, storage): how usage is priced and grouped into cycles.
/// </summary>
/// <remarks>
/// <para>
/// A cycle <c>[start, end)</c> with usage becomes one charge of
/// <c>round(sum(quantity) * UnitPrice / Unit, minor units of the currency, MidpointRounding.AwayFromZero)</c>, settled at
/// <c>end + SettlementDelay</c>; see <see cref="Rating"/>.
/// </para>
/// <para>
/// With <see cref="Tiers"/> the price is graduated over the cumulative quantity of the calendar month (in the billing time
/// zone) that each cycle starts in; <see cref="UnitPrice"/> then prices the quantity beyond the last tier.
/// </para>
/// <para>
/// Every value is validated by the constructor, the only way to make an item; errors name the field and the value. Two items
/// are equal when every value is (ids and products ordinal, tiers in order).
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var calls = new BillingItem("calls", unit: 10000m, unitPrice: 0.06m, BillingCycle.Parse("PT1H"),
///     settlementDelay: Duration.FromMinutes(30),
///     product: "api-gateway");
/// </code>
/// </example>
public sealed class BillingItem : IEquatable<BillingItem>
{
    private static readonly ReadOnlyCollection<PriceTier> NoTiers = new([]);

    /// <summary>Initializes a billing item.</summary>
    /// <param name="id">The item id, unique within the account's items; not empty.</param>
    /// <param name="unit">The quantity one <paramref name="unitPrice"/> pays for (for example 10000 calls); strictly positive.</param>
    /// <param name="unitPrice">The price per <paramref name="unit"/> (beyond the last tier when there are <paramref name="tiers"/>); not negative.</param>
    /// <param name="cycle">The billing cycle.</param>
    /// <param name="settlementDelay">How long after a cycle ends its charge takes effect on the balance; not negative. Default: zero.</param>
    /// <param name="product">The product the item belongs to, if any; copied to the charges for bill details. Default: none.</param>
    /// <param name="tiers">
    /// The bounded tiers of a graduated monthly price, in strictly increasing order of <see cref="PriceTier.UpTo"/>; none
    /// (a flat <paramref name="unitPrice"/>) when <see langword="null"/> or empty, the default. The list is copied.
    /// </param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the value.</exception>
    public BillingItem(
        string id,
        decimal unit,
        decimal unitPrice,
        BillingCycle cycle,
        Duration settlementDelay = default,
        string? product = null,
        IReadOnlyList<PriceTier>? tiers = null)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"id: must not be empty, got \"{id}\"", nameof(id));
        }

        if (unit <= 0)
        {
            throw new ArgumentException($"unit: must be positive, got \"{Invariant.Format(unit)}\"", nameof(unit));
        }

        if (unitPrice < 0)
        {
            throw new ArgumentException($"unitPrice: must not be negative, got \"{Invariant.Format(unitPrice)}\"", nameof(unitPrice));
        }

        if (settlementDelay < Duration.Zero)
        {
            throw new ArgumentException($"settlementDelay: must not be negative, got \"{Invariant.Format(settlementDelay)}\"", nameof(settlementDelay));
        }

        Id = id;
        Unit = unit;
        UnitPrice = unitPrice;
        Cycle = cycle;
        SettlementDelay = settlementDelay;
        Product = product;
        Tiers = ValidateTiers(tiers);
    }

    /// <summary>Gets the item id, unique within the account's items; not empty.</summary>
    public string Id { get; }

    /// <summary>Gets the quantity one <see cref="UnitPrice"/> pays for (for example 10000 calls); strictly positive.</summary>
    public decimal Unit { get; }

    /// <summary>Gets the price per <see cref="Unit"/> (beyond the last tier when <see cref="Tiers"/> is not empty); not negative.</summary>
    public decimal UnitPrice { get; }

    /// <summary>Gets the billing cycle.</summary>
    public BillingCycle Cycle { get; }

    /// <summary>Gets how long after a cycle ends its charge takes effect on the balance; not negative, default zero.</summary>
    public Duration SettlementDelay { get; }

    /// <summary>Gets the product the item belongs to, if any; copied to the charges for bill details.</summary>
    public string? Product { get; }

    /// <summary>
    /// Gets the bounded tiers of a graduated monthly price, in increasing order of <see cref="PriceTier.UpTo"/>; empty (the
    /// default) for a flat <see cref="UnitPrice"/>.
    /// </summary>
    public IReadOnlyList<PriceTier> Tiers { get; }

    /// <summary>Returns whether two items are equal.</summary>
    /// <param name="left">The first item.</param>
    /// <param name="right">The second item.</param>
    /// <returns>Whether they are equal (both <see langword="null"/>, or equal by <see cref="Equals(BillingItem)"/>).</returns>
    public static bool operator ==(BillingItem? left, BillingItem? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Returns whether two items differ.</summary>
    /// <param name="left">The first item.</param>
    /// <param name="right">The second item.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(BillingItem? left, BillingItem? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(BillingItem? other) =>
        other is not null
        && string.Equals(Id, other.Id, StringComparison.Ordinal)
        && Unit == other.Unit
        && UnitPrice == other.UnitPrice
        && Cycle == other.Cycle
        && SettlementDelay == other.SettlementDelay
        && string.Equals(Product, other.Product, StringComparison.Ordinal)
        && Tiers.SequenceEqual(other.Tiers);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BillingItem);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), Unit, UnitPrice, Cycle, SettlementDelay, Tiers.Count);

    /// <summary>Returns the item id.</summary>
    /// <returns>The id.</returns>
    public override string ToString() => Id;

    /// <summary>Returns the price of <paramref name="quantity"/> consumed when <paramref name="monthToDate"/> was already consumed in the month, split by tier, before rounding.</summary>
    /// <param name="monthToDate">The cumulative quantity of the month before this quantity.</param>
    /// <param name="quantity">The quantity to price.</param>
    /// <param name="portions">Receives one (1-based tier number, quantity, unrounded amount) per tier holding a positive part of the quantity; tier number <c>Tiers.Count + 1</c> is the price beyond the last tier.</param>
    internal void PriceTiered(decimal monthToDate, decimal quantity, List<(int Tier, decimal Quantity, decimal Amount)> portions)
    {
        var tiers = Tiers;
        var from = monthToDate;
        var to = monthToDate + quantity;
        var lower = 0m;
        for (var i = 0; i <= tiers.Count; i++)
        {
            var upper = i < tiers.Count ? tiers[i].UpTo : decimal.MaxValue;
            var price = i < tiers.Count ? tiers[i].UnitPrice : UnitPrice;
            var overlap = Math.Min(to, upper) - Math.Max(from, lower);
            if (overlap > 0)
            {
                portions.Add((i + 1, overlap, overlap * price / Unit));
            }

            if (to <= upper)
            {
                break;
            }

            lower = upper;
        }
    }

    private static ReadOnlyCollection<PriceTier> ValidateTiers(IReadOnlyList<PriceTier>? tiers)
    {
        if (tiers is null || tiers.Count == 0)
        {
            return NoTiers;
        }

        var copy = new PriceTier[tiers.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var tier = tiers[i] ?? throw new ArgumentException($"tiers[{i}]: must not be null", nameof(tiers));
            if (i > 0 && tier.UpTo <= copy[i - 1].UpTo)
            {
                throw new ArgumentException(
                    $"tiers[{i}].upTo: must be greater than tiers[{i - 1}].upTo \"{Invariant.Format(copy[i - 1].UpTo)}\", got \"{Invariant.Format(tier.UpTo)}\"",
                    nameof(tiers));
            }

            copy[i] = tier;
        }

        return new ReadOnlyCollection<PriceTier>(copy);
    }
}
