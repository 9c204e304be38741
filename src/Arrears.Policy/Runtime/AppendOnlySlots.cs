namespace Arrears.Policy.Runtime;

/// <summary>
/// Objects addressed by an <see langword="int"/> slot and written only at the end: an owner that replaces an object often keeps its
/// slot number (a value, which the collector never scans) instead of a reference.
/// </summary>
/// <remarks>
/// <para>
/// Why: a young collection scans every card of the old heap that had a reference to a young object stored into it. Storing each
/// account's new state into its row (a struct in one old array of a million rows) marks one card per account, scattered over
/// the array; on a million accounts a pass's ten thousand such stores made each young collection pause tens of milliseconds.
/// Here the new references go one after another at the tail of a <see cref="ChunkedList{T}"/> (8 bytes each), so the same
/// stores mark the adjacent cards of 80 KB of a few chunks.
/// </para>
/// <para>
/// A replaced slot is cleared (so its object can be collected) and not reused, since reusing it would store into an old chunk
/// again. When more than half the slots are cleared, <see cref="NeedsCompaction"/> says so and the owner moves its live objects
/// to a new instance (<see cref="Add"/> each, in its own order), renumbering its slots. Not thread-safe: the owner's lock guards it.
/// </para>
/// </remarks>
/// <typeparam name="T">The objects' type.</typeparam>
internal sealed class AppendOnlySlots<T>
    where T : class
{
    private readonly ChunkedList<T?> _slots = new();
    private int _cleared;

    /// <summary>Initializes an empty instance.</summary>
    /// <param name="compactAbove">The fewest cleared slots before <see cref="NeedsCompaction"/> can say so (tests set it low).</param>
    public AppendOnlySlots(int compactAbove = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(compactAbove);
        CompactAbove = compactAbove;
    }

    /// <summary>Gets the fewest cleared slots before <see cref="NeedsCompaction"/> can say so.</summary>
    public int CompactAbove { get; }

    /// <summary>Gets the number of slots handed out, cleared ones included.</summary>
    public int Count => _slots.Count;

    /// <summary>Gets the number of slots that hold an object.</summary>
    public int Live => Count - _cleared;

    /// <summary>Gets whether more than half the slots (and more than the threshold given) are cleared.</summary>
    public bool NeedsCompaction => _cleared > CompactAbove && _cleared > Count / 2;

    /// <summary>Gets the object in a slot.</summary>
    /// <param name="slot">A slot returned by <see cref="Add"/> and not cleared since.</param>
    public T this[int slot] => _slots[slot]!;

    /// <summary>Stores an object in a new slot at the end.</summary>
    /// <param name="value">The object.</param>
    /// <returns>Its slot.</returns>
    public int Add(T value) => _slots.Add(value);

    /// <summary>Stores <paramref name="value"/> in place of the object in <paramref name="slot"/>: at the end, clearing the old slot.</summary>
    /// <param name="slot">The slot to clear.</param>
    /// <param name="value">The new object.</param>
    /// <returns>The new object's slot (the same one when <paramref name="value"/> is the object already there).</returns>
    public int Replace(int slot, T value)
    {
        if (ReferenceEquals(_slots[slot], value))
        {
            return slot;
        }

        Clear(slot);
        return Add(value);
    }

    /// <summary>Clears a slot, so its object can be collected; the slot is not handed out again.</summary>
    /// <param name="slot">A slot returned by <see cref="Add"/> and not cleared since.</param>
    public void Clear(int slot)
    {
        // Storing null marks no card: the write barrier only records references into the young generation.
        _slots[slot] = null;
        _cleared++;
    }
}
