using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Arrears.Policy.Text;
using NodaTime.Text;

namespace Arrears.Policy.Cli;

/// <summary>
/// Writes the built-in presets as JSON for <c>arrears policies --json</c>: each preset's name, product, summary, source and
/// date read, and its <c>policy</c> as a full policy object with every setting, in the form a scenario's <c>policy</c>
/// field and <c>arrears diagram</c> read back.
/// </summary>
internal static class PresetJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Returns <c>{ "presets": [ ... ] }</c>, indented, without a trailing new line.</summary>
    public static string ToJson(IEnumerable<PolicyPreset> presets)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("presets");
            foreach (var preset in presets)
            {
                writer.WriteStartObject();
                writer.WriteString("name", preset.Name);
                writer.WriteString("product", preset.Product);
                writer.WriteString("summary", preset.Summary);
                writer.WriteString("source", preset.Source.ToString());
                writer.WriteString("readOn", LocalDatePattern.Iso.Format(preset.ReadOn));
                writer.WritePropertyName("policy");
                WritePolicy(writer, preset.Policy);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Writes every setting of a policy as the fields of a policy object; <c>routes</c> only when a notification kind is
    /// routed other than to everyone over the policy's channels (no preset does).
    /// </summary>
    private static void WritePolicy(Utf8JsonWriter writer, LifecyclePolicy policy)
    {
        writer.WriteStartObject();
        writer.WriteString("grace", IsoDurationPattern.Instance.Format(policy.Grace));
        writer.WriteString("graceBoundary", policy.GraceBoundary.ToString());
        writer.WriteString("retention", IsoDurationPattern.Instance.Format(policy.Retention));
        writer.WriteString("retentionBoundary", policy.RetentionBoundary.ToString());
        writer.WriteString("tolerance", policy.Tolerance.ToString(CultureInfo.InvariantCulture));
        if (policy.ResumeMinimumBalance is { } minimum)
        {
            writer.WriteString("resumeMinimumBalance", minimum.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull("resumeMinimumBalance");
        }

        writer.WriteStartArray("purgeWarnings");
        foreach (var warning in policy.PurgeWarnings)
        {
            writer.WriteStringValue(IsoDurationPattern.Instance.Format(warning));
        }

        writer.WriteEndArray();
        writer.WriteStartArray("channels");
        foreach (var channel in policy.Channels)
        {
            writer.WriteStringValue(channel);
        }

        writer.WriteEndArray();
        var routes = policy.ToOptions().Routes.OrderBy(r => r.Key).ToList();
        if (routes.Count > 0)
        {
            writer.WriteStartObject("routes");
            foreach (var (kind, route) in routes)
            {
                writer.WriteStartObject(kind.ToString());
                writer.WriteString("audience", route.Audience.ToString());
                writer.WriteStartArray("channels");
                foreach (var channel in route.Channels)
                {
                    writer.WriteStringValue(channel);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
