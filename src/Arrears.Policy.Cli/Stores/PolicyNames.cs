using System.Text;
using System.Text.Json;
using Arrears.Policy.Runtime;

namespace Arrears.Policy.Cli.Stores;

/// <summary>
/// How the tool names an imported account's policy in the store, so that any later process can rebuild it from the name
/// alone: a preset keeps its name (<c>tencent-api-gateway</c>); a policy object is named by its canonical JSON (compact,
/// properties in ordinal order), such as <c>{"grace":"PT2H","preset":"tencent-api-gateway"}</c>.
/// </summary>
internal static class PolicyNames
{
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

    /// <summary>Builds the policy a stored name stands for: a preset, or a policy object read as a scenario's policy is; <see langword="null"/> for anything else.</summary>
    public static AccountPolicy? Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith('{'))
        {
            var read = ScenarioJson.ReadPolicy(name);
            return read.IsValid ? AccountPolicy.For(read.Policy) : null;
        }

        return PolicyPresets.TryGet(name, out var preset) ? AccountPolicy.For(preset.Policy) : null;
    }

    /// <summary>The registry of the tool's runtime: it knows no policy up front and resolves every stored name.</summary>
    public static AccountPolicyRegistry Registry() => new(new Dictionary<string, AccountPolicy>(StringComparer.Ordinal), Resolve);
}
