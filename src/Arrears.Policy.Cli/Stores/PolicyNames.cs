using System.Text;
using System.Text.Json;
using Arrears.Policy.Runtime;

namespace Arrears.Policy.Cli.Stores;

/// <summary>
/// How the tool names an imported account's policy in the store, so that any later process can rebuild it from the name
/// alone: a preset keeps its name (<c>tencent-api-gateway</c>); a policy object is named by its canonical JSON (compact,
/// properties in ordinal order), such as <c>{"grace":"PT2H","preset":"tencent-api-gateway"}</c>; several products, or
/// custom channels, by the canonical JSON of the line's <c>products</c> (or <c>policy</c>) and <c>channels</c>, such as
/// <c>{"products":[{"policy":"tencent-api-gateway","product":"apigw"},...]}</c>.
/// </summary>
internal static class PolicyNames
{
    /// <summary>
    /// The <c>until</c> and account a name of several products is read with: the account only gives the reader a currency
    /// (one with the most minor units, so that no amount the line's own currency allowed is refused).
    /// </summary>
    private const string ReadWith = "\"account\":{\"id\":\"policy\",\"currency\":\"CLF\",\"creator\":\"policy\"},\"until\":\"8999-12-31T23:59:59Z\"";

    /// <summary>Names the policy of a line from its <c>policy</c>, <c>products</c> and <c>channels</c> fields; <see langword="null"/> when it has none.</summary>
    public static string? Of(IReadOnlyList<JsonProperty> parts)
    {
        if (parts.Count == 1 && parts[0].Name == "policy")
        {
            return parts[0].Value.ValueKind switch
            {
                JsonValueKind.String => parts[0].Value.GetString(),
                JsonValueKind.Object => Canonical(parts[0].Value),
                _ => null,
            };
        }

        if (!parts.Any(p => p.Name is "policy" or "products"))
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, ImportReader.CanonicalOptions))
        {
            writer.WriteStartObject();
            foreach (var part in parts.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                writer.WritePropertyName(part.Name);
                ImportReader.WriteCanonical(writer, part.Value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Returns the canonical JSON of a policy object: its name in the store.</summary>
    public static string Canonical(JsonElement policy)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, ImportReader.CanonicalOptions))
        {
            ImportReader.WriteCanonical(writer, policy);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Builds the policy a stored name stands for: a preset, a policy object read as a scenario's policy is, or a line's
    /// products and channels read as a scenario's are; <see langword="null"/> for anything else.
    /// </summary>
    public static AccountPolicy? Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.StartsWith('{'))
        {
            return PolicyPresets.TryGet(name, out var preset) ? AccountPolicy.For(preset.Policy) : null;
        }

        bool document;
        try
        {
            using var parsed = JsonDocument.Parse(name);
            document = parsed.RootElement.ValueKind == JsonValueKind.Object &&
                (parsed.RootElement.TryGetProperty("products", out _) || parsed.RootElement.TryGetProperty("policy", out _));
        }
        catch (JsonException)
        {
            return null;
        }

        if (document)
        {
            var read = ScenarioJson.Read(name[..^1] + "," + ReadWith + "}");
            return read.IsValid ? read.Scenario.AccountPolicy : null;
        }

        var policy = ScenarioJson.ReadPolicy(name);
        return policy.IsValid ? AccountPolicy.For(policy.Policy) : null;
    }

    /// <summary>The registry of the tool's runtime: it knows no policy up front and resolves every stored name.</summary>
    public static AccountPolicyRegistry Registry() => new(new Dictionary<string, AccountPolicy>(StringComparer.Ordinal), Resolve);
}
