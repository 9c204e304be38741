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
/// <para>Every property validates on construction and on <c>with</c>; errors name the field and the value.</para>
/// </remarks>
/// <example>
/// <code>
/// var calls = new BillingItem("calls", unit: 10000m, unitPrice: 0.06m, BillingCycle.Parse("PT1H"))
/// {
///     SettlementDelay = Duration.FromMinutes(30),
///     Product = "api-gateway",
/// };
/// </code>
/// </example>
public sealed record BillingItem
{
    private static readonly ReadOnlyCollection<PriceTier> NoTiers = new([]);

    /// <summary>Initializes a billing item.</summary>
    /// <param name="id">The item id, unique within the account's items; not empty.</param>
    /// <param name="unit">The quantity one <paramref name="unitPrice"/> pays for (for example 10000 calls); strictly positive.</param>
    /// <param name="unitPrice">The price per <paramref name="unit"/>; not negative.</param>
    /// <param name="cycle">The billing cycle.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the value.</exception>
    public BillingItem(string id, decimal unit, decimal unitPrice, BillingCycle cycle)
    {
        Id = id;
        Unit = unit;
        UnitPrice = unitPrice;
        Cycle = cycle;
    }

    /// <summary>Gets the item id, unique within the account's items; not empty.</summary>
    /// <exception cref="ArgumentException">The value set is null, empty or white space.</exception>
    public string Id
    {
        get;
        init => field = !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ArgumentException($"id: must not be empty, got \"{value}\"", nameof(value));
    }

    /// <summary>Gets the quantity one <see cref="UnitPrice"/> pays for (for example 10000 calls); strictly positive.</summary>
    /// <exception cref="ArgumentException">The value set is not positive.</exception>
    public decimal Unit
    {
        get;
        init => field = value > 0
            ? value
            : throw new ArgumentException($"unit: must be positive, got \"{Invariant.Format(value)}\"", nameof(value));
    }

    /// <summary>Gets the price per <see cref="Unit"/> (beyond the last tier when <see cref="Tiers"/> is not empty); not negative.</summary>
    /// <exception cref="ArgumentException">The value set is negative.</exception>
    public decimal UnitPrice
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentException($"unitPrice: must not be negative, got \"{Invariant.Format(value)}\"", nameof(value));
    }

    /// <summary>Gets the billing cycle.</summary>
    public BillingCycle Cycle { get; init; }

    /// <summary>Gets how long after a cycle ends its charge takes effect on the balance; not negative, default zero.</summary>
    /// <exception cref="ArgumentException">The value set is negative.</exception>
    public Duration SettlementDelay
    {
        get;
        init => field = value >= Duration.Zero
            ? value
            : throw new ArgumentException($"settlementDelay: must not be negative, got \"{Invariant.Format(value)}\"", nameof(value));
    }

    /// <summary>Gets the product the item belongs to, if any; copied to the charges for bill details.</summary>
    public string? Product { get; init; }

    /// <summary>
    /// Gets the bounded tiers of a graduated monthly price, in increasing order of <see cref="PriceTier.UpTo"/>; empty (the
    /// default) for a flat <see cref="UnitPrice"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The value set is null, holds a null tier, or its bounds are not strictly increasing; the message names the tier and the value.
    /// </exception>
    public IReadOnlyList<PriceTier> Tiers
    {
        get => field ?? NoTiers;
        init => field = ValidateTiers(value);
    }

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
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), Unit, UnitPrice, Cycle, SettlementDelay, Tiers.Count);

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
        if (tiers is null)
        {
            throw new ArgumentException("tiers: must not be null, got null (use an empty list for a flat price)", nameof(tiers));
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

        return copy.Length == 0 ? NoTiers : new ReadOnlyCollection<PriceTier>(copy);
    }
}
