using NodaTime;

namespace Arrears.Policy.Tests;

/// <summary>
/// Copies of input values with some values changed, for tests. The library's input types have no <c>with</c>: every copy
/// goes through the public constructor, so it is validated like any other value.
/// </summary>
internal static class Copies
{
    public static BillingItem Copy(
        this BillingItem item,
        string? id = null,
        decimal? unit = null,
        decimal? unitPrice = null,
        BillingCycle? cycle = null,
        Duration? settlementDelay = null,
        string? product = null,
        IReadOnlyList<PriceTier>? tiers = null) =>
        new(
            id ?? item.Id,
            unit ?? item.Unit,
            unitPrice ?? item.UnitPrice,
            cycle ?? item.Cycle,
            settlementDelay ?? item.SettlementDelay,
            product ?? item.Product,
            tiers ?? item.Tiers);

    public static UsageRecord Copy(this UsageRecord record, decimal quantity) => new(record.Item, record.At, quantity);

    public static Scenario Copy(this Scenario scenario, IReadOnlyList<UsageRecord> usage) =>
        new(
            scenario.Policy,
            scenario.Account,
            scenario.Currency,
            scenario.Until,
            scenario.OpeningBalance,
            scenario.TimeZone,
            scenario.Items,
            scenario.Entries,
            usage);
}
