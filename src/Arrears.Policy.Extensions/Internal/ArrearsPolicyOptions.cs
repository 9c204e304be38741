using Arrears.Policy.Runtime;

namespace Arrears.Policy.DependencyInjection.Internal;

/// <summary>
/// Everything <see cref="ArrearsPolicyBuilder"/> and the configuration reader collect, validated as one options object so
/// that a host that fails to start sees every problem in one <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.
/// </summary>
internal sealed class ArrearsPolicyOptions
{
    /// <summary>Gets the runtime options: batch sizes, parallelism, leases, retries.</summary>
    public ArrearsRuntimeOptions Runtime { get; } = new();

    /// <summary>Gets the account policies, in the order they were defined.</summary>
    public List<PolicyDefinition> Policies { get; } = [];

    /// <summary>Gets the problems met while reading configuration, each naming the key and the value.</summary>
    public List<string> BindingErrors { get; } = [];

    /// <summary>Gets or sets the policies as built the first time they were asked for, so that each definition is built once.</summary>
    public (Dictionary<string, (AccountPolicy Policy, string Source)> Policies, List<string> Errors)? Catalog { get; set; }
}

/// <summary>One named account policy as it was defined: its name, where it came from, and how to build it.</summary>
/// <param name="Name">The name accounts refer to.</param>
/// <param name="Source">Where it was defined, for messages: <c>AddPreset</c>, <c>AddPolicy</c> or a configuration path.</param>
/// <param name="Build">
/// Builds the policy; throws <see cref="PolicyValidationException"/> or <see cref="ArgumentException"/> naming the problem,
/// or returns <see langword="null"/> when its problems were already recorded while reading configuration.
/// </param>
internal sealed record PolicyDefinition(string Name, string Source, Func<AccountPolicy?> Build);
