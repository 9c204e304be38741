using System.Globalization;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>
/// Compares two timeline documents of the simulate contract semantically: instants as instants, amounts as decimals,
/// notifications as a multiset ignoring keys (which must be unique in the actual document). Shared by the library and CLI tests.
/// </summary>
public static class TimelineComparison
{
    /// <summary>Returns every difference between the expected and the actual document; empty when they match.</summary>
    public static IReadOnlyList<string> Differences(string expectedJson, string actualJson)
    {
        using var expected = JsonDocument.Parse(expectedJson);
        using var actual = JsonDocument.Parse(actualJson);
        var e = expected.RootElement;
        var a = actual.RootElement;
        var diffs = new List<string>();

        SameFields(e, a, "$", diffs);
        Compare(e.GetProperty("account").GetString(), a.GetProperty("account").GetString(), "account", diffs);

        CompareList(e, a, "charges", diffs, (x, y, path) =>
        {
            SameFields(x, y, path, diffs);
            Compare(x.GetProperty("id").GetString(), y.GetProperty("id").GetString(), path + ".id", diffs);
            Compare(x.GetProperty("item").GetString(), y.GetProperty("item").GetString(), path + ".item", diffs);
            Compare(InstantOf(x, "at"), InstantOf(y, "at"), path + ".at", diffs);
            Compare(AmountOf(x, "amount"), AmountOf(y, "amount"), path + ".amount", diffs);
        });

        CompareList(e, a, "transitions", diffs, (x, y, path) =>
        {
            SameFields(x, y, path, diffs);
            Compare(InstantOf(x, "at"), InstantOf(y, "at"), path + ".at", diffs);
            foreach (var field in new[] { "from", "to", "reason" })
            {
                Compare(x.GetProperty(field).GetString(), y.GetProperty(field).GetString(), path + "." + field, diffs);
            }

            // Optional fields: SameFields already checked that both have the same ones.
            Compare(Optional(x, "product"), Optional(y, "product"), path + ".product", diffs);
            Compare(Optional(x, "late"), Optional(y, "late"), path + ".late", diffs);
            Compare(OptionalInstant(x, "deferredFrom"), OptionalInstant(y, "deferredFrom"), path + ".deferredFrom", diffs);
            Compare(Optional(x, "heldBy"), Optional(y, "heldBy"), path + ".heldBy", diffs);
            Compare(OptionalInstant(x, "evaluatedAt"), OptionalInstant(y, "evaluatedAt"), path + ".evaluatedAt", diffs);
        });

        var expectedNotifications = Notifications(e);
        var actualNotifications = Notifications(a);
        foreach (var missing in Except(expectedNotifications, actualNotifications))
        {
            diffs.Add($"notifications: missing {missing}");
        }

        foreach (var extra in Except(actualNotifications, expectedNotifications))
        {
            diffs.Add($"notifications: unexpected {extra}");
        }

        var keys = a.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("key").GetString()).ToList();
        foreach (var duplicate in keys.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            diffs.Add($"notifications: key {duplicate.Key} appears {duplicate.Count()} times");
        }

        var ef = e.GetProperty("final");
        var af = a.GetProperty("final");
        SameFields(ef, af, "final", diffs);
        Compare(ef.GetProperty("state").GetString(), af.GetProperty("state").GetString(), "final.state", diffs);
        Compare(AmountOf(ef, "balance"), AmountOf(af, "balance"), "final.balance", diffs);
        Compare(InstantOf(ef, "nextReviewAt"), InstantOf(af, "nextReviewAt"), "final.nextReviewAt", diffs);
        Compare(Optional(ef, "products"), Optional(af, "products"), "final.products", diffs);
        return diffs;
    }

    private static void SameFields(JsonElement expected, JsonElement actual, string path, List<string> diffs)
    {
        var e = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        var a = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        if (!e.SequenceEqual(a, StringComparer.Ordinal))
        {
            diffs.Add($"{path}: expected fields [{string.Join(", ", e)}], got [{string.Join(", ", a)}]");
        }
    }

    private static void CompareList(JsonElement e, JsonElement a, string name, List<string> diffs, Action<JsonElement, JsonElement, string> compare)
    {
        var x = e.GetProperty(name).EnumerateArray().ToList();
        var y = a.GetProperty(name).EnumerateArray().ToList();
        if (x.Count != y.Count)
        {
            diffs.Add($"{name}: expected {x.Count} elements, got {y.Count}: {a.GetProperty(name).GetRawText()}");
            return;
        }

        for (var i = 0; i < x.Count; i++)
        {
            compare(x[i], y[i], $"{name}[{i}]");
        }
    }

    private static void Compare<T>(T expected, T actual, string path, List<string> diffs)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            diffs.Add($"{path}: expected {expected?.ToString() ?? "null"}, got {actual?.ToString() ?? "null"}");
        }
    }

    private static Instant? InstantOf(JsonElement element, string name)
    {
        var value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.Null ? null : InstantPattern.ExtendedIso.Parse(value.GetString()!).GetValueOrThrow();
    }

    /// <summary>An optional field as compact JSON (its absence as null), for fields compared as they are written.</summary>
    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? JsonSerializer.Serialize(value) : null;

    private static Instant? OptionalInstant(JsonElement element, string name) =>
        element.TryGetProperty(name, out _) ? InstantOf(element, name) : null;

    private static decimal AmountOf(JsonElement element, string name) =>
        decimal.Parse(element.GetProperty(name).GetString()!, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static List<string> Notifications(JsonElement root) =>
        [.. root.GetProperty("notifications").EnumerateArray().Select(n =>
            $"{InstantPattern.ExtendedIso.Format(InstantOf(n, "at")!.Value)} {n.GetProperty("kind").GetString()} {n.GetProperty("recipient").GetString()} {n.GetProperty("channel").GetString()}" +
            (n.TryGetProperty("product", out var product) ? $" product {product.GetString()}" : string.Empty) +
            (OptionalInstant(n, "evaluatedAt") is { } evaluatedAt ? $" evaluated at {InstantPattern.ExtendedIso.Format(evaluatedAt)}" : string.Empty))];

    private static List<string> Except(List<string> left, List<string> right)
    {
        var remaining = right.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var item in left)
        {
            if (remaining.TryGetValue(item, out var count) && count > 0)
            {
                remaining[item] = count - 1;
            }
            else
            {
                result.Add(item);
            }
        }

        return result;
    }
}
