using System.Globalization;
using NodaTime;

namespace Arrears.Policy.PostgreSql.Internal;

/// <summary>
/// Instants as the store keeps them: <c>bigint</c> nanoseconds since the Unix epoch, so that every instant the engine
/// computes (NodaTime has nanoseconds; <c>timestamptz</c> has microseconds) reads back equal.
/// </summary>
/// <remarks>
/// The range is 1677-09-21 to 2262-04-11; an instant outside it is refused with a message naming the field, never
/// truncated. Operators read a column with <c>to_timestamp(due_at_ns / 1e9)</c>.
/// </remarks>
internal static class Nanoseconds
{
    public static long From(Instant instant, string field)
    {
        try
        {
            return (instant - NodaConstants.UnixEpoch).ToInt64Nanoseconds();
        }
        catch (OverflowException)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{field}: the PostgreSQL store keeps instants from 1677-09-21 to 2262-04-11, got \"{instant}\""),
                field);
        }
    }

    public static long? From(Instant? instant, string field) => instant is { } value ? From(value, field) : null;

    public static Instant ToInstant(long nanoseconds) => NodaConstants.UnixEpoch.PlusNanoseconds(nanoseconds);
}
