using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace Arrears.Policy.Presets;

/// <summary>A named, documented lifecycle policy of a real product, with the source its rules were read from.</summary>
/// <param name="Name">The preset's name, for example <c>tencent-api-gateway</c>.</param>
/// <param name="Product">The product the rules belong to.</param>
/// <param name="Summary">The rules in one or two sentences.</param>
/// <param name="Source">The public document the rules come from.</param>
/// <param name="ReadOn">The date the document was read.</param>
/// <param name="Policy">The policy.</param>
/// <example>
/// <code>
/// PolicyPreset preset = PolicyPresets.Get("tencent-cvm");
/// // preset.Policy.Grace == Duration.FromHours(2); preset.Source is the page the rules were read from, preset.ReadOn when
/// </code>
/// </example>
public sealed record PolicyPreset(string Name, string Product, string Summary, Uri Source, LocalDate ReadOn, LifecyclePolicy Policy);

/// <summary>Lifecycle policies of real products, as data. Each records its source and the date it was read.</summary>
/// <remarks>See docs/presets.md for the quoted rules and how each was mapped onto a policy.</remarks>
/// <example>
/// <code>
/// LifecyclePolicy gateway = PolicyPresets.TencentApiGateway.Policy;
/// if (!PolicyPresets.TryGet(name, out var preset))
/// {
///     Console.Error.WriteLine($"known presets: {string.Join(", ", PolicyPresets.Names)}");
/// }
/// </code>
/// </example>
public static class PolicyPresets
{
    /// <summary>
    /// Gets the Tencent Cloud API Gateway policy: 24 hours of grace (inclusive), then suspension with the creator and all
    /// collaborators told by email and SMS; 180 days of retention (inclusive), then purge. Beyond the document, it warns
    /// 7 days and 1 day before the purge.
    /// </summary>
    public static PolicyPreset TencentApiGateway { get; } = new(
        "tencent-api-gateway",
        "Tencent Cloud API Gateway (pay-as-you-go)",
        "Service keeps working within 24 hours (inclusive) of the balance going negative; then APIs are suspended and the creator and all collaborators are told by email and SMS. Paying the past-due charges within 180 days resumes automatically; otherwise configuration and data are destroyed.",
        new Uri("https://www.tencentcloud.com/document/product/628/11934"),
        new LocalDate(2026, 11, 26),
        Build("tencent-api-gateway", Duration.FromHours(24), Duration.FromDays(180), [Duration.FromDays(7), Duration.FromDays(1)]));

    /// <summary>
    /// Gets the Tencent Cloud CVM pay-as-you-go policy: 2 hours of grace, then the instance is shut down; it is repossessed
    /// (data erased) after 15 days; resuming needs a positive balance. Beyond the document, it warns 1 day before.
    /// </summary>
    public static PolicyPreset TencentCvm { get; } = new(
        "tencent-cvm",
        "Tencent Cloud CVM (pay-as-you-go)",
        "Instances keep running (and billing) for 2 hours after the balance falls below zero; then they shut down. Topping up to a positive balance within 15 days resumes them; after 15 days they are repossessed and all data is erased.",
        new Uri("https://intl.cloud.tencent.com/document/product/213/2181"),
        new LocalDate(2026, 11, 26),
        Build("tencent-cvm", Duration.FromHours(2), Duration.FromDays(15), [Duration.FromDays(1)], resumeMinimumBalance: 0.01m));

    /// <summary>
    /// Gets the TencentDB for Redis pay-as-you-go policy: 24 hours of grace, then shut down; repossessed after 3 days.
    /// Beyond the document, it warns 1 day before.
    /// </summary>
    public static PolicyPreset TencentRedis { get; } = new(
        "tencent-redis",
        "TencentDB for Redis (pay-as-you-go)",
        "Instances stay available (and billed) for 24 hours after the account becomes overdue; then they shut down. Paying within 3 days lets them start again; otherwise they are repossessed and all data is erased.",
        new Uri("https://www.tencentcloud.com/document/product/239/31956"),
        new LocalDate(2026, 11, 26),
        Build("tencent-redis", Duration.FromHours(24), Duration.FromDays(3), [Duration.FromDays(1)]));

    /// <summary>
    /// Gets the Tencent Cloud Load Balancer pay-as-you-go policy: 2 hours of grace, then isolated; released after 7 days.
    /// Beyond the document, it warns 1 day before.
    /// </summary>
    public static PolicyPreset TencentClb { get; } = new(
        "tencent-clb",
        "Tencent Cloud Load Balancer (pay-as-you-go)",
        "Load balancers keep working (and billing) for 2 hours after the balance goes negative; then they are isolated and suspended. Isolated load balancers are released after 7 days and cannot be recovered.",
        new Uri("https://intl.cloud.tencent.com/document/product/214/52660"),
        new LocalDate(2026, 11, 26),
        Build("tencent-clb", Duration.FromHours(2), Duration.FromDays(7), [Duration.FromDays(1)]));

    /// <summary>
    /// Gets the Alibaba Cloud account-level overdue policy: a 15-day limited use period, then suspension; release 15 days
    /// later. Restarting an ECS instance needs a balance of at least 100.00 (CNY). Warns 1 day before the release.
    /// </summary>
    public static PolicyPreset AlibabaCloud { get; } = new(
        "alibaba-cloud",
        "Alibaba Cloud (account overdue, ECS restart rule)",
        "Services keep running for a 15-day limited use period after the account becomes overdue; then all services and instances are suspended, and released if the account is still overdue 15 days after the suspension. Restarting an ECS instance after settling needs a balance of at least CNY 100.00.",
        new Uri("https://www.alibabacloud.com/help/doc-detail/106940.htm"),
        new LocalDate(2026, 11, 26),
        Build("alibaba-cloud", Duration.FromDays(15), Duration.FromDays(15), [Duration.FromDays(1)], resumeMinimumBalance: 100m));

    /// <summary>Gets every preset.</summary>
    public static IReadOnlyList<PolicyPreset> All { get; } = [TencentApiGateway, TencentCvm, TencentRedis, TencentClb, AlibabaCloud];

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
        Duration[] purgeWarnings,
        decimal? resumeMinimumBalance = null)
    {
        var options = new LifecyclePolicyOptions
        {
            Name = name,
            Grace = grace,
            Retention = retention,
            ResumeMinimumBalance = resumeMinimumBalance,
        };
        options.PurgeWarnings.ReplaceWith(purgeWarnings);

        return LifecyclePolicy.Create(options);
    }
}
