using NodaTime;

namespace Arrears.Policy.Tests.Ledgers;

using Ledger = Arrears.Policy.Ledger;

public sealed class LedgerTests
{
    private static readonly Currency Cny = Currency.FromCode("CNY");
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30);

    [Fact]
    public void Constructor_NoOpeningBalance_StartsAtZero()
    {
        var ledger = new Ledger(Cny);

        Assert.Equal(0m, ledger.OpeningBalance);
        Assert.Equal(0m, ledger.BalanceAt(T0));
        Assert.Equal(Cny, ledger.Currency);
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void Constructor_NegativeOpeningBalance_ThrowsNamingFieldAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => new Ledger(Cny, -0.01m));

        Assert.StartsWith("openingBalance: must not be negative, got \"-0.01\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OpeningBalanceFinerThanTheCurrency_ThrowsNamingFieldAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => new Ledger(Currency.FromCode("JPY"), 100.5m));

        Assert.StartsWith("openingBalance: must have at most 0 decimal places for JPY, got \"100.5\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_AmountFinerThanTheCurrency_ThrowsAndChangesNothing()
    {
        var ledger = new Ledger(Cny);
        LedgerEntry[] batch =
        [
            new("ok", LedgerEntryKind.Charge, T0, 10.000m),          // trailing zeros are fine
            new("fine", LedgerEntryKind.Payment, T0, 0.001m),        // a tenth of a fen is not
        ];

        var error = Assert.Throws<ArgumentException>(() => ledger.Append(batch));

        Assert.StartsWith("entries[1].amount: must have at most 2 decimal places for CNY, got \"0.001\" (entry \"fine\")", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, ledger.Count);
        ledger.Append(batch[0]);
        Assert.Equal(-10m, ledger.BalanceAt(T0));
    }

    [Fact]
    public void Constructor_DefaultCurrency_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new Ledger(default));

        Assert.StartsWith("currency:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LedgerEntryKind.Charge, -25)]
    [InlineData(LedgerEntryKind.Refund, -25)]
    [InlineData(LedgerEntryKind.Payment, 25)]
    [InlineData(LedgerEntryKind.Credit, 25)]
    public void BalanceAt_EntryKind_GivesTheSign(LedgerEntryKind kind, int expected)
    {
        var ledger = new Ledger(Cny, 10m);
        ledger.Append(new LedgerEntry("e1", kind, T0, 25m));

        Assert.Equal(10m + expected, ledger.BalanceAt(T0));
    }

    [Fact]
    public void BalanceAt_EntryInstant_CountsFromItsInstantInclusive()
    {
        var ledger = new Ledger(Cny);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m));

        Assert.Equal(0m, ledger.BalanceAt(T0 - Duration.Epsilon));
        Assert.Equal(-25m, ledger.BalanceAt(T0));
        Assert.Equal(-25m, ledger.BalanceAt(T0 + Duration.FromDays(1000)));
    }

    [Fact]
    public void Append_BackdatedEntry_CountsByItsInstantNotArrival()
    {
        var ledger = new Ledger(Cny);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0 + Duration.FromHours(2), 25m));
        ledger.Append(new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 20m));

        Assert.Equal(20m, ledger.BalanceAt(T0 + Duration.FromHours(1)));
        Assert.Equal(-5m, ledger.BalanceAt(T0 + Duration.FromHours(2)));
        Assert.Equal(["p1", "c1"], ledger.Entries.Select(entry => entry.Id));
    }

    [Fact]
    public void Append_SameEntryAgain_IsANoOp()
    {
        var ledger = new Ledger(Cny);
        var entry = new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m, product: "api-gateway");
        Assert.Equal(new AppendResult(1, 0), ledger.Append(entry));

        var again = ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m, product: "api-gateway"));

        Assert.Equal(new AppendResult(0, 1), again);
        Assert.Equal(1, ledger.Count);
        Assert.Equal(-25m, ledger.BalanceAt(T0));
    }

    [Fact]
    public void Append_SameIdDifferentContent_ThrowsNamingIdAndChangesNothing()
    {
        var ledger = new Ledger(Cny);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m));

        var error = Assert.Throws<ArgumentException>(() => ledger.Append(
        [
            new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 100m),
            new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 26m),
        ]));

        Assert.StartsWith("entries[1].id: an entry with id \"c1\" already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, ledger.Count);
        Assert.False(ledger.TryGetEntry("p1", out _));
        Assert.Equal(-25m, ledger.BalanceAt(T0));
    }

    [Fact]
    public void Append_DuplicateIdWithinBatch_ThrowsAndChangesNothing()
    {
        var ledger = new Ledger(Cny);

        Assert.Throws<ArgumentException>(() => ledger.Append(
        [
            new LedgerEntry("x", LedgerEntryKind.Payment, T0, 1m),
            new LedgerEntry("x", LedgerEntryKind.Payment, T0, 2m),
        ]));

        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void Append_ExternalReferenceDiffers_IsDifferentContent()
    {
        var ledger = new Ledger(Cny);
        ledger.Append(new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 5m, externalReference: "bank-1"));

        Assert.Throws<ArgumentException>(() => ledger.Append(new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 5m, externalReference: "bank-2")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void LedgerEntry_NonPositiveAmount_ThrowsNamingFieldAndValue(string amount)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new LedgerEntry("c1", LedgerEntryKind.Charge, T0, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.StartsWith($"amount: must be positive, got \"{amount}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LedgerEntry_EmptyId_ThrowsNamingField()
    {
        var error = Assert.Throws<ArgumentException>(() => new LedgerEntry(" ", LedgerEntryKind.Charge, T0, 1m));

        Assert.StartsWith("id: must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LedgerEntry_UndefinedKind_ThrowsNamingValue()
    {
        var error = Assert.Throws<ArgumentException>(() => new LedgerEntry("x", (LedgerEntryKind)9, T0, 1m));

        Assert.StartsWith("kind: unknown entry kind, got \"9\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "-0.01", true)]
    [InlineData("0", "0", false)]
    [InlineData("5", "-5", false)]
    [InlineData("5", "-5.01", true)]
    [InlineData("5", "3", false)]
    public void IsInArrearsAt_Tolerance_IsStrictlyBelowMinusTolerance(string tolerance, string balance, bool expected)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var ledger = new Ledger(Cny, 10m);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 10m - decimal.Parse(balance, invariant)));

        Assert.Equal(decimal.Parse(balance, invariant), ledger.BalanceAt(T0));
        Assert.Equal(expected, ledger.IsInArrearsAt(T0, decimal.Parse(tolerance, invariant)));
        Assert.False(ledger.IsInArrearsAt(T0 - Duration.Epsilon, decimal.Parse(tolerance, invariant)));
    }

    [Fact]
    public void TryGetNextEntryInstant_AfterAnInstant_FindsTheStrictlyLaterEntry()
    {
        var ledger = new Ledger(Cny);
        ledger.Append([
            new LedgerEntry("a", LedgerEntryKind.Payment, T0, 1m),
            new LedgerEntry("b", LedgerEntryKind.Payment, T0 + Duration.FromHours(1), 1m),
        ]);

        Assert.True(ledger.TryGetNextEntryInstant(T0 - Duration.Epsilon, out var first));
        Assert.Equal(T0, first);
        Assert.True(ledger.TryGetNextEntryInstant(T0, out var second));
        Assert.Equal(T0 + Duration.FromHours(1), second);
        Assert.False(ledger.TryGetNextEntryInstant(T0 + Duration.FromHours(1), out _));
    }

    [Fact]
    public void BalanceSteps_EntriesSharingAnInstant_YieldOneStepWithTheNetBalance()
    {
        var ledger = new Ledger(Cny, 1m);
        ledger.Append([
            new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 5m),
            new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 3m),
            new LedgerEntry("c2", LedgerEntryKind.Charge, T0 + Duration.FromHours(1), 2m),
        ]);

        Assert.Equal(
            [new BalanceStep(T0, -1m), new BalanceStep(T0 + Duration.FromHours(1), -3m)],
            ledger.BalanceSteps());
    }

    [Fact]
    public void BalanceAt_ManyEntries_AllocatesNothing()
    {
        var ledger = new Ledger(Cny);
        ledger.Append(Enumerable.Range(0, 1000).Select(i =>
            new LedgerEntry($"e{i}", i % 2 == 0 ? LedgerEntryKind.Charge : LedgerEntryKind.Payment, T0 + Duration.FromMinutes(i), 1m)));
        _ = ledger.BalanceAt(T0);

        var total = 0m;
        var allocated = Allocations.Fewest(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                total += ledger.BalanceAt(T0 + Duration.FromSeconds(i * 37));
            }
        });
        Assert.Equal(0, allocated);
        Assert.NotEqual(0m, total);
    }
}
