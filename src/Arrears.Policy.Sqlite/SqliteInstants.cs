using System.Globalization;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace Arrears.Policy.Sqlite;

/// <summary>
/// The instants of <c>account_runs</c> (due, claimed until, last evaluated, next review) as the store keeps them since
/// schema version 4: <c>INTEGER</c> nanoseconds since the Unix epoch, as the PostgreSQL store keeps its instants, so that
/// every instant the engine computes reads back equal and the due index holds 8-byte integers instead of 30-byte text.
/// </summary>
/// <remarks>
/// The range is 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z (a signed 64-bit count of nanoseconds);
/// an instant outside it is refused with an <see cref="ArgumentException"/> naming the field and the value, never
/// truncated. Operators read a column with <c>strftime('%Y-%m-%dT%H:%M:%SZ', due_at / 1000000000, 'unixepoch')</c>. The
/// other tables keep instants as text (<see cref="StoreCodec"/>).
/// </remarks>
internal static class SqliteInstants
{
    /// <summary>The earliest instant the columns hold.</summary>
    public static readonly Instant Earliest = NodaConstants.UnixEpoch.PlusNanoseconds(long.MinValue);

    /// <summary>The latest instant the columns hold.</summary>
    public static readonly Instant Latest = NodaConstants.UnixEpoch.PlusNanoseconds(long.MaxValue);

    /// <summary>The column's value for an instant.</summary>
    /// <exception cref="ArgumentException">The instant is outside the range; the message names <paramref name="field"/> and the instant.</exception>
    public static long From(Instant instant, string field) =>
        instant >= Earliest && instant <= Latest
            ? (instant - NodaConstants.UnixEpoch).ToInt64Nanoseconds()
            : throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{field}: the SQLite store keeps due, claim, evaluation and review instants from 1677-09-21 to 2262-04-11, got \"{StoreCodec.FormatInstant(instant)}\""),
                field);

    /// <summary>The column's value for an optional instant; <see langword="null"/> stays <see langword="null"/>.</summary>
    /// <exception cref="ArgumentException">The instant is outside the range.</exception>
    public static long? From(Instant? instant, string field) => instant is { } value ? From(value, field) : null;

    /// <summary>The instant a column's value stands for (every 64-bit value is one).</summary>
    public static Instant ToInstant(long nanoseconds) => NodaConstants.UnixEpoch.PlusNanoseconds(nanoseconds);

    /// <summary>Reads an optional instant column.</summary>
    public static Instant? Read(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ToInstant(reader.GetInt64(ordinal));

    /// <summary>
    /// Reads an instant that schema version 3 wrote as text, for the migration to version 4: <see langword="null"/> stays
    /// <see langword="null"/>; text that is not an instant, or an instant outside the range, is a <see cref="StoreDataException"/>
    /// naming the account, the column and the value, and the migration (one transaction) leaves the database as it was.
    /// </summary>
    public static long? FromVersion3(string? text, string account, string column)
    {
        if (StoreCodec.ParseOptionalInstant(text, account, column) is not { } instant)
        {
            return null;
        }

        return instant >= Earliest && instant <= Latest
            ? (instant - NodaConstants.UnixEpoch).ToInt64Nanoseconds()
            : throw new StoreDataException(account, column, $"schema version 4 keeps instants from 1677-09-21 to 2262-04-11 in this column, got {StoreCodec.Quote(text!)}", null);
    }
}
