using System.Text.Json;
using Arrears.Policy.Presets;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads a policy as it appears in a scenario: a preset name, or a policy object (<c>{ "preset": NAME, ...overrides }</c>
/// or every setting), checked with <see cref="LifecyclePolicy.Validate"/> and its problems mapped to JSON paths.
/// </summary>
internal sealed class PolicyReader
{
    /// <summary>The fields of a policy object: <c>preset</c> and every setting.</summary>
    private static readonly string[] PolicyFields =
        ["preset", "grace", "graceBoundary", "retention", "retentionBoundary", "tolerance", "resumeMinimumBalance", "purgeWarnings", "channels"];

    private static readonly string[] Boundaries = ["Inclusive", "Exclusive"];

    /// <summary>Initializes a reader that reports problems to <paramref name="fields"/>.</summary>
    public PolicyReader(JsonFields fields) => Fields = fields;

    /// <summary>
    /// Gets the amounts of a policy object (tolerance, resume minimum), for the caller to check against the minor units of
    /// the account's currency, which a policy on its own does not know.
    /// </summary>
    public List<(string Path, JsonElement Element, decimal Value)> Amounts { get; } = [];

    private JsonFields Fields { get; }

    /// <summary>Reads a policy at <paramref name="path"/>: a preset name, or a policy object.</summary>
    /// <returns>The policy, or <see langword="null"/> when it has problems (each one reported).</returns>
    public LifecyclePolicy? Read(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var name = element.GetString()!;
                if (PolicyPresets.TryGet(name, out var preset))
                {
                    return preset.Policy;
                }

                Fields.Add(path, UnknownPreset(name));
                return null;
            case JsonValueKind.Object:
                return ReadObject(element, path);
            default:
                Fields.Add(path, $"must be a preset name such as \"{PolicyPresets.Names[0]}\" or a policy object, got {JsonFields.Describe(element)}");
                return null;
        }
    }

    private static string UnknownPreset(string name) =>
        $"unknown preset {Invariant.Quote(name)}; known presets: {string.Join(", ", PolicyPresets.Names)}";

    private LifecyclePolicy? ReadObject(JsonElement element, string path)
    {
        var before = Fields.Count;
        var fields = Fields.ReadObject(element, path, PolicyFields)!;
        LifecyclePolicyOptions options;
        var presetName = Fields.ReadString(fields, path, "preset", required: false);
        if (presetName is not null)
        {
            if (!PolicyPresets.TryGet(presetName, out var preset))
            {
                Fields.Add(JsonFields.Field(path, "preset"), UnknownPreset(presetName));
                return null;
            }

            options = preset.Policy.ToOptions();
            if (fields.Count > 1)
            {
                options.Name = "custom";
            }
        }
        else
        {
            options = new LifecyclePolicyOptions();
        }

        if (Fields.ReadDuration(fields, path, "grace", required: false) is { } grace)
        {
            options.Grace = grace;
        }

        if (Fields.OneOf(fields, path, "graceBoundary", required: false, Boundaries) is { } graceBoundary)
        {
            options.GraceBoundary = Enum.Parse<DeadlineBoundary>(graceBoundary);
        }

        if (Fields.ReadDuration(fields, path, "retention", required: false) is { } retention)
        {
            options.Retention = retention;
        }

        if (Fields.OneOf(fields, path, "retentionBoundary", required: false, Boundaries) is { } retentionBoundary)
        {
            options.RetentionBoundary = Enum.Parse<DeadlineBoundary>(retentionBoundary);
        }

        if (Fields.ReadDecimal(fields, path, "tolerance", required: false) is { } tolerance)
        {
            options.Tolerance = tolerance;
            Amounts.Add((JsonFields.Field(path, "tolerance"), fields["tolerance"], tolerance));
        }

        if (fields.TryGetValue("resumeMinimumBalance", out var resume))
        {
            options.ResumeMinimumBalance = resume.ValueKind == JsonValueKind.Null
                ? null
                : Fields.ReadDecimal(resume, JsonFields.Field(path, "resumeMinimumBalance"));
            if (options.ResumeMinimumBalance is { } minimum)
            {
                Amounts.Add((JsonFields.Field(path, "resumeMinimumBalance"), resume, minimum));
            }
        }

        if (fields.ContainsKey("purgeWarnings") && Fields.ReadOptionalArray(fields, path, "purgeWarnings") is { } warnings)
        {
            options.PurgeWarnings.Clear();
            for (var i = 0; i < warnings.Length; i++)
            {
                if (Fields.ReadDuration(warnings[i], JsonFields.Index(JsonFields.Field(path, "purgeWarnings"), i)) is { } warning)
                {
                    options.PurgeWarnings.Add(warning);
                }
            }
        }

        if (fields.ContainsKey("channels") && Fields.ReadOptionalArray(fields, path, "channels") is { } channels)
        {
            options.Channels.Clear();
            for (var i = 0; i < channels.Length; i++)
            {
                if (Fields.ReadString(channels[i], JsonFields.Index(JsonFields.Field(path, "channels"), i), allowEmpty: true) is { } channel)
                {
                    options.Channels.Add(channel);
                }
            }
        }

        if (Fields.Count > before)
        {
            return null;
        }

        var problems = LifecyclePolicy.Validate(options);
        foreach (var problem in problems)
        {
            Fields.Add(path + "." + problem.Path, problem.Message);
        }

        return problems.Count > 0 ? null : LifecyclePolicy.Create(options);
    }
}
