using Arrears.Policy.DependencyInjection.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Extensions.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void AddArrearsPolicy_EveryPortRegistered_ResolvesRuntimeAndRegistryFromValidatingProvider()
    {
        var clock = new FakeClock(TestHost.Start);
        var enforcement = new RecordingEnforcement();
        var directory = new InMemoryRecipientDirectory();
        using var provider = TestHost.Provider(services =>
        {
            services.AddSingleton<IClock>(clock);
            services.AddArrearsPolicy()
                .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
                .AddPreset("redis", "tencent-redis")
                .AddPolicy("cloud", policy => policy
                    .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
                    .AddProduct("cvm", PolicyPresets.TencentCvm.Policy))
                .AddNotifier<EmailNotifier>()
                .AddNotifier(new RecordingNotifier("SMS", ContactKind.Phone))
                .UseEnforcementHandler(enforcement)
                .UseRecipientDirectory(directory);
        });

        var runtime = provider.GetRequiredService<ArrearsRuntime>();
        var registry = provider.GetRequiredService<AccountPolicyRegistry>();

        Assert.Same(runtime, provider.GetRequiredService<ArrearsRuntime>());
        Assert.IsType<InMemoryArrearsStore>(runtime.Store);
        Assert.Same(provider.GetRequiredService<IArrearsStore>(), runtime.Store);
        Assert.Equal(["api-gateway", "cloud", "redis"], registry.Names);
        Assert.Equal(["apigw", "cvm"], registry["cloud"].Products.Select(product => product.Name));
        Assert.Same(PolicyPresets.TencentRedis.Policy, registry["redis"].Products.Single().Policy);
        Assert.Same(clock, provider.GetRequiredService<IClock>());
        Assert.Same(directory, provider.GetRequiredService<IRecipientDirectory>());
        Assert.Single(provider.GetServices<IHostedService>().OfType<ArrearsHostedService>());
    }

    [Fact]
    public void AddArrearsPolicy_NothingButPolicyAndPorts_DefaultsToInMemoryStoreSystemClockAndRecipientsAreAddresses()
    {
        using var provider = TestHost.Provider(services => services.AddArrearsPolicy()
            .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
            .AddNotifier<EmailNotifier>()
            .AddNotifier<SmsNotifier>()
            .UseEnforcementHandler<RecordingEnforcement>());

        Assert.IsType<InMemoryArrearsStore>(provider.GetRequiredService<IArrearsStore>());
        Assert.Same(SystemClock.Instance, provider.GetRequiredService<IClock>());
        Assert.Same(RecipientsAreAddresses.Instance, provider.GetRequiredService<IRecipientDirectory>());
        Assert.NotNull(provider.GetRequiredService<ArrearsRuntime>());
    }

    [Fact]
    public void AddArrearsPolicy_CalledTwice_RegistersOneRuntimeOneValidatorAndOneHostedService()
    {
        var services = new ServiceCollection();
        var first = services.AddArrearsPolicy().AddPreset("api-gateway", PolicyPresets.TencentApiGateway);
        var second = services.AddArrearsPolicy().AddNotifier<EmailNotifier>().AddNotifier<EmailNotifier>();

        Assert.Same(first.Services, second.Services);
        Assert.Single(services, d => d.ServiceType == typeof(ArrearsRuntime));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(Microsoft.Extensions.Options.IValidateOptions<ArrearsPolicyOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(INotifier));
    }

    [Fact]
    public async Task AddPolicy_ConfigureDelegate_RunsOnceForValidationAndTheRegistry()
    {
        var calls = 0;
        using var host = TestHost.Build(builder => builder
            .AddPolicy("cloud", policy =>
            {
                calls++;
                policy.AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy);
            })
            .AddNotifier<EmailNotifier>()
            .AddNotifier<SmsNotifier>()
            .UseEnforcementHandler<RecordingEnforcement>());

        await host.StartAsync();
        var registry = host.Services.GetRequiredService<AccountPolicyRegistry>();
        await host.StopAsync();

        Assert.Equal(["cloud"], registry.Names);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void UseStore_AfterTheDefault_ReplacesTheInMemoryStore()
    {
        using var provider = TestHost.Provider(services => services.AddArrearsPolicy()
            .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
            .AddNotifier<EmailNotifier>()
            .AddNotifier<SmsNotifier>()
            .UseEnforcementHandler<RecordingEnforcement>()
            .UseStore<OtherStore>());

        Assert.IsType<OtherStore>(provider.GetRequiredService<IArrearsStore>());
        Assert.IsType<OtherStore>(provider.GetRequiredService<ArrearsRuntime>().Store);
    }

    [Fact]
    public void UseInMemoryStore_AfterAnotherStore_ReplacesIt()
    {
        var services = new ServiceCollection();
        services.AddArrearsPolicy().UseStore<OtherStore>().UseInMemoryStore();

        var store = Assert.Single(services, d => d.ServiceType == typeof(IArrearsStore));
        Assert.Equal(typeof(InMemoryArrearsStore), store.ImplementationType);
    }

    [Fact]
    public void UseEnforcementHandler_CalledTwice_KeepsTheLastHandlerOnly()
    {
        var services = new ServiceCollection();
        var last = new RecordingEnforcement();
        services.AddArrearsPolicy().UseEnforcementHandler<RecordingEnforcement>().UseEnforcementHandler(last);

        var handler = Assert.Single(services, d => d.ServiceType == typeof(IEnforcementHandler));
        Assert.Same(last, handler.ImplementationInstance);
    }

    [Fact]
    public void ConfigureRuntime_AndConfiguration_CodeWinsOverConfiguration()
    {
        using var host = TestHost.Build(
            builder => builder.AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
                .AddNotifier<EmailNotifier>()
                .AddNotifier<SmsNotifier>()
                .UseEnforcementHandler<RecordingEnforcement>()
                .ConfigureRuntime(runtime => runtime.MaxAttempts = 3),
            new Dictionary<string, string?> { ["Arrears:Runtime:MaxAttempts"] = "12", ["Arrears:Runtime:BatchSize"] = "50" });

        var runtime = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ArrearsPolicyOptions>>().Value.Runtime;

        Assert.Equal((3, 50), (runtime.MaxAttempts, runtime.BatchSize));
    }
}
