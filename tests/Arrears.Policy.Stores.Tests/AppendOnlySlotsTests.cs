namespace Arrears.Policy.Stores.Tests;

/// <summary>The in-memory store's append-only slots: new objects at the end, replaced slots cleared, compaction when half are.</summary>
public sealed class AppendOnlySlotsTests
{
    [Fact]
    public void Add_PastSeveralChunks_KeepsEveryObjectAtItsSlot()
    {
        var slots = new AppendOnlySlots<string>();
        var values = Enumerable.Range(0, 30_000).Select(i => $"v{i}").ToArray();

        var numbers = values.Select(slots.Add).ToArray();

        Assert.Equal(Enumerable.Range(0, values.Length), numbers);
        Assert.All(numbers, slot => Assert.Same(values[slot], slots[slot]));
        Assert.Equal((30_000, 30_000), (slots.Count, slots.Live));
    }

    [Fact]
    public void Replace_AnotherObject_AppendsItAndClearsTheOldSlot()
    {
        var slots = new AppendOnlySlots<string>(compactAbove: 0);
        var a = slots.Add("a");
        var b = slots.Add("b");

        var moved = slots.Replace(a, "a2");

        Assert.Equal(2, moved);
        Assert.Equal("a2", slots[moved]);
        Assert.Equal("b", slots[b]);
        Assert.Equal((3, 2), (slots.Count, slots.Live));
        Assert.False(slots.NeedsCompaction);
    }

    [Fact]
    public void Replace_TheSameObject_KeepsItsSlot()
    {
        var slots = new AppendOnlySlots<string>(compactAbove: 0);
        var value = "a";
        var slot = slots.Add(value);

        Assert.Equal(slot, slots.Replace(slot, value));
        Assert.Equal((1, 1), (slots.Count, slots.Live));
    }

    [Fact]
    public void NeedsCompaction_MoreThanHalfClearedAndAboveTheThreshold_SaysSo()
    {
        var slots = new AppendOnlySlots<string>(compactAbove: 2);
        var slot = slots.Add("x");
        slots.Add("y");

        slot = slots.Replace(slot, "x1");
        slot = slots.Replace(slot, "x2");
        Assert.False(slots.NeedsCompaction); // 2 cleared of 4: not more than half, and not above the threshold

        slots.Replace(slot, "x3");
        Assert.True(slots.NeedsCompaction); // 3 cleared of 5
        slots.Clear(1);
        Assert.Equal((5, 1), (slots.Count, slots.Live));
    }

    [Fact]
    public void Constructor_ANegativeThreshold_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AppendOnlySlots<string>(-1));

        Assert.Equal("compactAbove", error.ParamName);
    }

    [Fact]
    public async Task InMemoryStore_ManyCommitsThatCompact_KeepEachAccountsLedgerAndState()
    {
        var store = new InMemoryArrearsStore(compactAbove: 4);
        var t0 = Instant.FromUtc(2026, 2, 1, 8, 30);
        for (var i = 0; i < 10; i++)
        {
            await store.AddAccountAsync(new AccountRegistration(new AccountProfile($"a{i}", "owner"), "p", Currency.FromCode("CNY"), DateTimeZone.Utc, 0m), t0, default);
        }

        for (var round = 1; round <= 20; round++)
        {
            var now = t0 + Duration.FromHours(round);
            for (var i = 0; i < 10; i++)
            {
                await store.AppendEntriesAsync($"a{i}", [new LedgerEntry($"c{round}", LedgerEntryKind.Charge, now, i + 1)], now, default);
            }

            foreach (var account in await store.ClaimDueAsync(now, 100, Duration.FromMinutes(5), default))
            {
                // Each round a new lifecycle array (Overdue since this round), so every commit replaces the account's slot.
                var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Overdue, round, now, now + Duration.FromDays(1), null)], round % 2 == 0, now);
                Assert.True(await store.CommitAsync(new EvaluationCommit(account.Registration.Id, account.Version, state, now, [], [], [], null, null), default));
            }
        }

        var end = t0 + Duration.FromHours(20);
        for (var i = 0; i < 10; i++)
        {
            var found = (await store.FindAccountAsync($"a{i}", default))!;
            Assert.Equal(-20m * (i + 1), found.Ledger.BalanceAt(end));
            Assert.Equal(20, found.Ledger.Entries.Count);
            Assert.Equal(new AccountState([new ProductLifecycle(null, LifecycleStatus.Overdue, 20, end, end + Duration.FromDays(1), null)], true, end), found.State);
        }
    }
}

/// <summary>The in-memory store's chunked list of values (its outbox rows).</summary>
public sealed class ChunkedListTests
{
    [Fact]
    public void Add_PastSeveralChunks_KeepsEveryValueAtItsIndexAndChangesInPlace()
    {
        var list = new ChunkedList<(long A, decimal B, string C)>();

        for (var i = 0; i < 5_000; i++)
        {
            Assert.Equal(i, list.Add((i, i / 100m, $"c{i}")));
        }

        list[4_321].B = -1m;

        Assert.Equal(5_000, list.Count);
        Assert.Equal((4_321L, -1m, "c4321"), list[4_321]);
        Assert.All(Enumerable.Range(0, 5_000).Where(i => i != 4_321), i => Assert.Equal((i, i / 100m, $"c{i}"), list[i]));
    }

    [Fact]
    public void Indexer_AtOrPastTheCount_ThrowsNamingTheIndex()
    {
        var list = new ChunkedList<int>();
        list.Add(7);

        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => list[1]).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => list[-1]).ParamName);
    }
}
