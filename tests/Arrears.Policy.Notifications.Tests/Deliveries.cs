using NodaTime;

namespace Arrears.Policy.Notifications.Tests;

/// <summary>Sample notifications: account acct-1 in CNY, Asia/Shanghai (UTC+8, no daylight saving).</summary>
internal static class Deliveries
{
    public static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    /// <summary>2026-02-02T08:30:00Z, 16:30 in Shanghai.</summary>
    public static readonly Instant SuspendedAt = Instant.FromUtc(2026, 2, 2, 8, 30);

    /// <summary>2026-08-01T08:30:00Z, 16:30 in Shanghai.</summary>
    public static readonly Instant PurgeAt = Instant.FromUtc(2026, 8, 1, 8, 30);

    public static NotificationDelivery Suspended(string address = "owner@example.com", string? key = null, string channel = "Email", int attempt = 1) => new()
    {
        Key = key ?? $"acct-1/1/Suspended/owner/{channel}",
        Kind = NotificationKind.Suspended,
        Account = "acct-1",
        At = SuspendedAt,
        Balance = -20.00m,
        Currency = Currency.FromCode("CNY"),
        Recipient = "owner",
        Channel = channel,
        Address = address,
        NextDeadline = PurgeAt,
        TimeZone = Shanghai,
        Attempt = attempt,
    };

    public static NotificationDelivery Of(NotificationKind kind, Instant at, decimal balance, Instant? nextDeadline, string? product = null) => new()
    {
        Key = $"acct-1/1/{kind}/owner/Email",
        Kind = kind,
        Account = "acct-1",
        Product = product,
        At = at,
        Balance = balance,
        Currency = Currency.FromCode("CNY"),
        Recipient = "owner",
        Channel = "Email",
        Address = "owner@example.com",
        NextDeadline = nextDeadline,
        TimeZone = Shanghai,
    };
}
