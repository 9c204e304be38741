namespace Arrears.Policy;

/// <summary>One line of the "Bill Details" view: the charges of one product and billing item over an interval.</summary>
/// <param name="Product">The product, or <see langword="null"/> for charges without a product.</param>
/// <param name="BillingItem">The billing item, or <see langword="null"/> for charges not rated from usage.</param>
/// <param name="ChargeCount">How many charges the line sums (at least 1).</param>
/// <param name="Amount">The sum of the charges' amounts (positive, in the ledger's currency, unrounded).</param>
/// <example>
/// <code>
/// var january = new Interval(Instant.FromUtc(2026, 1, 1, 0, 0), Instant.FromUtc(2026, 2, 1, 0, 0));
/// foreach (var line in ledger.BillDetails(january))
/// {
///     Console.WriteLine($"{line.Product ?? "-"} {line.BillingItem ?? "-"}: {line.ChargeCount} charges, {line.Amount}");
/// }
/// </code>
/// </example>
public sealed record BillDetailLine(string? Product, string? BillingItem, int ChargeCount, decimal Amount);
