using Arrears.Policy.Text;
using System.Globalization;
using Arrears.Policy.Presets;
using Arrears.Policy.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>
/// Reads the runtime options and the account policies from configuration (the <c>Arrears</c> section, typically):
/// <c>Runtime:BatchSize</c>, <c>Policies:{name}:Preset</c>, <c>Policies:{name}:Grace = PT24H</c> and so on.
/// </summary>
/// <remarks>
/// Configuration is read by hand rather than by the configuration binder: durations are ISO 8601 (<c>PT24H</c>,
/// <c>P180D</c>), which NodaTime's type converter does not read, and a value that does not parse, or a key that means
/// nothing, is recorded with its key and value instead of thrown, so that start-up validation lists every problem at once.
/// Keys are case-insensitive, as everywhere in configuration. Configuration is read once, when the options are created.
/// </remarks>
internal sealed class ArrearsConfigurationReader(IConfiguration configuration) : IConfigureOptions<ArrearsPolicyOptions>
{
    private static readonly string[] RuntimeKeys =
    [
        nameof(ArrearsRuntimeOptions.BatchSize),
        nameof(ArrearsRuntimeOptions.MaxDegreeOfParallelism),
        nameof(ArrearsRuntimeOptions.ClaimLease),
        nameof(ArrearsRuntimeOptions.MaxConflictRetries),
        nameof(ArrearsRuntimeOptions.MaxAttempts),
        nameof(ArrearsRuntimeOptions.BaseRetryDelay),
        nameof(ArrearsRuntimeOptions.MaxRetryDelay),
    ];

    private static readonly string[] LifecycleKeys =
    [
        "Preset", "Name", "Grace", "GraceBoundary", "Retention", "RetentionBoundary", "Tolerance", "ResumeMinimumBalance",
        "PurgeWarnings", "Channels", "Routes", "HoldLimits",
    ];

    /// <summary>Gets the configuration this reader reads.</summary>
    public IConfiguration Configuration => configuration;

    /// <inheritdoc />
    public void Configure(ArrearsPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.BindingErrors;
        ReadRuntime(configuration.GetSection("Runtime"), options.Runtime, errors);
        foreach (var section in configuration.GetSection("Policies").GetChildren())
        {
            options.Policies.Add(ReadPolicy(section, errors));
        }
    }

    /// <summary>Parses an ISO 8601 duration: the one place configuration reads durations, through the core's <see cref="IsoDurationPattern"/>.</summary>
    internal static bool TryParseDuration(string text, out Duration duration, out string? error)
    {
        var result = IsoDurationPattern.Instance.Parse(text);
        duration = result.Success ? result.Value : default;
        error = result.Success ? null : result.Exception.Message;
        return result.Success;
    }

