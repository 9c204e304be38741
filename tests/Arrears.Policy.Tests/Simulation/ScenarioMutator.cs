using System.Text;
using System.Text.Json.Nodes;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>
/// Deterministic, seeded mutations of scenario documents for fuzz tests: fields dropped or added, types changed, numbers
/// negated, strings garbled, huge values, duplicated elements, deep nesting and broken JSON text. Shared by the library and CLI tests.
/// </summary>
public sealed class ScenarioMutator(int seed)
{
    private static readonly string[] Huge =
    [
        "79228162514264337593543950335", "-79228162514264337593543950335", "1e400", "0.0000000000000000000000000001",
        "99999999999999999999999999999999999", "P99999999999D", "PT99999999999999999999H", "9999-12-31T23:59:59.999999999Z",
        "0001-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "P36500D", "PT0.000000001S", "1000000000000000",
    ];

    private static readonly string[] Words =
    [
        "", " ", "none", "-", "P1D", "P1W", "P1M", "PT1S", "PT1H", "P1Y", "-PT1H", "PT0S", "Inclusive", "Exclusive", "charge",
        "payment", "credit", "refund", "CNY", "JPY", "KWD", "XXX", "UTC", "Europe/London", "Pacific/Apia", "tencent-api-gateway",
        "calls", "0", "-0", "0.5", "-12.50", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00", "\u0000", "\ud800", "日本", "\n",
    ];

    private readonly Random _random = new(seed);

    /// <summary>Returns a mutation of <paramref name="json"/> (1 to 4 changes), usually still JSON, sometimes broken text.</summary>
    public string Mutate(string json)
    {
        if (_random.Next(20) == 0)
        {
            return BreakText(json);
        }

        var root = JsonNode.Parse(json)!;
        var changes = 1 + _random.Next(4);
        for (var i = 0; i < changes; i++)
        {
            root = MutateOnce(root);
        }

        return root.ToJsonString();
    }

    private JsonNode MutateOnce(JsonNode root)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[_random.Next(nodes.Count)];
        if (target == root && _random.Next(4) != 0)
        {
            target = nodes[_random.Next(nodes.Count)];
        }

        switch (_random.Next(9))
        {
            case 0 when target.Parent is JsonObject parent:
                parent.Remove(target.GetPropertyName());
                return root;
            case 1 when target is JsonObject obj:
                obj[Pick(["note", "balanceAlrm", "Grace", "id2", "amount ", "x"])] = RandomValue();
                return root;
            case 2 when target is JsonArray array && array.Count > 0:
                array.Add(array[_random.Next(array.Count)]?.DeepClone());
                return root;
            case 3 when target is JsonValue value && value.TryGetValue<string>(out var text):
                return Replace(root, target, JsonValue.Create(Garble(text)));
            case 4 when target is JsonValue value && value.TryGetValue<string>(out var number):
                return Replace(root, target, JsonValue.Create(number.StartsWith('-') ? number[1..] : "-" + number));
            case 5:
                return Replace(root, target, JsonValue.Create(Pick(Huge)));
            case 6:
                return Replace(root, target, JsonValue.Create(Pick(Words)));
            case 7:
                return Replace(root, target, Nested(1 + _random.Next(80)));
            default:
                return Replace(root, target, RandomValue());
        }
    }

    private static JsonNode Replace(JsonNode root, JsonNode target, JsonNode? replacement)
    {
        switch (target.Parent)
        {
            case JsonObject obj:
                obj[target.GetPropertyName()] = replacement;
                return root;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                return root;
            default:
                return replacement ?? JsonValue.Create("null-root")!;
        }
    }

    private JsonNode? RandomValue() => _random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(_random.Next(2) == 0),
        2 => JsonValue.Create(_random.Next(-1000, 1000)),
        3 => JsonValue.Create(_random.NextDouble() * 1e30),
        4 => new JsonArray(JsonValue.Create("a"), JsonValue.Create(1)),
        5 => new JsonObject { ["a"] = 1 },
        6 => JsonValue.Create(new string('x', 1 + _random.Next(5000))),
        7 => JsonValue.Create(Pick(Huge)),
        _ => JsonValue.Create(Pick(Words)),
    };

    private JsonNode Nested(int depth)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < depth; i++)
        {
            node = _random.Next(2) == 0 ? new JsonArray(node) : new JsonObject { ["n"] = node };
        }

        return node;
    }

    private string Garble(string text)
    {
        var sb = new StringBuilder(text);
        var edits = 1 + _random.Next(3);
        for (var i = 0; i < edits; i++)
        {
            var position = sb.Length == 0 ? 0 : _random.Next(sb.Length + 1);
            switch (_random.Next(3))
            {
                case 0 when sb.Length > 0 && position < sb.Length:
                    sb.Remove(position, 1);
                    break;
                case 1 when sb.Length > 0 && position < sb.Length:
                    sb[position] = (char)_random.Next(32, 0x3000);
                    break;
                default:
                    sb.Insert(position, Pick(["9", "-", ".", "Z", "T", "e", "P", "\u0001", "\"", "\\", "é", ":", " "]));
                    break;
            }
        }

        return sb.ToString();
    }

    private string BreakText(string json)
    {
        var position = _random.Next(json.Length);
        return _random.Next(3) switch
        {
            0 => json[..position],
            1 => json.Insert(position, Pick(["{", "}", "[", ",", "\"", ":", "\u0000", "//", "'"])),
            _ => json.Remove(position, 1),
        };
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Collect(child, nodes);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, nodes);
                }

                break;
        }
    }
}
