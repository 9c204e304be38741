using Arrears.Policy.DependencyInjection.Internal;
using Arrears.Policy.Presets;
using Arrears.Policy.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Arrears.Policy.DependencyInjection;

/// <summary>
/// Configures the Arrears.Policy runtime of a service collection: its named account policies, store, notifiers,
/// enforcement handler, recipient directory and runtime options. Returned by
/// <see cref="ArrearsPolicyServiceCollectionExtensions.AddArrearsPolicy(IServiceCollection)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Nothing is checked or built here. When the host starts (or when <see cref="ArrearsRuntime"/> is first resolved), every
/// problem is listed in one <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>: configuration that does
/// not parse, invalid runtime options or policies, an account policy routing to a channel that no notifier delivers (a
/// policy that says <c>Emial</c> fails at start, not at 3 a.m.), two notifiers for one channel, and no enforcement handler.
/// </para>
/// <para>
/// There is no <c>Name</c>: a service provider holds one runtime, because one store holds all of a host's accounts and
/// their outbox. What differs between products is named within it: each account names the account policy it follows.
/// Calling <c>AddArrearsPolicy</c> again returns a builder over the same runtime.
/// </para>
/// <para>
/// Defaults, each registered only if nothing else is: the in-memory store, <see cref="RecipientsAreAddresses"/> as the
/// recipient directory, and NodaTime's system clock as <see cref="NodaTime.IClock"/> (tests register a <c>FakeClock</c>).
/// There is no default enforcement handler, on purpose: a suspension that is decided but never enforced is the worst
/// failure of this library, so a host without one does not start. A host that enforces elsewhere registers a handler that
/// says so.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// builder.Services.AddSingleton(clock);   // optional: NodaTime's system clock by default
/// builder.Services.AddArrearsPolicy(builder.Configuration.GetSection("Arrears"))
///     .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
///     .AddPolicy("cloud", policy =&gt; policy
///         .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
///         .AddProduct("cvm", PolicyPresets.TencentCvm.Policy))
///     .AddNotifier&lt;EmailNotifier&gt;()
///     .AddNotifier&lt;SmsNotifier&gt;()
///     .UseEnforcementHandler&lt;GatewaySwitch&gt;()
///     .UseRecipientDirectory&lt;UsersDirectory&gt;()
///     .ConfigureRuntime(runtime =&gt; runtime.MaxAttempts = 12);
/// </code>
/// </example>
public sealed class ArrearsPolicyBuilder
{
    internal ArrearsPolicyBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection, for packages that add stores or notifiers (<c>UseSqliteStore</c>, an SMTP notifier).</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a single-product account policy from a preset.</summary>
    /// <param name="name">The name accounts refer to (<see cref="AccountRegistration.Policy"/>); unique.</param>
    /// <param name="preset">The preset, for example <see cref="PolicyPresets.TencentApiGateway"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public ArrearsPolicyBuilder AddPreset(string name, PolicyPreset preset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(preset);
        return Define(name, $"AddPreset(\"{preset.Name}\")", () => AccountPolicy.For(preset.Policy));
    }

    /// <summary>Adds a single-product account policy from a preset named as in <see cref="PolicyPresets.Names"/>.</summary>
    /// <param name="name">The name accounts refer to; unique.</param>
    /// <param name="presetName">The preset's name, for example <c>tencent-api-gateway</c>; an unknown name fails at start, listing the presets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public ArrearsPolicyBuilder AddPreset(string name, string presetName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(presetName);
        return Define(name, $"AddPreset(\"{presetName}\")", () => PolicyPresets.TryGet(presetName, out var preset)
            ? AccountPolicy.For(preset.Policy)
            : throw new PolicyValidationException([new ValidationError("preset", $"unknown preset, got \"{presetName}\"; the presets are {string.Join(", ", PolicyPresets.Names)}")]));
    }

    /// <summary>Adds an account policy built in code.</summary>
    /// <param name="name">The name accounts refer to; unique.</param>
    /// <param name="policy">The policy, for example <c>AccountPolicy.For(LifecyclePolicy.Create(options))</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public ArrearsPolicyBuilder AddPolicy(string name, AccountPolicy policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(policy);
        return Define(name, "AddPolicy", () => policy);
    }

    /// <summary>Adds an account policy of several products; it is built when the host starts, and its problems are listed with every other.</summary>
    /// <param name="name">The name accounts refer to; unique.</param>
    /// <param name="configure">Adds the products (and the balance alarm's route) to a new <see cref="AccountPolicyBuilder"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public ArrearsPolicyBuilder AddPolicy(string name, Action<AccountPolicyBuilder> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        return Define(name, "AddPolicy", () =>
        {
            var builder = new AccountPolicyBuilder();
            configure(builder);
            return builder.Build();
        });
    }

    /// <summary>Adds a notifier, created by the container as a singleton; adding the same type twice adds it once.</summary>
    /// <typeparam name="TNotifier">The notifier; it delivers the channel its <see cref="INotifier.Channel"/> names.</typeparam>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder AddNotifier<TNotifier>()
        where TNotifier : class, INotifier
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, TNotifier>());
        return this;
    }

    /// <summary>Adds a notifier instance.</summary>
    /// <param name="notifier">The notifier; it delivers the channel its <see cref="INotifier.Channel"/> names.</param>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder AddNotifier(INotifier notifier)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        Services.AddSingleton(notifier);
        return this;
    }

    /// <summary>Sets the enforcement handler, created by the container as a singleton, replacing any earlier one.</summary>
    /// <typeparam name="THandler">The host's handler: turns a product's service off, on, or deletes it.</typeparam>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder UseEnforcementHandler<THandler>()
        where THandler : class, IEnforcementHandler
    {
        Services.RemoveAll<IEnforcementHandler>();
        Services.AddSingleton<IEnforcementHandler, THandler>();
        return this;
    }

    /// <summary>Sets the enforcement handler instance, replacing any earlier one.</summary>
    /// <param name="handler">The host's handler.</param>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder UseEnforcementHandler(IEnforcementHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Services.RemoveAll<IEnforcementHandler>();
        Services.AddSingleton(handler);
        return this;
    }

    /// <summary>Sets the recipient directory, created by the container as a singleton, replacing the default <see cref="RecipientsAreAddresses"/>.</summary>
    /// <typeparam name="TDirectory">The directory: resolves recipients to email addresses and phone numbers.</typeparam>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder UseRecipientDirectory<TDirectory>()
        where TDirectory : class, IRecipientDirectory
    {
        Services.RemoveAll<IRecipientDirectory>();
        Services.AddSingleton<IRecipientDirectory, TDirectory>();
        return this;
    }

    /// <summary>Sets the recipient directory instance, for example an <see cref="InMemoryRecipientDirectory"/>, replacing the default.</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder UseRecipientDirectory(IRecipientDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Services.RemoveAll<IRecipientDirectory>();
        Services.AddSingleton(directory);
        return this;
    }

    /// <summary>Sets the store, created by the container as a singleton, replacing any earlier one (store packages call this).</summary>
    /// <typeparam name="TStore">The store.</typeparam>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder UseStore<TStore>()
        where TStore : class, IArrearsStore
    {
        Services.RemoveAll<IArrearsStore>();
        Services.AddSingleton<IArrearsStore, TStore>();
        return this;
    }

    /// <summary>Uses the <see cref="InMemoryArrearsStore"/>, the default: nothing survives the process (tests, small hosts).</summary>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder UseInMemoryStore() => UseStore<InMemoryArrearsStore>();

    /// <summary>Configures the runtime options: batch sizes, parallelism, leases, retries. Runs after configuration is read, so code wins.</summary>
    /// <param name="configure">Changes the options; they are validated at start with everything else.</param>
    /// <returns>This builder.</returns>
    public ArrearsPolicyBuilder ConfigureRuntime(Action<ArrearsRuntimeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.PostConfigure<ArrearsPolicyOptions>(options => configure(options.Runtime));
        return this;
    }

    private ArrearsPolicyBuilder Define(string name, string source, Func<AccountPolicy?> build)
    {
        Services.Configure<ArrearsPolicyOptions>(options => options.Policies.Add(new PolicyDefinition(name, source, build)));
        return this;
    }
}
