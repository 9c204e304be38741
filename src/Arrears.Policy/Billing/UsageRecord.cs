using NodaTime;

namespace Arrears.Policy.Billing;

/// <summary>A measured quantity of one billing item at one instant (for example 250000 API calls at 01:15).</summary>
/// <remarks>
/// Every value is validated by the constructor, the only way to make a record; errors name the field and the value. Two
/// records are equal when every value is (item ids ordinal).
/// </remarks>
/// <example>
/// <code>
/// var usage = new UsageRecord("calls", Instant.FromUtc(2026, 1, 1, 1, 15), 250000m);   // 250,000 API calls at 01:15 UTC
/// </code>
/// </example>
public sealed class UsageRecord : IEquatable<UsageRecord>
{
    /// <summary>Initializes a usage record.</summary>
    /// <param name="item">The id of the <see cref="BillingItem"/> consumed; not empty.</param>
    /// <param name="at">The instant of the usage; it belongs to the cycle containing it (a cycle starting exactly then).</param>
    /// <param name="quantity">The quantity, in the item's usage units; not negative.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the value.</exception>
    public UsageRecord(string item, Instant at, decimal quantity)
    {
        if (string.IsNullOrWhiteSpace(item))
        {
            throw new ArgumentException($"item: must not be empty, got \"{item}\"", nameof(item));
        }

        if (quantity < 0)
        {
            throw new ArgumentException($"quantity: must not be negative, got \"{Invariant.Format(quantity)}\"", nameof(quantity));
        }

        Item = item;
        At = at;
        Quantity = quantity;
    }

    /// <summary>Gets the id of the <see cref="BillingItem"/> consumed; not empty.</summary>
    public string Item { get; }

    /// <summary>Gets the instant of the usage.</summary>
    public Instant At { get; }

    /// <summary>Gets the quantity, in the item's usage units; not negative.</summary>
    public decimal Quantity { get; }

    /// <summary>Returns whether two records are equal.</summary>
    /// <param name="left">The first record.</param>
    /// <param name="right">The second record.</param>
    /// <returns>Whether they are equal (both <see langword="null"/>, or equal by <see cref="Equals(UsageRecord)"/>).</returns>
    public static bool operator ==(UsageRecord? left, UsageRecord? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Returns whether two records differ.</summary>
    /// <param name="left">The first record.</param>
    /// <param name="right">The second record.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(UsageRecord? left, UsageRecord? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(UsageRecord? other) =>
        other is not null && string.Equals(Item, other.Item, StringComparison.Ordinal) && At == other.At && Quantity == other.Quantity;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as UsageRecord);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Item), At, Quantity);

    /// <summary>Returns the record in one line, for example <c>calls 250000 at 2026-01-01T01:15:00Z</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Item} {Invariant.Format(Quantity)} at {Invariant.Format(At)}";
}
