using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Extensions.Tests;

/// <summary>Builds hosts the way an application does, with scope and build validation on, a FakeClock and a recording logger.</summary>
internal static class TestHost
{
    public static readonly Instant Start = Instant.FromUtc(2026, 2, 1, 8, 30);

    public static IHost Build(
        Action<ArrearsPolicyBuilder> configure,
        IReadOnlyDictionary<string, string?>? configuration = null,
        FakeClock? clock = null,
        RecordingLoggerProvider? logs = null,
        string? json = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddSingleton<IClock>(clock ?? new FakeClock(Start));
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        if (json is not null)
        {
            builder.Configuration.AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        }

        configure(builder.Services.AddArrearsPolicy(builder.Configuration.GetSection("Arrears")));
        return builder.Build();
    }

    public static ServiceProvider Provider(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
