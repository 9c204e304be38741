using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary>
/// A seeded population of accounts as <c>arrears import</c> lines (the scenario format without <c>until</c>): weekly
/// charges for 200 days and payers of every kind, including payments exactly at the grace deadline and one second after
/// it, accounts that never pay (purged after 180 days) and accounts billed by usage.
/// </summary>
internal static class Population
{
    public static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    public static readonly Instant Until = Start + Duration.FromDays(200);

    private static readonly Duration Grace = Duration.FromHours(24);

    public static string Id(int index) => string.Create(CultureInfo.InvariantCulture, $"acct-{index:D5}");

    /// <summary>Returns one JSON line per account, without <c>until</c>.</summary>
    public static List<string> Lines(int count, int seed)
    {
        var random = new Random(seed);
        var lines = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            lines.Add(Line(i, random));
        }

        return lines;
    }

    /// <summary>The same account as a <c>simulate</c> scenario ending at <paramref name="until"/>.</summary>
    public static string Scenario(string line, Instant until) =>
        string.Concat(line.AsSpan(0, line.Length - 1), ",\"until\":\"", InstantPattern.General.Format(until), "\"}");

    private static string Line(int index, Random random)
    {
        var kind = index % 10;
        var opening = kind == 9 ? 5_000m : random.Next(0, 40);
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"policy\":\"tencent-api-gateway\",\"account\":{{\"id\":\"{Id(index)}\",\"currency\":\"CNY\",\"openingBalance\":\"{opening:0.00}\",");
        json.Append(CultureInfo.InvariantCulture, $"\"timeZone\":\"{(index % 3 == 0 ? "Asia/Shanghai" : "UTC")}\",\"creator\":\"owner-{index}@example.com\",\"collaborators\":[\"dev-{index}@example.com\"]");
        if (index % 4 == 0)
        {
            json.Append(",\"balanceAlarm\":\"20.00\"");
        }

        json.Append('}');
        var entries = new List<string>();
        var usage = new List<string>();
        var balance = opening;
        var week = 0;
        for (var at = Start + Duration.FromHours(random.Next(1, 150)); at < Until; at += Duration.FromDays(7), week++)
        {
            var amount = random.Next(500, 3000) / 100m;
            if (kind == 8)
            {
                // Billed by usage: calls rated hourly, settled 30 minutes after the hour.
                var quantity = amount / 0.06m * 10_000m;
                usage.Add(string.Create(CultureInfo.InvariantCulture, $"{{\"item\":\"calls\",\"at\":\"{Format(at)}\",\"quantity\":\"{quantity:0}\"}}"));
                at += Duration.FromMinutes(30);
            }
            else
            {
                entries.Add(Entry($"c{week}", "charge", at, amount));
            }

            balance -= amount;
            if (balance >= 0 || kind == 7)
            {
                // Kind 7 never pays: overdue, suspended a day later, purged 180 days after that.
                continue;
            }

            var paidAt = kind switch
            {
                0 or 1 or 2 => at + Duration.FromMinutes(random.Next(1, 23 * 60)),
                3 => at + Grace,                                   // exactly at the grace deadline: still in time
                4 => at + Grace + Duration.FromSeconds(1),         // one second late: suspended, then resumed
                5 => at + Duration.FromDays(random.Next(2, 30)),   // after suspension
                _ => at + Duration.FromHours(random.Next(1, 72)),
            };
            if (paidAt >= Until)
            {
                continue;
            }

            var payment = -balance + random.Next(0, 30);
            entries.Add(Entry($"p{week}", "payment", paidAt, payment));
            balance += payment;
        }

        if (usage.Count > 0)
        {
            json.Append(",\"items\":[{\"id\":\"calls\",\"unit\":\"10000\",\"unitPrice\":\"0.06\",\"cycle\":\"PT1H\",\"settlementDelay\":\"PT30M\"}]");
            json.Append(",\"usage\":[").AppendJoin(',', usage).Append(']');
        }

        json.Append(",\"entries\":[").AppendJoin(',', entries).Append("]}");
        return json.ToString();
    }

    private static string Entry(string id, string kind, Instant at, decimal amount) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"id\":\"{id}\",\"kind\":\"{kind}\",\"at\":\"{Format(at)}\",\"amount\":\"{amount:0.00}\"}}");

    private static string Format(Instant at) => InstantPattern.General.Format(at);
}
