namespace Arrears.Policy.Runtime;

/// <summary>
/// The in-memory store's outbox keys, one per position, kept as text in chunks of characters and found through an
/// open-addressing table of positions: a key costs the collector no object of its own.
/// </summary>
/// <remarks>
/// <para>
/// Why: every message a bulk pass writes has a key of its own (about 45 characters), kept for as long as the outbox. As
/// <see cref="string"/>s in a dictionary they were most of the objects each young collection promoted, one by one, about a
/// hundred bytes each; here a pass's keys go into a few arrays of characters, which hold no references, and the table and
/// the keys' places are arrays of integers.
/// </para>
/// <para>
/// Positions are handed out in order from 0, as the outbox's rows are. Hash codes are
/// <see cref="string.GetHashCode(ReadOnlySpan{char}, StringComparison)"/>'s (ordinal, randomized per process), so a
/// chosen set of keys cannot make the table probe long. Not thread-safe: the owner's lock guards it.
/// </para>
/// </remarks>
internal sealed class OutboxKeyIndex
{
    /// <summary>Characters per chunk: 80,000 bytes, under the large object heap's threshold, so a chunk starts young.</summary>
    internal const int ChunkChars = 40_000;

    private readonly ChunkedList<KeyPlace> _places = new();
    private readonly List<char[]> _chunks = [];
    private char[] _current = [];
    private int _currentChunk = -1;
    private int _used;

    // Each slot holds a key's hash code (high 32 bits) and its position + 1 (low 32 bits), 0 when empty: a probe compares
    // hash codes in the table itself and reads a key's text only when they match. At most half full, so a probe soon meets
    // an empty slot.
    private long[] _table = new long[16];

    /// <summary>Gets the number of keys.</summary>
    public int Count => _places.Count;

    /// <summary>Returns the position of <paramref name="key"/>, or -1 when it is not there.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The position, or -1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null (as a span it would find the empty key).</exception>
    public int Find(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slot = Probe(key, string.GetHashCode(key.AsSpan(), StringComparison.Ordinal));
        return PositionIn(_table[slot]);
    }

    /// <summary>
    /// Adds <paramref name="key"/> at the next position, unless it is there already: returns <see langword="true"/> and the
    /// new position (<see cref="Count"/> before the call) when added, <see langword="false"/> and the existing position when not.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="position">The key's position.</param>
    /// <returns>Whether the key was added.</returns>
    public bool TryAdd(string key, out int position)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = string.GetHashCode(key.AsSpan(), StringComparison.Ordinal);
        var slot = Probe(key, hash);
        if (_table[slot] != 0)
        {
            position = PositionIn(_table[slot]);
            return false;
        }

        position = _places.Add(new KeyPlace(Store(key), key.Length));
        _table[slot] = ((long)hash << 32) | (uint)(position + 1);
        if (2L * Count > _table.Length)
        {
            Grow();
        }

        return true;
    }

    /// <summary>Returns the key at a position, as a new string.</summary>
    /// <param name="position">A position below <see cref="Count"/>.</param>
    /// <returns>The key.</returns>
    public string KeyAt(int position) => new(Text(in _places[position]));

    /// <summary>The slot holding the key, or the empty slot where it would go.</summary>
    private int Probe(ReadOnlySpan<char> key, int hash)
    {
        var mask = _table.Length - 1;
        var slot = hash & mask;
        while (_table[slot] is var entry && entry != 0)
        {
            if ((int)(entry >> 32) == hash && Text(in _places[PositionIn(entry)]).SequenceEqual(key))
            {
                return slot;
            }

            slot = (slot + 1) & mask;
        }

        return slot;
    }

    /// <summary>The position in a full slot (-1 in an empty one).</summary>
    private static int PositionIn(long entry) => (int)(uint)entry - 1;

    /// <summary>Doubles the table and places every entry again by its hash code (kept in the entry, so no key is read).</summary>
    private void Grow()
    {
        var table = new long[_table.Length * 2];
        var mask = table.Length - 1;
        foreach (var entry in _table)
        {
            if (entry == 0)
            {
                continue;
            }

            var slot = (int)(entry >> 32) & mask;
            while (table[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            table[slot] = entry;
        }

        _table = table;
    }

    /// <summary>Copies a key's text to the end of the current chunk (a new one when it does not fit), and returns where it is.</summary>
    private long Store(string key)
    {
        if (key.Length == 0)
        {
            return 0;
        }

        if (key.Length > ChunkChars)
        {
            // A key longer than a chunk gets a chunk of its own; the current chunk goes on filling.
            _chunks.Add(key.ToCharArray());
            return (long)(_chunks.Count - 1) << 32;
        }

        if (_current.Length - _used < key.Length)
        {
            _current = new char[ChunkChars];
            _chunks.Add(_current);
            _currentChunk = _chunks.Count - 1;
            _used = 0;
        }

        key.CopyTo(_current.AsSpan(_used));
        var at = ((long)_currentChunk << 32) | (uint)_used;
        _used += key.Length;
        return at;
    }

    // An empty key has no chunk (it may come before the first one).
    private ReadOnlySpan<char> Text(in KeyPlace place) =>
        place.Length == 0 ? [] : _chunks[(int)(place.At >> 32)].AsSpan((int)(uint)place.At, place.Length);

    /// <summary>Where a key's text is (its chunk in the high 32 bits, its offset in the low), and its length.</summary>
    private readonly record struct KeyPlace(long At, int Length);
}
