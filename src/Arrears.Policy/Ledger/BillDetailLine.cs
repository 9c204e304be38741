namespace Arrears.Policy;

/// <summary>One line of the "Bill Details" view: the charges of one product and billing item over an interval.</summary>
/// <remarks>Only <see cref="Ledger.BillDetails"/> creates lines; two lines are equal when every property is (strings ordinal).</remarks>
/// <example>
/// <code>
/// var january = new Interval(Instant.FromUtc(2026, 1, 1, 0, 0), Instant.FromUtc(2026, 2, 1, 0, 0));
/// foreach (var line in ledger.BillDetails(january))
/// {
///     Console.WriteLine($"{line.Product ?? "-"} {line.BillingItem ?? "-"}: {line.ChargeCount} charges, {line.Amount}");
/// }
/// </code>
/// </example>
public sealed class BillDetailLine : IEquatable<BillDetailLine>
{
    internal BillDetailLine(string? product, string? billingItem, int chargeCount, decimal amount)
    {
        Product = product;
        BillingItem = billingItem;
        ChargeCount = chargeCount;
        Amount = amount;
    }

    /// <summary>Gets the product, or <see langword="null"/> for charges without a product.</summary>
    public string? Product { get; }

    /// <summary>Gets the billing item, or <see langword="null"/> for charges not rated from usage.</summary>
    public string? BillingItem { get; }

    /// <summary>Gets how many charges the line sums (at least 1).</summary>
    public int ChargeCount { get; }

    /// <summary>Gets the sum of the charges' amounts (positive, in the ledger's currency, unrounded).</summary>
    public decimal Amount { get; }

    /// <inheritdoc />
    public bool Equals(BillDetailLine? other) =>
        other is not null
        && string.Equals(Product, other.Product, StringComparison.Ordinal)
        && string.Equals(BillingItem, other.BillingItem, StringComparison.Ordinal)
        && ChargeCount == other.ChargeCount
        && Amount == other.Amount;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BillDetailLine);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Product is null ? 0 : StringComparer.Ordinal.GetHashCode(Product), BillingItem is null ? 0 : StringComparer.Ordinal.GetHashCode(BillingItem), ChargeCount, Amount);

    /// <summary>Returns the line in one line of text, for example <c>api-gateway calls: 2 charges, 1.80</c> (<c>-</c> for a missing product or item).</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Product ?? "-"} {BillingItem ?? "-"}: {ChargeCount} charges, {Invariant.Format(Amount)}";
}
