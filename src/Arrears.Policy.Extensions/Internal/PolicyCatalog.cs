namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>Builds the defined account policies, collecting every problem instead of stopping at the first.</summary>
internal static class PolicyCatalog
{
    /// <summary>
    /// Builds every definition, once per options object (start-up validation and the registry both ask, and a configure
    /// delegate of <c>AddPolicy</c> runs once); a name defined twice, a policy that does not build, or no policy at all is an error.
    /// </summary>
    /// <param name="options">The options holding the definitions, complete (after every configure step).</param>
    /// <param name="errors">Receives one line per problem.</param>
    /// <returns>The policies that built, by name, with the source each came from.</returns>
    public static Dictionary<string, (AccountPolicy Policy, string Source)> Build(ArrearsPolicyOptions options, List<string> errors)
    {
        var catalog = options.Catalog ??= Compute(options);
        errors.AddRange(catalog.Errors);
        return catalog.Policies;
    }

    private static (Dictionary<string, (AccountPolicy Policy, string Source)> Policies, List<string> Errors) Compute(ArrearsPolicyOptions options)
    {
        var errors = new List<string>();
        var built = new Dictionary<string, (AccountPolicy, string)>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var definition in options.Policies)
        {
            if (sources.TryGetValue(definition.Name, out var first))
            {
                errors.Add($"policy \"{definition.Name}\": defined twice, by {first} and by {definition.Source}; give each account policy one definition");
                continue;
            }

            sources.Add(definition.Name, definition.Source);
            try
            {
                if (definition.Build() is { } policy)
                {
                    built.Add(definition.Name, (policy, definition.Source));
                }
            }
            catch (PolicyValidationException ex)
            {
                errors.AddRange(ex.Errors.Select(error => $"policy \"{definition.Name}\" ({definition.Source}): {error}"));
            }
            catch (ArgumentException ex)
            {
                errors.Add($"policy \"{definition.Name}\" ({definition.Source}): {ex.Message}");
            }
        }

        if (options.Policies.Count == 0)
        {
            errors.Add("policies: no account policy is defined; add one with AddPreset or AddPolicy, or under Policies in configuration (for example Arrears:Policies:api-gateway:Preset = tencent-api-gateway)");
        }

        return (built, errors);
    }
}
