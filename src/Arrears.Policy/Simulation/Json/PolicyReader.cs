using System.Text.Json;
using System.Text.RegularExpressions;
using Arrears.Policy.Presets;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads a policy as it appears in a scenario: a preset name, or a policy object (<c>{ "preset": NAME, ...overrides }</c>
/// or every setting), checked with <see cref="LifecyclePolicy.Validate"/> and its problems mapped to JSON paths.
/// </summary>
/// <remarks>
/// Channel names, in <c>channels</c> and in <c>routes</c>, must be a known channel (<c>Email</c>, <c>SMS</c>,
/// <c>Webhook</c>) or one the scenario declares in its own <c>channels</c>, so that a typo such as <c>Emial</c> is an
/// error rather than a channel nobody delivers.
/// </remarks>
internal sealed partial class PolicyReader
{
    /// <summary>The channels every scenario may use without declaring them.</summary>
    public static readonly string[] KnownChannels = ["Email", "SMS", "Webhook"];

    /// <summary>The fields of a policy object: <c>preset</c> and every setting.</summary>
    private static readonly string[] PolicyFields =
        ["preset", "grace", "graceBoundary", "retention", "retentionBoundary", "tolerance", "resumeMinimumBalance", "purgeWarnings", "channels", "routes", "holdLimits"];

    private static readonly string[] Boundaries = ["Inclusive", "Exclusive"];
    private static readonly string[] RouteFields = ["audience", "channels"];
    private static readonly string[] Audiences = ["Creator", "Collaborators", "Everyone", "None"];
    private static readonly string[] HoldLimitFields = ["suspension", "purge"];
    private static readonly string[] NotificationKinds = Enum.GetNames<NotificationKind>();

    /// <summary>Initializes a reader that reports problems to <paramref name="fields"/>.</summary>
    /// <param name="fields">Where problems go.</param>
    /// <param name="declaredChannels">The custom channels the scenario declares (besides the known ones).</param>
    public PolicyReader(JsonFields fields, IReadOnlyCollection<string>? declaredChannels = null)
    {
        Fields = fields;
        DeclaredChannels = declaredChannels ?? [];
    }

    /// <summary>The pattern a custom channel name follows: a letter, then letters, digits and hyphens.</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]*$", RegexOptions.CultureInvariant)]
    public static partial Regex ChannelName();

    private IReadOnlyCollection<string> DeclaredChannels { get; }

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

        if (fields.ContainsKey("channels") && ReadChannels(fields, path) is { } channels)
        {
            options.Channels.ReplaceWith(channels);
        }

        if (fields.TryGetValue("routes", out var routes))
        {
            ReadRoutes(routes, JsonFields.Field(path, "routes"), options);
        }

        if (fields.TryGetValue("holdLimits", out var limits))
        {
            ReadHoldLimits(limits, JsonFields.Field(path, "holdLimits"), options);
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

    /// <summary>Reads the <c>channels</c> array of a policy object (or of a route), checking each name.</summary>
    private List<string>? ReadChannels(Dictionary<string, JsonElement> fields, string path)
    {
        if (Fields.ReadOptionalArray(fields, path, "channels") is not { } array)
        {
            return null;
        }

        var channels = new List<string>();
        for (var i = 0; i < array.Length; i++)
        {
            var itemPath = JsonFields.Index(JsonFields.Field(path, "channels"), i);
            if (Fields.ReadString(array[i], itemPath, allowEmpty: true) is not { } channel)
            {
                continue;
            }

            if (channel.Trim().Length > 0 && !KnownChannels.Contains(channel, StringComparer.Ordinal) && !DeclaredChannels.Contains(channel))
            {
                Fields.Add(itemPath, UnknownChannel(channel, DeclaredChannels));
                continue;
            }

            channels.Add(channel);
        }

        return channels;
    }

    /// <summary>The message for a channel that is neither known nor declared, with the closest name when there is one.</summary>
    public static string UnknownChannel(string channel, IReadOnlyCollection<string> declared)
    {
        // Channel names are short: two edits (a swap such as "Emial") still point at the intended one.
        var suggestion = JsonFields.Suggest(channel, [.. KnownChannels, .. declared], maxDistance: 2);
        var hint = suggestion is null ? string.Empty : $", did you mean \"{suggestion}\"?";
        var declaredText = declared.Count == 0 ? string.Empty : $" ({string.Join(", ", declared)})";
        return $"must be a known channel ({string.Join(", ", KnownChannels)}) or one declared in the scenario's \"channels\"{declaredText}, got {Invariant.Quote(channel)}{hint}";
    }

    /// <summary>Reads <c>routes</c>: per notification kind, an audience and channels.</summary>
    private void ReadRoutes(JsonElement element, string path, LifecyclePolicyOptions options)
    {
        if (Fields.ReadObject(element, path, NotificationKinds) is not { } kinds)
        {
            return;
        }

        foreach (var (name, value) in kinds)
        {
            var routePath = JsonFields.Field(path, name);
            if (Fields.ReadObject(value, routePath, RouteFields) is not { } route)
            {
                continue;
            }

            var audience = Fields.OneOf(route, routePath, "audience", required: false, Audiences) is { } text ? Enum.Parse<Audience>(text) : Audience.Everyone;
            var channels = route.ContainsKey("channels") ? ReadChannels(route, routePath) : [];
            if (channels is not null)
            {
                options.Routes[Enum.Parse<NotificationKind>(name)] = new NotificationRoute(audience, channels);
            }
        }
    }

    /// <summary>Reads <c>holdLimits</c>: per kind (<c>suspension</c>, <c>purge</c>) a duration, or null for no limit.</summary>
    private void ReadHoldLimits(JsonElement element, string path, LifecyclePolicyOptions options)
    {
        if (Fields.ReadObject(element, path, HoldLimitFields) is not { } limits)
        {
            return;
        }

        foreach (var (name, value) in limits)
        {
            var kind = name == "suspension" ? HoldKind.Suspension : HoldKind.Purge;
            if (value.ValueKind == JsonValueKind.Null)
            {
                options.HoldLimits.Remove(kind);
            }
            else if (Fields.ReadDuration(value, JsonFields.Field(path, name)) is { } limit)
            {
                options.HoldLimits[kind] = limit;
            }
        }
    }
}