    private static void ReadRuntime(IConfigurationSection section, ArrearsRuntimeOptions runtime, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            switch (Known(child, RuntimeKeys, errors))
            {
                case nameof(ArrearsRuntimeOptions.BatchSize):
                    ReadInt(child, errors, value => runtime.BatchSize = value);
                    break;
                case nameof(ArrearsRuntimeOptions.MaxDegreeOfParallelism):
                    ReadInt(child, errors, value => runtime.MaxDegreeOfParallelism = value);
                    break;
                case nameof(ArrearsRuntimeOptions.MaxConflictRetries):
                    ReadInt(child, errors, value => runtime.MaxConflictRetries = value);
                    break;
                case nameof(ArrearsRuntimeOptions.MaxAttempts):
                    ReadInt(child, errors, value => runtime.MaxAttempts = value);
                    break;
                case nameof(ArrearsRuntimeOptions.ClaimLease):
                    ReadDuration(child, errors, value => runtime.ClaimLease = value);
                    break;
                case nameof(ArrearsRuntimeOptions.BaseRetryDelay):
                    ReadDuration(child, errors, value => runtime.BaseRetryDelay = value);
                    break;
                case nameof(ArrearsRuntimeOptions.MaxRetryDelay):
                    ReadDuration(child, errors, value => runtime.MaxRetryDelay = value);
                    break;
            }
        }
    }

    private static PolicyDefinition ReadPolicy(IConfigurationSection section, List<string> errors)
    {
        var name = section.Key;
        var source = $"configuration {section.Path}";
        var products = section.GetSection("Products");
        if (!products.Exists())
        {
            // "api-gateway": "tencent-api-gateway" is short for "api-gateway": { "Preset": "tencent-api-gateway" }.
            var lifecycle = ReadLifecycle(section, name, errors);
            return new PolicyDefinition(name, source, () => lifecycle is null ? null : AccountPolicy.For(LifecyclePolicy.Create(lifecycle)));
        }

        foreach (var child in section.GetChildren().Where(child => !Is(child, "Products")))
        {
            errors.Add(LifecycleKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase)
                ? $"{child.Path}: a policy with Products takes this setting per product, under {products.Path}:{{product}}:{child.Key}"
                : UnknownKey(child, ["Products"]));
        }

        var lifecycles = new List<(string Product, LifecyclePolicyOptions? Options)>();
        foreach (var product in products.GetChildren())
        {
            lifecycles.Add((product.Key, ReadLifecycle(product, product.Key, errors)));
        }

        if (lifecycles.Count == 0)
        {
            errors.Add($"{products.Path}: must name at least one product, got none");
        }

        return new PolicyDefinition(name, source, () =>
        {
            if (lifecycles.Count == 0 || lifecycles.Any(product => product.Options is null))
            {
                return null;
            }

            var builder = new AccountPolicyBuilder();
            var problems = new List<ValidationError>();
            foreach (var (product, options) in lifecycles)
            {
                problems.AddRange(LifecyclePolicy.Validate(options!).Select(error => new ValidationError($"products.{product}.{error.Path}", error.Message)));
                if (problems.Count == 0)
                {
                    builder.AddProduct(product, LifecyclePolicy.Create(options!));
                }
            }

            return problems.Count > 0 ? throw new PolicyValidationException(problems) : builder.Build();
        });
    }

    /// <summary>Reads one lifecycle policy; <see langword="null"/> when its preset is unknown (reported once, without errors that follow from it).</summary>
    private static LifecyclePolicyOptions? ReadLifecycle(IConfigurationSection section, string defaultName, List<string> errors)
    {
        var presetSection = section.Value is not null && !section.GetChildren().Any() ? section : section.GetSection("Preset");
        var known = true;
        LifecyclePolicyOptions options;
        if (presetSection.Value is { } presetName)
        {
            if (PolicyPresets.TryGet(presetName, out var preset))
            {
                options = preset.Policy.ToOptions();
            }
            else
            {
                known = false;
                options = new LifecyclePolicyOptions();
                errors.Add($"{presetSection.Path}: unknown preset, got \"{presetName}\"; the presets are {string.Join(", ", PolicyPresets.Names)}");
            }
        }
        else
        {
            options = new LifecyclePolicyOptions { Name = defaultName };
        }

        foreach (var child in section.GetChildren())
        {
            switch (Known(child, LifecycleKeys, errors))
            {
                case "Preset":
                    if (child.Value is null)
                    {
                        errors.Add($"{child.Path}: must be a preset name, got a section");
                    }

                    break;
                case "Name":
                    ReadValue(child, errors, value => options.Name = value);
                    break;
                case "Grace":
                    ReadDuration(child, errors, value => options.Grace = value);
                    break;
                case "GraceBoundary":
                    ReadName<DeadlineBoundary>(child, errors, value => options.GraceBoundary = value);
                    break;
                case "Retention":
                    ReadDuration(child, errors, value => options.Retention = value);
                    break;
                case "RetentionBoundary":
                    ReadName<DeadlineBoundary>(child, errors, value => options.RetentionBoundary = value);
                    break;
                case "Tolerance":
                    ReadDecimal(child, errors, value => options.Tolerance = value);
                    break;
                case "ResumeMinimumBalance":
                    if (child.Value is { Length: 0 })
                    {
                        options.ResumeMinimumBalance = null; // an empty value means no minimum
                    }
                    else
                    {
                        ReadDecimal(child, errors, value => options.ResumeMinimumBalance = value);
                    }

                    break;
                case "PurgeWarnings":
                    ReadList(child, errors, options.PurgeWarnings, (item, text) =>
                        TryParseDuration(text, out var warning, out var error) ? warning : Invalid<Duration>(item, error!, errors));
                    break;
                case "Channels":
                    ReadList(child, errors, options.Channels, (_, text) => text);
                    break;
                case "Routes":
                    ReadRoutes(child, options, errors);
                    break;
                case "HoldLimits":
                    ReadHoldLimits(child, options, errors);
                    break;
            }
        }

        return known ? options : null;
    }

    private static void ReadRoutes(IConfigurationSection routes, LifecyclePolicyOptions options, List<string> errors)
    {
        foreach (var route in routes.GetChildren())
        {
            if (!TryParseName<NotificationKind>(route.Key, out var kind))
            {
                errors.Add($"{route.Path}: unknown notification kind, got \"{route.Key}\"; the kinds are {string.Join(", ", Enum.GetNames<NotificationKind>())}");
                continue;
            }

            var audience = options.Routes.TryGetValue(kind, out var existing) ? existing.Audience : Audience.Everyone;
            var channels = new List<string>(existing?.Channels ?? []);
            foreach (var child in route.GetChildren())
            {
                switch (Known(child, ["Audience", "Channels"], errors))
                {
                    case "Audience":
                        ReadName<Audience>(child, errors, value => audience = value);
                        break;
                    case "Channels":
                        ReadList(child, errors, channels, (_, text) => text);
                        break;
                }
            }

            options.Routes[kind] = new NotificationRoute(audience, channels);
        }
    }

    /// <summary>
    /// Reads <c>HoldLimits</c>: per kind (<c>Suspension</c>, <c>Purge</c>) the longest hold a host may grant, as an ISO 8601
    /// duration; an empty value (or JSON <c>null</c>) removes the kind's limit, a kind not named keeps the preset's.
    /// </summary>
    private static void ReadHoldLimits(IConfigurationSection limits, LifecyclePolicyOptions options, List<string> errors)
    {
        if (limits.Value is { Length: > 0 } value)
        {
            errors.Add($"{limits.Path}: must be a section with Suspension and Purge, got \"{value}\"");
            return;
        }

        foreach (var child in limits.GetChildren())
        {
            var kind = Known(child, ["Suspension", "Purge"], errors) switch
            {
                "Suspension" => HoldKind.Suspension,
                "Purge" => HoldKind.Purge,
                _ => (HoldKind?)null,
            };
            if (kind is not { } known)
            {
                continue;
            }

            if (string.IsNullOrEmpty(child.Value) && !child.GetChildren().Any())
            {
                options.HoldLimits.Remove(known); // no limit
            }
            else
            {
                ReadDuration(child, errors, limit => options.HoldLimits[known] = limit);
            }
        }
    }

    /// <summary>Returns the canonical name of a known key; an unknown key is recorded as an error and gives <see langword="null"/>.</summary>
    private static string? Known(IConfigurationSection child, IReadOnlyList<string> keys, List<string> errors)
    {
        var key = keys.FirstOrDefault(key => string.Equals(key, child.Key, StringComparison.OrdinalIgnoreCase));
        if (key is null)
        {
            errors.Add(UnknownKey(child, keys));
        }

        return key;
    }

    private static string UnknownKey(IConfigurationSection child, IReadOnlyList<string> keys) =>
        $"{child.Path}: unknown setting \"{child.Key}\"; the settings here are {string.Join(", ", keys)}";

    private static bool Is(IConfigurationSection section, string key) => string.Equals(section.Key, key, StringComparison.OrdinalIgnoreCase);

    private static void ReadValue(IConfigurationSection section, List<string> errors, Action<string> set)
    {
        if (section.Value is { } value)
        {
            set(value);
        }
        else
        {
            errors.Add($"{section.Path}: must be a single value, got a section");
        }
    }

    private static void ReadInt(IConfigurationSection section, List<string> errors, Action<int> set) =>
        ReadValue(section, errors, text =>
        {
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                set(value);
            }
            else
            {
                Invalid<int>(section, text, "must be a whole number", errors);
            }
        });

    private static void ReadDecimal(IConfigurationSection section, List<string> errors, Action<decimal> set) =>
        ReadValue(section, errors, text =>
        {
            if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                set(value);
            }
            else
            {
                Invalid<decimal>(section, text, "must be a decimal number such as \"0.01\"", errors);
            }
        });

    private static void ReadDuration(IConfigurationSection section, List<string> errors, Action<Duration> set) =>
        ReadValue(section, errors, text =>
        {
            if (TryParseDuration(text, out var value, out var error))
            {
                set(value);
            }
            else
            {
                Invalid<Duration>(section, error!, errors);
            }
        });

    private static void ReadName<TEnum>(IConfigurationSection section, List<string> errors, Action<TEnum> set)
        where TEnum : struct, Enum =>
        ReadValue(section, errors, text =>
        {
            if (TryParseName<TEnum>(text, out var value))
            {
                set(value);
            }
            else
            {
                Invalid<TEnum>(section, text, $"must be one of {string.Join(", ", Enum.GetNames<TEnum>())}", errors);
            }
        });

    /// <summary>Parses an enum by one of its names (case-insensitive); numbers and combinations are refused.</summary>
    private static bool TryParseName<TEnum>(string text, out TEnum value)
        where TEnum : struct, Enum
    {
        var name = Enum.GetNames<TEnum>().FirstOrDefault(name => string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase));
        value = name is null ? default : Enum.Parse<TEnum>(name);
        return name is not null;
    }

    /// <summary>
    /// Replaces a list with configured items: an array (<c>PurgeWarnings:0</c>, <c>PurgeWarnings:1</c>) or one comma-separated
    /// value (<c>PurgeWarnings = P7D,P1D</c>, handy in environment variables); an empty value is an empty list. A list with an
    /// item that does not parse is recorded and left as it was.
    /// </summary>
    private static void ReadList<T>(IConfigurationSection section, List<string> errors, ICollection<T> target, Func<IConfigurationSection, string, T?> parse)
    {
        var errorsBefore = errors.Count;
        var items = new List<(IConfigurationSection Section, string Text)>();
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            items.AddRange((section.Value ?? string.Empty)
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(text => (section, text)));
        }
        else
        {
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{child.Path}: must be an array index such as {section.Path}:0, got the key \"{child.Key}\"");
                }
                else if (child.Value is null)
                {
                    errors.Add($"{child.Path}: must be a single value, got a section");
                }
                else
                {
                    items.Add((child, child.Value));
                }
            }
        }

        var parsed = new List<T>();
        foreach (var (item, text) in items)
        {
            var before = errors.Count;
            if (parse(item, text) is { } value && errors.Count == before)
            {
                parsed.Add(value);
            }
        }

        // A list with any bad item keeps its previous value: the errors already say why.
        if (errors.Count == errorsBefore)
        {
            target.Clear();
            foreach (var value in parsed)
            {
                target.Add(value);
            }
        }
    }

    /// <summary>Reports a value whose problem already names it (a parse failure's message ends with <c>, got "..."</c>).</summary>
    private static T? Invalid<T>(IConfigurationSection section, string messageWithValue, List<string> errors)
    {
        errors.Add($"{section.Path}: {messageWithValue}");
        return default;
    }

    private static T? Invalid<T>(IConfigurationSection section, string text, string message, List<string> errors)
    {
        errors.Add($"{section.Path}: {message}, got \"{text}\"");
        return default;
    }
}
