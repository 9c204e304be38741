using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// An immutable snapshot of one account's ledger in a compact layout: the instants (nanoseconds since the Unix epoch) and
/// the running balances (packed decimals) in one contiguous <see cref="long"/> array, and the rest of each entry (id, kind,
/// the amount's scale, product, billing item, external reference) as bytes in a second array. It answers the engine's
/// questions exactly as a <see cref="Ledger"/> with the same entries does (the same values with the same decimal scale).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Append"/> returns a new snapshot and never changes this one. Appending in time order writes past the end of
/// this snapshot's entries into the same arrays (when there is room and this snapshot is the newest over them), which no
/// reader of this snapshot looks at; anything else (a backdated entry, a full array) copies. So a snapshot can be handed
/// to another thread and read without a lock while its owner keeps appending, as long as appends are serialized.
/// </para>
/// <para>
/// What does not fit the layout (an instant more than about 292 years from 1970, a balance whose digits need more than 58
/// bits) makes <see cref="Append"/> return <see langword="null"/>: the caller keeps a <see cref="Ledger"/> instead.
/// </para>
/// </remarks>
internal sealed class CompactLedger : IBalanceHistory
{
    private const long NanosecondsPerDay = NodaConstants.NanosecondsPerDay;
    private const int MaxDays = 106_750;
    private const int MinDays = -106_750;
    private const ulong MaxMantissa = (1UL << 58) - 1;
    private const int HasExtras = 0x80;

    // _data[0]: how many entries (low 32 bits) and record bytes (high 32 bits) the newest snapshot over these arrays holds.
    // _data[1 .. 1 + capacity): instants; _data[1 + capacity .. 1 + 2 * capacity): packed running balances.
    private readonly long[] _data;
    private readonly byte[] _records;
    private readonly int _count;
    private readonly int _recordsLength;

    private CompactLedger(Currency currency, decimal openingBalance, long[] data, byte[] records, int count, int recordsLength)
    {
        Currency = currency;
        OpeningBalance = openingBalance;
        _data = data;
        _records = records;
        _count = count;
        _recordsLength = recordsLength;
    }

    /// <summary>Gets the account's currency.</summary>
    public Currency Currency { get; }

    /// <inheritdoc />
    public decimal OpeningBalance { get; }

    /// <summary>Gets the number of entries.</summary>
    public int Count => _count;

    private int Capacity => (_data.Length - 1) / 2;

    /// <summary>Returns an empty ledger (the currency and opening balance are checked by the caller, as <see cref="Ledger"/> checks them).</summary>
    public static CompactLedger Empty(Currency currency, decimal openingBalance) => new(currency, openingBalance, [0L], [], 0, 0);

    /// <summary>Returns the managed bytes this snapshot's arrays take (for footprint reports).</summary>
    internal long ArrayBytes => (24 + (8L * _data.Length)) + (24 + _records.Length);

    /// <inheritdoc />
    public decimal BalanceAt(Instant instant)
    {
        var index = UpperBound(ToNanoseconds(instant));
        return index == 0 ? OpeningBalance : Unpack(_data[Capacity + index]);
    }

    /// <inheritdoc />
    public bool TryGetFirstEntryInstant(out Instant first)
    {
        if (_count > 0)
        {
            first = ToInstant(_data[1]);
            return true;
        }

        first = default;
        return false;
    }

    /// <inheritdoc />
    public bool TryGetNextEntryInstant(Instant after, out Instant instant)
    {
        var index = UpperBound(ToNanoseconds(after));
        if (index < _count)
        {
            instant = ToInstant(_data[1 + index]);
            return true;
        }

        instant = default;
        return false;
    }

    /// <summary>
    /// Answers <see cref="BalanceAt"/> at <paramref name="after"/> and <see cref="TryGetNextEntryInstant"/> after it with one
    /// search (the engine's idle check asks both).
    /// </summary>
    /// <param name="after">The instant.</param>
    /// <param name="balance">The balance at <paramref name="after"/>.</param>
    /// <param name="next">The next entry instant strictly after <paramref name="after"/>, when there is one.</param>
    /// <returns>Whether there is an entry after <paramref name="after"/>.</returns>
    internal bool BalanceAtAndNextEntry(Instant after, out decimal balance, out Instant next)
    {
        var index = UpperBound(ToNanoseconds(after));
        balance = index == 0 ? OpeningBalance : Unpack(_data[Capacity + index]);
        if (index < _count)
        {
            next = ToInstant(_data[1 + index]);
            return true;
        }

        next = default;
        return false;
    }

