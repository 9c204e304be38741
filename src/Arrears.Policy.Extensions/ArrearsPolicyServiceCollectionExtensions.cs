using Arrears.Policy;
using Arrears.Policy.DependencyInjection;
using Arrears.Policy.DependencyInjection.Internal;
using Arrears.Policy.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Arrears.Policy runtime, its start-up validation and its hosted service.</summary>
/// <remarks>
/// <para>
/// <c>AddArrearsPolicy</c> registers <see cref="ArrearsRuntime"/> (the host's API: register accounts, append entries and
/// usage) and <see cref="AccountPolicyRegistry"/> as singletons, the defaults of <see cref="ArrearsPolicyBuilder"/>, the
/// validation that runs when the host starts, and a hosted service that evaluates what is due and delivers the outbox,
/// sleeping until the next due instant or until new facts arrive (there is no polling interval).
/// </para>
/// <para>
/// Configuration, read once when the host starts, holds runtime options and account policies. Durations are ISO 8601
/// (<c>PT24H</c>, <c>P180D</c>); lists are arrays or one comma-separated value; keys are case-insensitive; a key that
/// means nothing is an error, so a typo fails at start:
/// </para>
/// <code>
/// {
///   "Arrears": {
///     "Runtime": { "BatchSize": 1000, "MaxAttempts": 12, "ClaimLease": "PT5M", "BaseRetryDelay": "PT30S", "MaxRetryDelay": "PT1H" },
///     "Policies": {
///       "api-gateway": { "Preset": "tencent-api-gateway", "Grace": "PT24H", "Retention": "P180D", "GraceBoundary": "Exclusive",
///                        "Channels": [ "Email" ], "PurgeWarnings": [ "P7D", "P1D" ],
///                        "Routes": { "BalanceLow": { "Audience": "Creator", "Channels": [ "Email" ] } } },
///       "redis": "tencent-redis",
///       "cloud": { "Products": { "apigw": { "Preset": "tencent-api-gateway" }, "cvm": { "Preset": "tencent-cvm", "Grace": "PT4H" } } }
///     }
///   }
/// }
/// </code>
/// <para>
/// A policy's settings are those of <see cref="LifecyclePolicyOptions"/> (<c>Name</c>, <c>Grace</c>,
/// <c>GraceBoundary</c>, <c>Retention</c>, <c>RetentionBoundary</c>, <c>Tolerance</c>, <c>ResumeMinimumBalance</c>,
/// <c>PurgeWarnings</c>, <c>Channels</c>, <c>Routes:{kind}:Audience</c>, <c>Routes:{kind}:Channels</c>,
/// <c>HoldLimits:Suspension</c> and <c>HoldLimits:Purge</c>), over the
/// named <c>Preset</c> or over the defaults; a policy of several products sets them under <c>Products:{product}</c>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddArrearsPolicy(builder.Configuration.GetSection("Arrears"))
///     .AddNotifier&lt;EmailNotifier&gt;()
///     .AddNotifier&lt;SmsNotifier&gt;()
///     .UseEnforcementHandler&lt;GatewaySwitch&gt;();
/// using var host = builder.Build();
/// await host.StartAsync();   // throws OptionsValidationException listing every problem, or starts the hosted service
/// var runtime = host.Services.GetRequiredService&lt;ArrearsRuntime&gt;();
/// await runtime.RegisterAsync(registration, cancellationToken);
/// </code>
/// </example>
public static class ArrearsPolicyServiceCollectionExtensions
{
    /// <summary>Registers the runtime, its defaults, its start-up validation and its hosted service; configure it with the returned builder.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder.</returns>
    public static ArrearsPolicyBuilder AddArrearsPolicy(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // One options object for everything, so that a failed start lists every problem in one exception.
        services.AddOptions<ArrearsPolicyOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArrearsPolicyOptions>, ArrearsPolicyValidator>(
            provider => new ArrearsPolicyValidator(provider)));

