using NodaTime;

namespace Arrears.Policy.Tests.Ledgers;

using Ledger = Arrears.Policy.Ledger;

public sealed class BillDetailsTests
{
    private static readonly Instant Feb1 = Instant.FromUtc(2026, 2, 1, 0, 0);
    private static readonly Instant Mar1 = Instant.FromUtc(2026, 3, 1, 0, 0);

    private static Ledger SampleLedger()
    {
        var ledger = new Ledger(Currency.FromCode("CNY"));
        ledger.Append(
        [
            new LedgerEntry("calls-1", LedgerEntryKind.Charge, Feb1, 1.50m, product: "api-gateway", billingItem: "calls"),
            new LedgerEntry("calls-2", LedgerEntryKind.Charge, Feb1 + Duration.FromHours(1), 0.30m, product: "api-gateway", billingItem: "calls"),
            new LedgerEntry("traffic-1", LedgerEntryKind.Charge, Feb1 + Duration.FromDays(3), 2.00m, product: "api-gateway", billingItem: "traffic"),
            new LedgerEntry("disk-1", LedgerEntryKind.Charge, Mar1 - Duration.Epsilon, 4.00m, product: "cvm", billingItem: "disk"),
            new LedgerEntry("manual", LedgerEntryKind.Charge, Feb1 + Duration.FromDays(10), 9.99m),
            new LedgerEntry("next-month", LedgerEntryKind.Charge, Mar1, 7.00m, product: "cvm", billingItem: "disk"),
            new LedgerEntry("before", LedgerEntryKind.Charge, Feb1 - Duration.Epsilon, 7.00m, product: "cvm", billingItem: "disk"),
            new LedgerEntry("p1", LedgerEntryKind.Payment, Feb1, 50m),
            new LedgerEntry("r1", LedgerEntryKind.Refund, Feb1, 1m, product: "cvm", billingItem: "disk"),
        ]);
        return ledger;
    }

    [Fact]
    public void BillDetails_Month_SumsChargesPerProductAndItemInsideTheHalfOpenInterval()
    {
        var lines = SampleLedger().BillDetails(new Interval(Feb1, Mar1));

        Assert.Equal(
            [
                new BillDetailLine(null, null, 1, 9.99m),
                new BillDetailLine("api-gateway", "calls", 2, 1.80m),
                new BillDetailLine("api-gateway", "traffic", 1, 2.00m),
                new BillDetailLine("cvm", "disk", 1, 4.00m),
            ],
            lines);
    }

    [Fact]
    public void BillDetails_UnboundedInterval_CoversEveryCharge()
    {
        var lines = SampleLedger().BillDetails(new Interval(null, null));

        Assert.Equal(new BillDetailLine("cvm", "disk", 3, 18.00m), lines[^1]);
        Assert.Equal(4, lines.Count);
    }

    [Fact]
    public void BillDetails_IntervalWithoutCharges_IsEmpty()
    {
        Assert.Empty(SampleLedger().BillDetails(new Interval(Mar1 + Duration.Epsilon, Mar1 + Duration.FromDays(1))));
        Assert.Empty(new Ledger(Currency.FromCode("CNY")).BillDetails(new Interval(Feb1, Mar1)));
    }
}
