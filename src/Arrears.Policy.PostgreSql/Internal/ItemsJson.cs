using System.Buffers;
using System.Text;
using System.Text.Json;
using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.PostgreSql.Internal;

/// <summary>
/// An account's billing items as the <c>accounts.items</c> <c>jsonb</c> column keeps them: one object per item, amounts as
/// JSON numbers with their scale, the cycle by name (a fixed cycle with its length) and durations in nanoseconds.
/// </summary>
/// <example><c>[{"id":"calls","unit":10000,"unitPrice":0.06,"cycle":"Fixed","cycleLengthNs":3600000000000,"settlementDelayNs":1800000000000,"product":null,"tiers":[{"upTo":1000000,"unitPrice":0.06}]}]</c></example>
internal static class ItemsJson
{
    public static string Write(IReadOnlyList<BillingItem> items)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (items.Count * 160));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                json.WriteStartObject();
                json.WriteString("id", item.Id);
                json.WriteNumber("unit", item.Unit);
                json.WriteNumber("unitPrice", item.UnitPrice);
                json.WriteString("cycle", item.Cycle.Kind.ToString());
                if (item.Cycle.Length is { } length)
                {
                    json.WriteNumber("cycleLengthNs", length.ToInt64Nanoseconds());
                }

                json.WriteNumber("settlementDelayNs", item.SettlementDelay.ToInt64Nanoseconds());
                json.WriteString("product", item.Product);
                json.WriteStartArray("tiers");
                foreach (var tier in item.Tiers)
                {
                    json.WriteStartObject();
                    json.WriteNumber("upTo", tier.UpTo);
                    json.WriteNumber("unitPrice", tier.UnitPrice);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads items back.</summary>
    /// <exception cref="FormatException">The text is not what <see cref="Write"/> writes; the message says what is wrong.</exception>
    public static BillingItem[] Read(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var items = new List<BillingItem>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var at = $"[{index++}]";
                var kind = Enum.Parse<BillingCycleKind>(element.GetProperty("cycle").GetString() ?? throw new FormatException($"{at}.cycle: missing"));
                var cycle = kind switch
                {
                    BillingCycleKind.None => BillingCycle.None,
                    BillingCycleKind.Fixed => BillingCycle.Every(Duration.FromNanoseconds(element.GetProperty("cycleLengthNs").GetInt64())),
                    BillingCycleKind.Day => BillingCycle.Day,
                    BillingCycleKind.Week => BillingCycle.Week,
                    BillingCycleKind.Month => BillingCycle.Month,
                    _ => throw new FormatException($"{at}.cycle: not a billing cycle, got \"{kind}\""),
                };
                var tiers = new List<PriceTier>();
                foreach (var tier in element.GetProperty("tiers").EnumerateArray())
                {
                    tiers.Add(new PriceTier(tier.GetProperty("upTo").GetDecimal(), tier.GetProperty("unitPrice").GetDecimal()));
                }

                items.Add(new BillingItem(
                    element.GetProperty("id").GetString() ?? throw new FormatException($"{at}.id: missing"),
                    element.GetProperty("unit").GetDecimal(),
                    element.GetProperty("unitPrice").GetDecimal(),
                    cycle,
                    Duration.FromNanoseconds(element.GetProperty("settlementDelayNs").GetInt64()),
                    element.GetProperty("product").GetString(),
                    tiers));
            }

            return [.. items];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new FormatException(ex.Message, ex);
        }
    }
}
