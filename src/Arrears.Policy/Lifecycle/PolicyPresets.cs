using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace Arrears.Policy;

/// <summary>A named, documented lifecycle policy of a real product, with the source its rules were read from.</summary>
/// <param name="Name">The preset's name, for example <c>tencent-api-gateway</c>.</param>
/// <param name="Product">The product the rules belong to.</param>
/// <param name="Summary">The rules in one or two sentences.</param>
/// <param name="Source">The public document the rules come from.</param>
/// <param name="ReadOn">The date the document was read.</param>
/// <param name="Policy">The policy.</param>
public sealed record PolicyPreset(string Name, string Product, string Summary, Uri Source, LocalDate ReadOn, LifecyclePolicy Policy);

/// <summary>Lifecycle policies of real products, as data. Each records its source and the date it was read.</summary>
/// <remarks>See docs/presets.md for the quoted rules and how each was mapped onto a policy.</remarks>
public static class PolicyPresets
{
    /// <summary>Gets the Tencent Cloud API Gateway policy: 24 hours of grace (inclusive), 180 days of retention (inclusive), warnings 7 days and 1 day before the purge.</summary>
    public static PolicyPreset TencentApiGateway { get; } = new(
        "tencent-api-gateway",
        "Tencent Cloud API Gateway",
        "Service keeps working within 24 hours (inclusive) of the balance going negative; then APIs are suspended and the creator and all collaborators are told by email and SMS. Paying within 180 days resumes automatically; otherwise configuration and data are destroyed.",
        new Uri("https://www.tencentcloud.com/document/product/628/39300"),
        new LocalDate(2026, 11, 26),
        Build("tencent-api-gateway", Duration.FromHours(24), Duration.FromDays(180)));

    /// <summary>Gets every preset, by name.</summary>
    public static IReadOnlyList<PolicyPreset> All { get; } = [TencentApiGateway];

    /// <summary>Gets the names of every preset.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(preset => preset.Name)];

    /// <summary>Looks up a preset by name (ordinal, case-sensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="preset">The preset when found.</param>
    /// <returns><see langword="true"/> when a preset has that name.</returns>
    public static bool TryGet(string? name, [NotNullWhen(true)] out PolicyPreset? preset)
    {
        preset = All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
        return preset is not null;
    }

    /// <summary>Returns a preset by name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The preset.</returns>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the known ones.</exception>
    public static PolicyPreset Get(string name) =>
        TryGet(name, out var preset)
            ? preset
            : throw new ArgumentException($"policy: unknown preset \"{name}\"; known presets: {string.Join(", ", Names)}", nameof(name));

    private static LifecyclePolicy Build(
        string name,
        Duration grace,
        Duration retention,
        decimal? resumeMinimumBalance = null,
        Action<LifecyclePolicyOptions>? configure = null)
    {
        var options = new LifecyclePolicyOptions
        {
            Name = name,
            Grace = grace,
            Retention = retention,
            ResumeMinimumBalance = resumeMinimumBalance,
        };
        configure?.Invoke(options);
        return LifecyclePolicy.Create(options);
    }
}