    /// <summary>Looks up an entry by id.</summary>
    public bool TryGetEntry(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LedgerEntry? entry)
    {
        var offset = 0;
        for (var i = 0; i < _count; i++)
        {
            var start = offset;
            var meta = _records[offset++];
            if (StringEquals(_records, ref offset, id))
            {
                entry = Read(i, start);
                return true;
            }

            SkipExtras(meta, ref offset);
        }

        entry = null;
        return false;
    }

    /// <summary>Returns whether an entry with this id exists.</summary>
    public bool Contains(string id) => TryGetEntry(id, out _);

    /// <summary>Returns the entries in time order (entries at one instant in arrival order).</summary>
    public LedgerEntry[] ToEntries()
    {
        var entries = new LedgerEntry[_count];
        var offset = 0;
        for (var i = 0; i < _count; i++)
        {
            entries[i] = Read(i, offset);
            offset = SkipRecord(offset);
        }

        return entries;
    }

    /// <summary>Returns a <see cref="Ledger"/> with the same entries: the caller's own mutable copy.</summary>
    public Ledger ToLedger()
    {
        var ledger = new Ledger(Currency, OpeningBalance);
        ledger.Append(ToEntries());
        return ledger;
    }

    /// <summary>
    /// Appends a batch atomically, exactly as <see cref="Ledger.Append(IEnumerable{LedgerEntry})"/> does (the same checks,
    /// the same messages, the same order of entries at one instant), returning the new snapshot.
    /// </summary>
    /// <param name="entries">The entries.</param>
    /// <param name="result">How many entries were added and replayed.</param>
    /// <returns>The new snapshot (this one when nothing was added), or <see langword="null"/> when the entries do not fit the layout.</returns>
    /// <exception cref="ArgumentException">An entry is invalid or conflicts with an existing one; nothing is applied.</exception>
    public CompactLedger? Append(IReadOnlyList<LedgerEntry> entries, out AppendResult result)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Dictionary<string, LedgerEntry>? fresh = null;
        var toAdd = new List<LedgerEntry>(entries.Count);
        var replayed = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException($"entries[{i}]: must not be null", nameof(entries));
            if (decimal.Round(entry.Amount, Currency.MinorUnits) != entry.Amount)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"entries[{i}].amount: must have at most {Currency.MinorUnits} decimal places for {Currency.Code}, got \"{entry.Amount}\" (entry \"{entry.Id}\")"),
                    nameof(entries));
            }

            LedgerEntry? existing = null;
            if (TryGetEntry(entry.Id, out var known) || TryGetFresh(entry.Id, toAdd, fresh, out known))
            {
                existing = known;
            }

            if (existing is not null)
            {
                if (!existing.Equals(entry))
                {
                    throw new ArgumentException(
                        $"entries[{i}].id: an entry with id \"{entry.Id}\" already exists with different content ({existing}), got ({entry})",
                        nameof(entries));
                }

                replayed++;
                continue;
            }

            // A batch's own ids are searched in the list until it is long enough for a dictionary to pay (most appends are one
            // entry, and a dictionary was most of what they allocated).
            if (fresh is not null)
            {
                fresh.Add(entry.Id, entry);
            }
            else if (toAdd.Count == LinearBatchSearch)
            {
                fresh = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
                foreach (var earlier in toAdd)
                {
                    fresh.Add(earlier.Id, earlier);
                }

                fresh.Add(entry.Id, entry);
            }

            toAdd.Add(entry);
        }

        result = new AppendResult(toAdd.Count, replayed);
        if (toAdd.Count == 0)
        {
            return this;
        }

        // Entries at one instant keep their arrival order, after the entries already there (as Ledger inserts them).
        var added = new (long At, int Order, LedgerEntry Entry)[toAdd.Count];
        for (var i = 0; i < added.Length; i++)
        {
            if (!TryToNanoseconds(toAdd[i].At, out var at))
            {
                return null;
            }

            added[i] = (at, i, toAdd[i]);
        }

        Array.Sort(added, static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Order.CompareTo(b.Order));
        var firstChanged = UpperBound(added[0].At);
        return firstChanged == _count ? AppendAtEnd(added) : Merge(added, firstChanged);
    }

    /// <summary>How many entries of a batch are searched one by one for a repeated id before a dictionary is built.</summary>
    private const int LinearBatchSearch = 8;

    /// <summary>Finds an entry of the batch being appended by id: in the dictionary once there is one, else in the list.</summary>
    private static bool TryGetFresh(string id, List<LedgerEntry> toAdd, Dictionary<string, LedgerEntry>? fresh, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LedgerEntry? entry)
    {
        if (fresh is not null)
        {
            return fresh.TryGetValue(id, out entry);
        }

        foreach (var added in toAdd)
        {
            if (string.Equals(added.Id, id, StringComparison.Ordinal))
            {
                entry = added;
                return true;
            }
        }

        entry = null;
        return false;
    }

    /// <summary>Appends entries that all come at or after the last one: in place when this is the newest snapshot and there is room.</summary>
    private CompactLedger? AppendAtEnd((long At, int Order, LedgerEntry Entry)[] added)
    {
        var count = _count + added.Length;
        var recordBytes = 0;
        foreach (var (_, _, entry) in added)
        {
            recordBytes += RecordLength(entry);
        }

        var recordsLength = _recordsLength + recordBytes;
        var inPlace = _data[0] == Header(_count, _recordsLength) && count <= Capacity && recordsLength <= _records.Length;
        long[] data;
        byte[] records;
        int capacity;
        if (inPlace)
        {
            data = _data;
            records = _records;
            capacity = Capacity;
        }
        else
        {
            capacity = Grow(Capacity, count);
            data = new long[1 + (2 * capacity)];
            Array.Copy(_data, 1, data, 1, _count);
            Array.Copy(_data, 1 + Capacity, data, 1 + capacity, _count);
            records = new byte[Grow(_records.Length, recordsLength)];
            Array.Copy(_records, records, _recordsLength);
        }

        var running = _count == 0 ? OpeningBalance : Unpack(_data[Capacity + _count]);
        var offset = _recordsLength;
        for (var i = 0; i < added.Length; i++)
        {
            var entry = added[i].Entry;
            running += entry.SignedAmount;
            if (!TryPack(running, out var packed))
            {
                return null;
            }

            data[1 + _count + i] = added[i].At;
            data[1 + capacity + _count + i] = packed;
            offset = WriteRecord(records, offset, entry);
        }

        data[0] = Header(count, recordsLength);
        return new CompactLedger(Currency, OpeningBalance, data, records, count, recordsLength);
    }

    /// <summary>Inserts entries among the existing ones: always into new arrays, so no snapshot changes.</summary>
    private CompactLedger? Merge((long At, int Order, LedgerEntry Entry)[] added, int firstChanged)
    {
        var count = _count + added.Length;
        var capacity = Grow(0, count);
        var data = new long[1 + (2 * capacity)];
        var existing = ToEntries();
        var recordBytes = _recordsLength;
        foreach (var (_, _, entry) in added)
        {
            recordBytes += RecordLength(entry);
        }

        var records = new byte[recordBytes];
        Array.Copy(_data, 1, data, 1, firstChanged);
        Array.Copy(_data, 1 + Capacity, data, 1 + capacity, firstChanged);
        var offset = 0;
        for (var i = 0; i < firstChanged; i++)
        {
            offset = SkipRecord(offset);
        }

        Array.Copy(_records, records, offset);
        var running = firstChanged == 0 ? OpeningBalance : Unpack(_data[Capacity + firstChanged]);
        int e = firstChanged, a = 0;
        for (var i = firstChanged; i < count; i++)
        {
            LedgerEntry entry;
            long at;
            if (a < added.Length && (e >= _count || added[a].At < _data[1 + e]))
            {
                (at, _, entry) = added[a++];
            }
            else
            {
                at = _data[1 + e];
                entry = existing[e++];
            }

            running += entry.SignedAmount;
            if (!TryPack(running, out var packed))
            {
                return null;
            }

            data[1 + i] = at;
            data[1 + capacity + i] = packed;
            offset = WriteRecord(records, offset, entry);
        }

        data[0] = Header(count, offset);
        return new CompactLedger(Currency, OpeningBalance, data, records, count, offset);
    }

    private static int Grow(int current, int needed)
    {
        // Exactly what a first batch needs; then doubling (by half past a million), so appends one by one stay amortised O(1).
        var grown = current == 0 ? needed : current < 1 << 20 ? current * 2 : current + (current / 2);
        return Math.Max(grown, needed);
    }

    private static long Header(int count, int recordsLength) => (uint)count | ((long)recordsLength << 32);

    /// <summary>The number of entries with an instant at or before <paramref name="nanoseconds"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int UpperBound(long nanoseconds)
    {
        // An instant at or after the newest entry (an evaluation of an account with no future entry) needs no search.
        if (_count == 0 || _data[_count] <= nanoseconds)
        {
            return _count;
        }

        var instants = _data.AsSpan(1, _count - 1);
        int lo = 0, hi = instants.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (instants[mid] <= nanoseconds)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Nanoseconds since the Unix epoch; instants outside the range of the layout are clamped (no entry lies there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long ToNanoseconds(Instant instant)
    {
        var since = instant - NodaConstants.UnixEpoch;
        var days = since.Days;
        return days > MaxDays ? long.MaxValue : days < MinDays ? long.MinValue : (days * NanosecondsPerDay) + since.NanosecondOfDay;
    }

    internal static bool TryToNanoseconds(Instant instant, out long nanoseconds)
    {
        var since = instant - NodaConstants.UnixEpoch;
        if (since.Days is > MaxDays or < MinDays)
        {
            nanoseconds = 0;
            return false;
        }

        nanoseconds = (since.Days * NanosecondsPerDay) + since.NanosecondOfDay;
        return true;
    }

    internal static Instant ToInstant(long nanoseconds) => NodaConstants.UnixEpoch + Duration.FromNanoseconds(nanoseconds);

    /// <summary>Packs a decimal whose mantissa fits 58 bits: mantissa, then the scale (5 bits), then the sign (1 bit).</summary>
    internal static bool TryPack(decimal value, out long packed)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        if (bits[2] != 0 || mantissa > MaxMantissa)
        {
            packed = 0;
            return false;
        }

        var scale = (ulong)((bits[3] >> 16) & 0xFF);
        var negative = bits[3] < 0 ? 1UL : 0UL;
        packed = (long)((mantissa << 6) | (scale << 1) | negative);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static decimal Unpack(long packed)
    {
        var bits = (ulong)packed;
        var mantissa = bits >> 6;
        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, (bits & 1) != 0, (byte)((bits >> 1) & 31));
    }

    /// <summary>Rewrites an exact value with another scale (adding or dropping trailing zeros only).</summary>
    private static decimal WithScale(decimal value, int scale)
    {
        var current = value.Scale;
        if (current > scale)
        {
            return decimal.Round(value, scale);
        }

        for (; current < scale; current++)
        {
            value *= 1.0m;
        }

        return value;
    }

    private LedgerEntry Read(int index, int offset)
    {
        var meta = _records[offset++];
        var kind = (LedgerEntryKind)(meta & 3);
        var id = ReadString(_records, ref offset);
        string? product = null, billingItem = null, externalReference = null;
        if ((meta & HasExtras) != 0)
        {
            var mask = _records[offset++];
            product = (mask & 1) != 0 ? ReadString(_records, ref offset) : null;
            billingItem = (mask & 2) != 0 ? ReadString(_records, ref offset) : null;
            externalReference = (mask & 4) != 0 ? ReadString(_records, ref offset) : null;
        }

        var before = index == 0 ? OpeningBalance : Unpack(_data[Capacity + index]);
        var after = Unpack(_data[1 + Capacity + index]);
        var amount = WithScale(Math.Abs(after - before), (meta >> 2) & 31);
        return new LedgerEntry(id, kind, ToInstant(_data[1 + index]), amount, product, billingItem, externalReference);
    }

    private int SkipRecord(int offset)
    {
        var meta = _records[offset++];
        SkipString(_records, ref offset);
        SkipExtras(meta, ref offset);
        return offset;
    }

    private void SkipExtras(byte meta, ref int offset)
    {
        if ((meta & HasExtras) == 0)
        {
            return;
        }

        var mask = _records[offset++];
        for (var bit = 1; bit <= 4; bit <<= 1)
        {
            if ((mask & bit) != 0)
            {
                SkipString(_records, ref offset);
            }
        }
    }

    private static int RecordLength(LedgerEntry entry)
    {
        var length = 1 + StringLength(entry.Id);
        if (entry.Product is not null || entry.BillingItem is not null || entry.ExternalReference is not null)
        {
            length += 1 + StringLength(entry.Product) + StringLength(entry.BillingItem) + StringLength(entry.ExternalReference);
        }

        return length;
    }

    private static int WriteRecord(byte[] records, int offset, LedgerEntry entry)
    {
        var extras = entry.Product is not null || entry.BillingItem is not null || entry.ExternalReference is not null;
        records[offset++] = (byte)((int)entry.Kind | (entry.Amount.Scale << 2) | (extras ? HasExtras : 0));
        offset = WriteString(records, offset, entry.Id);
        if (extras)
        {
            records[offset++] = (byte)((entry.Product is null ? 0 : 1) | (entry.BillingItem is null ? 0 : 2) | (entry.ExternalReference is null ? 0 : 4));
            offset = WriteString(records, offset, entry.Product);
            offset = WriteString(records, offset, entry.BillingItem);
            offset = WriteString(records, offset, entry.ExternalReference);
        }

        return offset;
    }

    // A string is a 7-bit varint header (length << 1 | wide) and its characters: one byte each when all are ASCII,
    // otherwise two bytes each (UTF-16, little-endian), so any string, even with lone surrogates, round-trips exactly.
    private static int StringLength(string? value)
    {
        if (value is null)
        {
            return 0;
        }

        var wide = !System.Text.Ascii.IsValid(value);
        var header = ((uint)value.Length << 1) | (wide ? 1u : 0u);
        var headerBytes = 1;
        while (header >= 0x80)
        {
            header >>= 7;
            headerBytes++;
        }

        return headerBytes + (wide ? 2 * value.Length : value.Length);
    }

    private static int WriteString(byte[] records, int offset, string? value)
    {
        if (value is null)
        {
            return offset;
        }

        var wide = !System.Text.Ascii.IsValid(value);
        var header = ((uint)value.Length << 1) | (wide ? 1u : 0u);
        while (header >= 0x80)
        {
            records[offset++] = (byte)(header | 0x80);
            header >>= 7;
        }

        records[offset++] = (byte)header;
        if (wide)
        {
            foreach (var c in value)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(records.AsSpan(offset), c);
                offset += 2;
            }
        }
        else
        {
            foreach (var c in value)
            {
                records[offset++] = (byte)c;
            }
        }

        return offset;
    }

    private static (int Length, bool Wide) ReadHeader(byte[] records, ref int offset)
    {
        uint header = 0;
        var shift = 0;
        byte b;
        do
        {
            b = records[offset++];
            header |= (uint)(b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);

        return ((int)(header >> 1), (header & 1) != 0);
    }

    private static string ReadString(byte[] records, ref int offset)
    {
        var (length, wide) = ReadHeader(records, ref offset);
        string value;
        if (wide)
        {
            var chars = new char[length];
            for (var i = 0; i < length; i++)
            {
                chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(records.AsSpan(offset + (2 * i)));
            }

            value = new string(chars);
            offset += 2 * length;
        }
        else
        {
            value = string.Create(length, (records, offset), static (span, state) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (char)state.records[state.offset + i];
                }
            });
            offset += length;
        }

        return value;
    }

    private static void SkipString(byte[] records, ref int offset)
    {
        var (length, wide) = ReadHeader(records, ref offset);
        offset += wide ? 2 * length : length;
    }

    /// <summary>Compares the string at <paramref name="offset"/> with <paramref name="value"/>, moving past it either way.</summary>
    private static bool StringEquals(byte[] records, ref int offset, string value)
    {
        var (length, wide) = ReadHeader(records, ref offset);
        var start = offset;
        offset += wide ? 2 * length : length;
        if (length != value.Length)
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            var c = wide ? (char)BinaryPrimitives.ReadUInt16LittleEndian(records.AsSpan(start + (2 * i))) : (char)records[start + i];
            if (c != value[i])
            {
                return false;
            }
        }

        return true;
    }
}
