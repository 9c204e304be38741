using NodaTime;

namespace Arrears.Policy.Billing;

/// <summary>A charge produced by <see cref="Rating.Rate"/> from the usage of one billing item in one cycle (and, for a tiered item, one tier).</summary>
/// <remarks>
/// Ids are deterministic, so rating the same usage again yields the same ids and appending the charges to a
/// <see cref="Ledger"/> again is a no-op: <c>"{item}:{cycleStart}"</c> for a flat price and
/// <c>"{item}:{cycleStart}:t{n}"</c> for the part priced by tier <c>n</c> (1-based; <c>Tiers.Count + 1</c> is the price
/// beyond the last tier) of a tiered item. <c>cycleStart</c> is an ISO 8601 UTC instant such as <c>2026-01-01T01:00:00Z</c>.
/// Rating creates the charges; the public constructor, which validates every value, serves tests and hosts that compare
/// charges with expected ones. Two charges are equal when every value is (strings ordinal).
/// </remarks>
/// <example>
/// <code>
/// foreach (var charge in Rating.Rate(items, usage, Currency.FromCode("CNY"), DateTimeZone.Utc))
/// {
///     ledger.Append(charge.ToLedgerEntry());   // id "calls:2026-01-01T01:00:00Z", so re-rating the same usage is an idempotent replay
/// }
/// </code>
/// </example>
public sealed class RatedCharge : IEquatable<RatedCharge>
{
    /// <summary>Initializes a rated charge.</summary>
    /// <param name="id">The charge id; not empty.</param>
    /// <param name="item">The billing item id; not empty.</param>
    /// <param name="product">The product of the billing item, if any.</param>
    /// <param name="cycleStart">The start of the cycle (inclusive).</param>
    /// <param name="cycleEnd">The end of the cycle (exclusive); equal to the start for the cycle <c>none</c>.</param>
    /// <param name="at">The instant the charge takes effect on the balance: <c>cycleEnd + settlementDelay</c>.</param>
    /// <param name="amount">The amount, rounded to the currency's minor units; strictly positive.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the value.</exception>
    public RatedCharge(string id, string item, string? product, Instant cycleStart, Instant cycleEnd, Instant at, decimal amount)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"id: must not be empty, got \"{id}\"", nameof(id));
        }

        if (string.IsNullOrWhiteSpace(item))
        {
            throw new ArgumentException($"item: must not be empty, got \"{item}\"", nameof(item));
        }

        if (cycleEnd < cycleStart)
        {
            throw new ArgumentException(
                $"cycleEnd: must not be before cycleStart \"{Invariant.Format(cycleStart)}\", got \"{Invariant.Format(cycleEnd)}\"", nameof(cycleEnd));
        }

        if (amount <= 0)
        {
            throw new ArgumentException($"amount: must be positive, got \"{Invariant.Format(amount)}\"", nameof(amount));
        }

        Id = id;
        Item = item;
        Product = product;
        CycleStart = cycleStart;
        CycleEnd = cycleEnd;
        At = at;
        Amount = amount;
    }

    /// <summary>Gets the charge id.</summary>
    public string Id { get; }

    /// <summary>Gets the billing item id.</summary>
    public string Item { get; }

    /// <summary>Gets the product of the billing item, if any.</summary>
    public string? Product { get; }

    /// <summary>Gets the start of the cycle (inclusive).</summary>
    public Instant CycleStart { get; }

    /// <summary>Gets the end of the cycle (exclusive); equal to <see cref="CycleStart"/> for the cycle <c>none</c>.</summary>
    public Instant CycleEnd { get; }

    /// <summary>Gets the instant the charge takes effect on the balance.</summary>
    public Instant At { get; }

    /// <summary>Gets the amount, rounded to the currency's minor units; strictly positive.</summary>
    public decimal Amount { get; }

    /// <summary>Returns whether two charges are equal.</summary>
    /// <param name="left">The first charge.</param>
    /// <param name="right">The second charge.</param>
    /// <returns>Whether they are equal (both <see langword="null"/>, or equal by <see cref="Equals(RatedCharge)"/>).</returns>
    public static bool operator ==(RatedCharge? left, RatedCharge? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Returns whether two charges differ.</summary>
    /// <param name="left">The first charge.</param>
    /// <param name="right">The second charge.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(RatedCharge? left, RatedCharge? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(RatedCharge? other) =>
        other is not null
        && string.Equals(Id, other.Id, StringComparison.Ordinal)
        && string.Equals(Item, other.Item, StringComparison.Ordinal)
        && string.Equals(Product, other.Product, StringComparison.Ordinal)
        && CycleStart == other.CycleStart
        && CycleEnd == other.CycleEnd
        && At == other.At
        && Amount == other.Amount;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RatedCharge);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), At, Amount);

    /// <summary>Returns the charge in one line, for example <c>calls:2026-01-01T01:00:00Z 1.50 at 2026-01-01T02:30:00Z</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Id} {Invariant.Format(Amount)} at {Invariant.Format(At)}";

    /// <summary>Returns the ledger entry of kind <see cref="LedgerEntryKind.Charge"/> for this charge, carrying its product and billing item.</summary>
    /// <returns>The entry.</returns>
    public LedgerEntry ToLedgerEntry() =>
        new(Id, LedgerEntryKind.Charge, At, Amount, product: Product, billingItem: Item);
}
