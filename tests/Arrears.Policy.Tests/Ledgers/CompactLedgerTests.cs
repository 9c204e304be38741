using NodaTime;

namespace Arrears.Policy.Tests.Ledgers;

using Ledger = Arrears.Policy.Ledger;

/// <summary>
/// The compact ledger (the in-memory store's layout) must answer every question exactly as <see cref="Ledger"/> does:
/// the same entries in the same order, the same balances with the same decimal scale, the same errors; and a snapshot
/// must never change after it was taken, whatever is appended later.
/// </summary>
public sealed class CompactLedgerTests
{
    private static readonly Currency Cny = Currency.FromCode("CNY");
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30) + Duration.FromNanoseconds(123_456_789);

    [Fact]
    public void Append_RandomBatchesInAnyOrder_AnswersExactlyAsLedger()
    {
        var random = new Random(12);
        for (var run = 0; run < 400; run++)
        {
            var opening = random.Next(3) switch { 0 => 0m, 1 => 100m, _ => 12.5m };
            var ledger = new Ledger(Cny, opening);
            var compact = CompactLedger.Empty(Cny, opening);
            var snapshots = new List<(CompactLedger Snapshot, LedgerEntry[] Entries)>();
            var next = 0;
            for (var batch = random.Next(1, 6); batch > 0; batch--)
            {
                var entries = Enumerable.Range(0, random.Next(0, 12)).Select(_ => RandomEntry(random, ref next)).ToList();
                if (ledger.Count > 0 && random.Next(4) == 0)
                {
                    entries.Add(RandomEntryLike(ledger.Entries[random.Next(ledger.Count)]));
                }

                var expected = ledger.Append(entries);
                compact = compact.Append(entries, out var actual)!;
                Assert.NotNull(compact);
                Assert.Equal(expected, actual);
                snapshots.Add((compact, [.. ledger.Entries]));
                AssertSame(ledger, compact, random);
            }

            foreach (var (snapshot, entries) in snapshots)
            {
                var then = new Ledger(Cny, opening);
                then.Append(entries);
                AssertSame(then, snapshot, random);
            }
        }
    }

    // A batch's own ids are searched one by one for the first eight entries and in a dictionary after: a repeat must be
    // found on either side of that threshold, and across it.
    [Theory]
    [InlineData(0, 1, 2)]
    [InlineData(2, 7, 9)]
    [InlineData(3, 8, 20)]
    [InlineData(7, 9, 20)]
    [InlineData(8, 12, 20)]
    [InlineData(9, 10, 20)]
    [InlineData(0, 19, 20)]
    public void Append_AnIdRepeatedInTheBatch_IsAReplayOrAConflictAsInLedger(int first, int repeat, int size)
    {
        List<LedgerEntry> entries = [.. Enumerable.Range(0, size).Select(i => new LedgerEntry($"c{i}", LedgerEntryKind.Charge, T0 + Duration.FromMinutes(i % 3), 1m + i))];
        entries.Insert(repeat, entries[first]);
        var ledger = new Ledger(Cny, 10m);
        var compact = CompactLedger.Empty(Cny, 10m).Append(entries, out var actual)!;

        Assert.Equal(ledger.Append(entries), actual);
        Assert.Equal(new AppendResult(size, 1), actual);
        AssertSame(ledger, compact, new Random(first));

        entries[repeat] = new LedgerEntry(entries[first].Id, LedgerEntryKind.Charge, entries[first].At, 99m);
        var expected = Assert.Throws<ArgumentException>(() => new Ledger(Cny, 10m).Append(entries));
        var thrown = Assert.Throws<ArgumentException>(() => CompactLedger.Empty(Cny, 10m).Append(entries, out _));
        Assert.Equal(expected.Message, thrown.Message);
        Assert.Contains($"entries[{repeat}].id", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_AnIdWithOtherContent_ThrowsTheLedgersMessageAndAppliesNothing()
    {
        var ledger = new Ledger(Cny);
        var compact = CompactLedger.Empty(Cny, 0m);
        LedgerEntry[] first = [new("c1", LedgerEntryKind.Charge, T0, 25m, product: "apigw")];
        ledger.Append(first);
        compact = compact.Append(first, out _)!;
        LedgerEntry[] conflicting = [new("c2", LedgerEntryKind.Charge, T0, 1m), new("c1", LedgerEntryKind.Charge, T0, 26m)];

        var expected = Assert.Throws<ArgumentException>(() => ledger.Append(conflicting));
        var actual = Assert.Throws<ArgumentException>(() => compact.Append(conflicting, out _));

        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(["c1"], compact.ToEntries().Select(e => e.Id));
    }

    [Fact]
    public void Append_TooManyDecimalPlaces_ThrowsTheLedgersMessage()
    {
        LedgerEntry[] entries = [new("c1", LedgerEntryKind.Charge, T0, 1.234m)];

        var expected = Assert.Throws<ArgumentException>(() => new Ledger(Cny).Append(entries));
        var actual = Assert.Throws<ArgumentException>(() => CompactLedger.Empty(Cny, 0m).Append(entries, out _));

        Assert.Equal(expected.Message, actual.Message);
    }

    [Theory]
    [InlineData(2300)]
    [InlineData(1600)]
    public void Append_AnInstantOutsideTheLayout_ReturnsNull(int year)
    {
        var compact = CompactLedger.Empty(Cny, 0m);

        Assert.Null(compact.Append([new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(year, 1, 1, 0, 0), 1m)], out _));
    }

    [Fact]
    public void Append_ABalanceBeyondFiftyEightBits_ReturnsNull()
    {
        var compact = CompactLedger.Empty(Cny, 0m);

        Assert.Null(compact.Append([new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 1_000_000_000_000_000_000m)], out _));
        Assert.NotNull(compact.Append([new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 100_000_000_000_000_000m)], out _));
    }

    [Fact]
    public void Append_InTimeOrderAfterASnapshot_LeavesTheSnapshotAsItWasAndSharesItsArrays()
    {
        var first = CompactLedger.Empty(Cny, 0m).Append([Charge("c1", T0, 1m), Charge("c2", T0 + Duration.FromHours(1), 1m)], out _)!;
        var second = first.Append([Charge("c3", T0 + Duration.FromHours(2), 1m)], out _)!;
        var third = second.Append([Charge("c4", T0 + Duration.FromHours(3), 1m)], out _)!;

        // An append to an older snapshot must not write over what a newer one holds.
        var branch = second.Append([Charge("x4", T0 + Duration.FromHours(3), 5m)], out _)!;

        Assert.Equal(["c1", "c2"], first.ToEntries().Select(e => e.Id));
        Assert.Equal(["c1", "c2", "c3", "c4"], third.ToEntries().Select(e => e.Id));
        Assert.Equal(-4m, third.BalanceAt(T0 + Duration.FromDays(1)));
        Assert.Equal(["c1", "c2", "c3", "x4"], branch.ToEntries().Select(e => e.Id));
        Assert.Equal(-8m, branch.BalanceAt(T0 + Duration.FromDays(1)));
        Assert.Equal(-2m, first.BalanceAt(T0 + Duration.FromDays(1)));
    }

    [Fact]
    public void Strings_NonAsciiAndLoneSurrogates_RoundTrip()
    {
        var entry = new LedgerEntry("付款-\ud800-1", LedgerEntryKind.Refund, T0, 3.5m, product: "产品", billingItem: new string('x', 300), externalReference: "ref\udfff");
        var compact = CompactLedger.Empty(Cny, 10m).Append([entry], out _)!;

        var read = Assert.Single(compact.ToEntries());
        Assert.Equal(entry, read);
        Assert.True(compact.TryGetEntry("付款-\ud800-1", out var found));
        Assert.Equal(entry, found);
        Assert.False(compact.Contains("付款-\ud800-2"));
    }

    [Fact]
    public void BalanceAt_InstantsFarOutsideTheLayout_AreBeforeOrAfterEveryEntry()
    {
        var compact = CompactLedger.Empty(Cny, 5m).Append([Charge("c1", T0, 1m)], out _)!;

        Assert.Equal(5m, compact.BalanceAt(Instant.MinValue));
        Assert.Equal(4m, compact.BalanceAt(Instant.MaxValue));
        Assert.False(compact.TryGetNextEntryInstant(Instant.MaxValue, out _));
        Assert.True(compact.TryGetNextEntryInstant(Instant.MinValue, out var next));
        Assert.Equal(T0, next);
    }

    private static LedgerEntry Charge(string id, Instant at, decimal amount) => new(id, LedgerEntryKind.Charge, at, amount);

    private static LedgerEntry RandomEntry(Random random, ref int next)
    {
        var kind = (LedgerEntryKind)random.Next(4);
        var at = T0 + Duration.FromMinutes(random.Next(-600, 600)) + Duration.FromNanoseconds(random.Next(3));
        var amount = random.Next(4) switch
        {
            0 => random.Next(1, 100),
            1 => random.Next(1, 10_000) / 100m,
            2 => decimal.Round(random.Next(1, 1000) / 10m, 1) * 1.00m,
            _ => (random.Next(1, 100) / 10m) * 1.0m,
        };
        var extras = random.Next(5) == 0;
        return new LedgerEntry($"e{next++}", kind, at, amount, extras ? "apigw" : null, extras && random.Next(2) == 0 ? "calls" : null, extras ? "ref-é" : null);
    }

    private static LedgerEntry RandomEntryLike(LedgerEntry entry) =>
        new(entry.Id, entry.Kind, entry.At, entry.Amount, entry.Product, entry.BillingItem, entry.ExternalReference);

    private static void AssertSame(Ledger expected, CompactLedger actual, Random random)
    {
        Assert.Equal(expected.Count, actual.Count);
        var entries = actual.ToEntries();
        Assert.Equal(expected.Entries, entries);
        for (var i = 0; i < entries.Length; i++)
        {
            // Equal decimals may differ in scale; the compact ledger keeps each amount's own.
            Assert.Equal(decimal.GetBits(expected.Entries[i].Amount), decimal.GetBits(entries[i].Amount));
            Assert.True(actual.TryGetEntry(entries[i].Id, out var found));
            Assert.Equal(expected.Entries[i], found);
        }

        Assert.Equal(expected.TryGetFirstEntryInstant(out var first), actual.TryGetFirstEntryInstant(out var actualFirst));
        Assert.Equal(first, actualFirst);
        var probes = expected.Entries.SelectMany(e => new[] { e.At - Duration.Epsilon, e.At, e.At + Duration.Epsilon })
            .Append(T0 + Duration.FromMinutes(random.Next(-700, 700)));
        foreach (var probe in probes)
        {
            Assert.Equal(decimal.GetBits(expected.BalanceAt(probe)), decimal.GetBits(actual.BalanceAt(probe)));
            Assert.Equal(expected.TryGetNextEntryInstant(probe, out var nextExpected), actual.TryGetNextEntryInstant(probe, out var nextActual));
            Assert.Equal(nextExpected, nextActual);
        }
    }
}
