using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Cli;

/// <summary>
/// Formats instants for people: in the account's time zone with the offset in force (<c>2026-02-01 16:30 +08</c>), or in
/// UTC (<c>2026-02-01 08:30</c> under a column headed <c>At (UTC)</c>) when asked with <c>--utc</c> or when the account's
/// zone is UTC. Seconds appear only when they are not zero, fractions of a second only when present.
/// </summary>
internal sealed class TableInstants
{
    private static readonly LocalDateTimePattern Minutes = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm");
    private static readonly LocalDateTimePattern Seconds = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm':'ss;FFFFFFFFF");
    private static readonly OffsetPattern Hours = OffsetPattern.CreateWithInvariantCulture("+HH");
    private static readonly OffsetPattern HoursMinutes = OffsetPattern.CreateWithInvariantCulture("+HH:mm");
    private static readonly OffsetPattern HoursMinutesSeconds = OffsetPattern.CreateWithInvariantCulture("+HH:mm:ss");

    private readonly DateTimeZone? _zone;

    private TableInstants(DateTimeZone? zone) => _zone = zone;

    /// <summary>Gets the instants in UTC.</summary>
    public static TableInstants Utc { get; } = new(null);

    /// <summary>Gets the time zone's id, or <see langword="null"/> for UTC.</summary>
    public string? ZoneId => _zone?.Id;

    /// <summary>Gets the heading of a column of instants: <c>At (UTC)</c>, or <c>At</c> when each instant carries its offset.</summary>
    public string ColumnHeader => _zone is null ? "At (UTC)" : "At";

    /// <summary>Returns the instants of an account: in its zone, or in UTC when <paramref name="utc"/> or when the zone never leaves UTC.</summary>
    public static TableInstants For(DateTimeZone zone, bool utc)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return utc || (zone.MinOffset == Offset.Zero && zone.MaxOffset == Offset.Zero) ? Utc : new TableInstants(zone);
    }

    /// <summary>Formats an instant for a column whose heading says the zone: <c>2026-02-01 08:30</c> or <c>2026-02-01 16:30 +08</c>.</summary>
    public string Format(Instant instant)
    {
        if (_zone is null)
        {
            return Local(instant.InUtc().LocalDateTime);
        }

        var zoned = instant.InZone(_zone);
        return Local(zoned.LocalDateTime) + " " + FormatOffset(zoned.Offset);
    }

    /// <summary>Formats an instant to stand on its own: as <see cref="Format"/>, with <c>UTC</c> after an instant in UTC.</summary>
    public string FormatAlone(Instant instant) => _zone is null ? Format(instant) + " UTC" : Format(instant);

    /// <summary>Formats an offset as briefly as it is exact: <c>+08</c>, <c>+05:30</c>, <c>-00:01:15</c>.</summary>
    public static string FormatOffset(Offset offset)
    {
        var seconds = Math.Abs(offset.Seconds);
        return (seconds % 60 != 0 ? HoursMinutesSeconds : seconds % 3600 != 0 ? HoursMinutes : Hours).Format(offset);
    }

    private static string Local(LocalDateTime local) =>
        local.Second == 0 && local.NanosecondOfSecond == 0 ? Minutes.Format(local) : Seconds.Format(local);
}