        services.TryAddSingleton<IArrearsStore, InMemoryArrearsStore>();
        services.TryAddSingleton<IRecipientDirectory>(RecipientsAreAddresses.Instance);
#pragma warning disable RS0030 // The one place allowed to read SystemClock.Instance: the default clock of a host, replaced by a FakeClock in tests.
        services.TryAddSingleton<IClock>(SystemClock.Instance);
#pragma warning restore RS0030

        services.TryAddSingleton(CreateRegistry);
        services.TryAddSingleton(CreateRuntime);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ArrearsHostedService>(CreateHostedService));
        return new ArrearsPolicyBuilder(services);
    }

    /// <summary>Registers the runtime as <see cref="AddArrearsPolicy(IServiceCollection)"/> does, and reads runtime options and account policies from configuration.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to read, typically <c>configuration.GetSection("Arrears")</c>: <c>Runtime</c> and <c>Policies</c> below it.</param>
    /// <returns>The builder.</returns>
    public static ArrearsPolicyBuilder AddArrearsPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddArrearsPolicy();
        if (!services.Any(descriptor => descriptor.ImplementationInstance is ArrearsConfigurationReader reader && reader.Configuration == configuration))
        {
            services.AddSingleton<IConfigureOptions<ArrearsPolicyOptions>>(new ArrearsConfigurationReader(configuration));
        }

        return builder;
    }

    private static AccountPolicyRegistry CreateRegistry(IServiceProvider services)
    {
        var options = OptionsOf(services); // validated: throws listing every problem
        var errors = new List<string>();
        var policies = PolicyCatalog.Build(options, errors);
        return errors.Count > 0
            ? throw new OptionsValidationException(Options.Options.DefaultName, typeof(ArrearsPolicyOptions), errors)
            : new AccountPolicyRegistry(policies.ToDictionary(pair => pair.Key, pair => pair.Value.Policy, StringComparer.Ordinal));
    }

    private static ArrearsRuntime CreateRuntime(IServiceProvider services)
    {
        var options = OptionsOf(services);
        var logger = LoggerFor(services, Log.DeliveryCategory);
        return new ArrearsRuntime(
            services.GetRequiredService<IArrearsStore>(),
            services.GetRequiredService<AccountPolicyRegistry>(),
            services.GetRequiredService<IClock>(),
            [.. services.GetServices<INotifier>().Select(notifier => new LoggingNotifier(notifier, logger))],
            new LoggingEnforcementHandler(services.GetRequiredService<IEnforcementHandler>(), logger),
            services.GetRequiredService<IRecipientDirectory>(),
            options.Runtime);
    }

    private static ArrearsHostedService CreateHostedService(IServiceProvider services)
    {
        var runtime = services.GetRequiredService<ArrearsRuntime>();
        var options = OptionsOf(services);
        var policies = string.Join(", ", services.GetRequiredService<AccountPolicyRegistry>().Names);
        var channels = string.Join(", ", services.GetServices<INotifier>().Select(n => $"{n.Channel} ({n.GetType().Name})").Order(StringComparer.Ordinal));
        var store = services.GetRequiredService<IArrearsStore>().GetType().Name;
        var enforcement = services.GetRequiredService<IEnforcementHandler>().GetType().Name;
        var directory = services.GetRequiredService<IRecipientDirectory>().GetType().Name;
        return new ArrearsHostedService(
            runtime,
            services.GetRequiredService<IClock>(),
            options.Runtime,
            LoggerFor(services, Log.HostCategory),
            logger => Log.Started(logger, policies, channels, store, enforcement, directory));
    }

    /// <summary>
    /// Returns the options as start-up validation saw them: <c>ValidateOnStart</c> reads them through the options monitor,
    /// whose cache differs from that of <see cref="IOptions{TOptions}"/>, so reading them the same way validates and builds
    /// the policies once. Reading them before the host starts validates them here, with the same list of problems.
    /// </summary>
    private static ArrearsPolicyOptions OptionsOf(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<ArrearsPolicyOptions>>().Get(Options.Options.DefaultName);

    private static ILogger LoggerFor(IServiceProvider services, string category) =>
        (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(category);
}
