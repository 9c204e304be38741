namespace Arrears.Policy.Stores.Tests;

/// <summary>
/// The in-memory store's outbox keys, kept as text in chunks with a table of positions, must answer as the dictionary of
/// strings they replace: one position per distinct key, in order, and the same text back.
/// </summary>
public sealed class OutboxKeyIndexTests
{
    [Fact]
    public void TryAdd_ManyKeysWithRepeats_AnswersAsADictionary()
    {
        var random = new Random(7);
        var index = new OutboxKeyIndex();
        var model = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>();
        for (var i = 0; i < 60_000; i++)
        {
            // A repeat of an earlier key a quarter of the time; new keys of every length, some past a whole chunk.
            var key = keys.Count > 0 && random.Next(4) == 0 ? keys[random.Next(keys.Count)] : NewKey(random, i);
            var expectedAdded = !model.ContainsKey(key);
            if (expectedAdded)
            {
                model.Add(key, model.Count);
                keys.Add(key);
            }

            var added = index.TryAdd(key, out var position);

            Assert.Equal(expectedAdded, added);
            Assert.Equal(model[key], position);
        }

        Assert.Equal(model.Count, index.Count);
        foreach (var (key, position) in model)
        {
            Assert.Equal(position, index.Find(key));
            Assert.Equal(key, index.KeyAt(position));
        }
    }

    [Fact]
    public void Find_AKeyNeverAdded_IsMinusOne()
    {
        var index = new OutboxKeyIndex();
        index.TryAdd("acct/1/Overdue/owner/Email", out _);
        index.TryAdd("acct/1/Overdue/owner/SMS", out _);

        Assert.Equal(-1, index.Find("acct/1/Overdue/owner/Emai"));
        Assert.Equal(-1, index.Find("acct/1/Overdue/owner/Email/"));
        Assert.Equal(-1, index.Find("ACCT/1/Overdue/owner/Email"));
        Assert.Equal(-1, new OutboxKeyIndex().Find("acct/1/Overdue/owner/Email"));
        Assert.Equal(1, index.Find("acct/1/Overdue/owner/SMS"));
    }

    [Fact]
    public void TryAdd_AnEmptyKeyFirst_IsFoundAndComesBack()
    {
        var index = new OutboxKeyIndex();

        Assert.True(index.TryAdd(string.Empty, out var empty));
        Assert.True(index.TryAdd("k", out var k));

        Assert.Equal((0, 1), (empty, k));
        Assert.Equal((string.Empty, "k"), (index.KeyAt(0), index.KeyAt(1)));
        Assert.Equal(0, index.Find(string.Empty));
        Assert.False(index.TryAdd(string.Empty, out _));
    }

    [Fact]
    public void KeyAt_KeysOnChunkBoundariesAndLongerThanAChunk_ComeBackWhole()
    {
        var index = new OutboxKeyIndex();
        string[] keys =
        [
            new('a', OutboxKeyIndex.ChunkChars - 3),
            "bcde", // does not fit after the first: starts the next chunk
            new('f', OutboxKeyIndex.ChunkChars + 1), // a chunk of its own
            "g",
            new('h', OutboxKeyIndex.ChunkChars - 5), // fills the chunk "bcde" and "g" are in exactly
            string.Empty,
            "\ud800 lone surrogate, é, 中文",
        ];

        foreach (var key in keys)
        {
            Assert.True(index.TryAdd(key, out _));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(keys[i], index.KeyAt(i));
            Assert.Equal(i, index.Find(keys[i]));
            Assert.False(index.TryAdd(keys[i], out var again));
            Assert.Equal(i, again);
        }
    }

    private static string NewKey(Random random, int i) => random.Next(200) switch
    {
        0 => $"acct-{i}/" + new string('x', random.Next(OutboxKeyIndex.ChunkChars - 100, OutboxKeyIndex.ChunkChars + 100)),
        < 20 => $"acct-{i}",
        _ => $"acct-{random.Next(100_000)}/{random.Next(1, 9)}/Overdue/user{i}@example.com/{(random.Next(2) == 0 ? "Email" : "SMS")}",
    };
}
