using System.Runtime.CompilerServices;

namespace Arrears.Policy.Runtime;

/// <summary>
/// Values appended one after another into chunks of under 64 KiB, addressed by index and changed in place: growing never copies
/// what is there, and no chunk is large enough for the large object heap, so a new chunk starts young like any small object.
/// </summary>
/// <remarks>
/// The in-memory store keeps its outbox in one (a row of values per message rather than objects, so a message costs the
/// collector its key alone), its audit trail, and under <see cref="AppendOnlySlots{T}"/> its replaceable objects. Not
/// thread-safe: the owner's lock guards it.
/// </remarks>
/// <typeparam name="T">The values' type.</typeparam>
internal sealed class ChunkedList<T>
{
    private static readonly int ChunkBits = BitsFor(Unsafe.SizeOf<T>());
    private static readonly int ChunkMask = (1 << ChunkBits) - 1;

    private T[][] _chunks = new T[4][];

    /// <summary>Gets the number of values.</summary>
    public int Count { get; private set; }

    /// <summary>Gets a value, to read or change in place.</summary>
    /// <param name="index">An index below <see cref="Count"/>.</param>
    public ref T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return ref _chunks[index >> ChunkBits][index & ChunkMask];
        }
    }

    /// <summary>Appends a value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Its index.</returns>
    public int Add(in T value)
    {
        var index = Count;
        var chunk = index >> ChunkBits;
        if (chunk == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        (_chunks[chunk] ??= new T[1 << ChunkBits])[index & ChunkMask] = value;
        Count++;
        return index;
    }

    /// <summary>The most bits of index a chunk can take while its array stays under 64 KiB (at least 4).</summary>
    private static int BitsFor(int size)
    {
        var bits = 4;
        while ((2L << bits) * size < 65_536)
        {
            bits++;
        }

        return bits;
    }
}
