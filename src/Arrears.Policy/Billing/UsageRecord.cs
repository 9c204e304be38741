using NodaTime;

namespace Arrears.Policy.Billing;

/// <summary>A measured quantity of one billing item at one instant (for example 250000 API calls at 01:15).</summary>
/// <remarks>Every property validates on construction and on <c>with</c>; errors name the field and the value.</remarks>
/// <example>
/// <code>
/// var usage = new UsageRecord("calls", Instant.FromUtc(2026, 1, 1, 1, 15), 250000m);   // 250,000 API calls at 01:15 UTC
/// </code>
/// </example>
public sealed record UsageRecord
{
    /// <summary>Initializes a usage record.</summary>
    /// <param name="item">The id of the <see cref="BillingItem"/> consumed; not empty.</param>
    /// <param name="at">The instant of the usage; it belongs to the cycle containing it (a cycle starting exactly then).</param>
    /// <param name="quantity">The quantity, in the item's usage units; not negative.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the value.</exception>
    public UsageRecord(string item, Instant at, decimal quantity)
    {
        Item = item;
        At = at;
        Quantity = quantity;
    }

    /// <summary>Gets the id of the <see cref="BillingItem"/> consumed; not empty.</summary>
    /// <exception cref="ArgumentException">The value set is null, empty or white space.</exception>
    public string Item
    {
        get;
        init => field = !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ArgumentException($"item: must not be empty, got \"{value}\"", nameof(value));
    }

    /// <summary>Gets the instant of the usage.</summary>
    public Instant At { get; init; }

    /// <summary>Gets the quantity, in the item's usage units; not negative.</summary>
    /// <exception cref="ArgumentException">The value set is negative.</exception>
    public decimal Quantity
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentException($"quantity: must not be negative, got \"{Invariant.Format(value)}\"", nameof(value));
    }
}
