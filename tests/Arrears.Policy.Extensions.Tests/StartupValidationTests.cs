using Arrears.Policy.DependencyInjection.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Arrears.Policy.Extensions.Tests;

public sealed class StartupValidationTests
{
    private const string Presets = "tencent-api-gateway, tencent-cvm, tencent-redis, tencent-clb, alibaba-cloud";

    private const string NoEnforcement =
        "enforcement: no IEnforcementHandler is registered, so a suspension would be decided but never enforced; " +
        "register the host's handler with UseEnforcementHandler<T>() (a host that enforces elsewhere registers a handler that says so)";

    [Fact]
    public async Task StartAsync_EveryKindOfError_ThrowsOneExceptionListingThemAll()
    {
        var host = TestHost.Build(
            builder => builder
                .AddPolicy("mail-only", WithChannels("Emial"))
                .AddPreset("typo", "tencent-api-gatway")
                .AddPreset("api-gateway", PolicyPresets.TencentCvm)
                .AddNotifier<EmailNotifier>()
                .AddNotifier<SmsNotifier>()
                .ConfigureRuntime(runtime => (runtime.BatchSize, runtime.MaxAttempts) = (0, 0)),
            new Dictionary<string, string?>
            {
                ["Arrears:Runtime:ClaimLease"] = "5 minutes",
                ["Arrears:Policies:api-gateway:Preset"] = "tencent-api-gateway",
                ["Arrears:Policies:api-gateway:Grace"] = "-PT1H",
                ["Arrears:Policies:api-gateway:Retention"] = "P6M",
                ["Arrears:Policies:api-gateway:Grcae"] = "PT2H",
                ["Arrears:Policies:redis"] = "tencent-rediss",
            });

        var failure = await StartFailureAsync(host);

        Assert.Equal(typeof(ArrearsPolicyOptions), failure.OptionsType);
        Assert.Equal(
            [
                "Arrears:Runtime:ClaimLease: must be an ISO 8601 duration such as \"PT24H\", got \"5 minutes\"",
                "Arrears:Policies:api-gateway:Grcae: unknown setting \"Grcae\"; the settings here are Preset, Name, Grace, GraceBoundary, Retention, RetentionBoundary, Tolerance, ResumeMinimumBalance, PurgeWarnings, Channels, Routes, HoldLimits",
                "Arrears:Policies:api-gateway:Retention: must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got \"P6M\"",
                $"Arrears:Policies:redis: unknown preset, got \"tencent-rediss\"; the presets are {Presets}",
                "runtime options: BatchSize: must be at least 1, got 0",
                "runtime options: MaxAttempts: must be at least 1, got 0",
                "policy \"api-gateway\" (configuration Arrears:Policies:api-gateway): grace: must not be negative, got \"-PT1H\"",
                $"policy \"typo\" (AddPreset(\"tencent-api-gatway\")): preset: unknown preset, got \"tencent-api-gatway\"; the presets are {Presets}",
                "policy \"api-gateway\": defined twice, by configuration Arrears:Policies:api-gateway and by AddPreset(\"tencent-cvm\"); give each account policy one definition",
                "policy \"mail-only\" (AddPolicy): sends every notification over the channel \"Emial\", but no notifier delivers it; the registered channels are \"Email\", \"SMS\"; did you mean \"Email\"?",
                NoEnforcement,
            ],
            failure.Failures);
        Assert.Equal(string.Join("; ", failure.Failures), failure.Message);
    }

    [Fact]
    public async Task StartAsync_PolicyRoutesToEmial_FailsNamingThePolicyAndTheChannel()
    {
        var host = TestHost.Build(builder => builder
            .AddPolicy("api-gateway", WithChannels("Emial", "SMS"))
            .AddNotifier<EmailNotifier>()
            .AddNotifier<SmsNotifier>()
            .UseEnforcementHandler<RecordingEnforcement>());

        var failure = await StartFailureAsync(host);

        var only = Assert.Single(failure.Failures);
        Assert.Equal(
            "policy \"api-gateway\" (AddPolicy): sends every notification over the channel \"Emial\", but no notifier delivers it; the registered channels are \"Email\", \"SMS\"; did you mean \"Email\"?",
            only);
    }

    [Fact]
    public async Task StartAsync_ConfiguredRouteToEmial_FailsNamingTheConfigurationPathAndTheRoute()
    {
        var host = TestHost.Build(
            builder => builder.AddNotifier<EmailNotifier>().AddNotifier<SmsNotifier>().UseEnforcementHandler<RecordingEnforcement>(),
            new Dictionary<string, string?>
            {
                ["Arrears:Policies:api-gateway:Preset"] = "tencent-api-gateway",
                ["Arrears:Policies:api-gateway:Routes:PurgeWarning:Channels:0"] = "Emial",
            });

        var failure = await StartFailureAsync(host);

        Assert.Equal(
            "policy \"api-gateway\" (configuration Arrears:Policies:api-gateway): sends PurgeWarning over the channel \"Emial\", but no notifier delivers it; the registered channels are \"Email\", \"SMS\"; did you mean \"Email\"?",
            Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task StartAsync_MultiProductPolicyWithoutSmsNotifier_NamesTheProductsThatUseTheChannel()
    {
        var alarmByEmail = LifecyclePolicyWith(options =>
        {
            options.Channels.Clear();
            options.Channels.Add("Email");
        });
        var host = TestHost.Build(builder => builder
            .AddPolicy("cloud", policy => policy.AddProduct("apigw", alarmByEmail).AddProduct("cvm", PolicyPresets.TencentCvm.Policy))
            .AddNotifier<EmailNotifier>()
            .UseEnforcementHandler<RecordingEnforcement>());

        var failure = await StartFailureAsync(host);

        Assert.Equal(
            "policy \"cloud\" (AddPolicy): sends cvm Overdue, cvm Suspended, cvm PurgeWarning, cvm Resumed, cvm Purged, cvm BalanceLow over the channel \"SMS\", but no notifier delivers it; the registered channels are \"Email\"",
            Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task StartAsync_NoEnforcementHandler_FailsSayingASuspensionWouldNeverBeEnforced()
    {
        var host = TestHost.Build(builder => builder
            .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
            .AddNotifier<EmailNotifier>()
            .AddNotifier<SmsNotifier>());

        var failure = await StartFailureAsync(host);

        Assert.Equal(NoEnforcement, Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task StartAsync_TwoNotifiersForOneChannel_FailsNamingBoth()
    {
        var host = TestHost.Build(builder => builder
            .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
            .AddNotifier<EmailNotifier>()
            .AddNotifier(new RecordingNotifier("Email"))
            .AddNotifier<SmsNotifier>()
            .UseEnforcementHandler<RecordingEnforcement>());

        var failure = await StartFailureAsync(host);

        Assert.Equal(
            "notifiers: two notifiers deliver the channel \"Email\": EmailNotifier and RecordingNotifier; register one notifier per channel",
            Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task StartAsync_NoPolicy_FailsSayingHowToAddOne()
    {
        var host = TestHost.Build(builder => builder.AddNotifier<EmailNotifier>().UseEnforcementHandler<RecordingEnforcement>());

        var failure = await StartFailureAsync(host);

        Assert.StartsWith("policies: no account policy is defined; add one with AddPreset or AddPolicy", Assert.Single(failure.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void GetRequiredService_RuntimeWithoutAHostAndInvalidOptions_ThrowsTheSameList()
    {
        using var provider = TestHost.Provider(services => services.AddArrearsPolicy()
            .AddPolicy("api-gateway", WithChannels("Emial"))
            .AddNotifier<EmailNotifier>());

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ArrearsRuntime>());

        Assert.Equal(2, failure.Failures.Count());
        Assert.Contains(failure.Failures, message => message.Contains("\"Emial\"", StringComparison.Ordinal));
        Assert.Contains(NoEnforcement, failure.Failures);
    }

    [Theory]
    [InlineData("Emial", "Email", true)]
    [InlineData("email", "Email", true)]
    [InlineData("SMSS", "SMS", true)]
    [InlineData("Slack", "SMS", false)]
    [InlineData("Webhook", "Email", false)]
    public void IsNear_ChannelNames_AreNearOnlyWhenATypoApart(string configured, string registered, bool near)
    {
        Assert.Equal(near, ArrearsPolicyValidator.IsNear(registered, configured));
    }

    private static AccountPolicy WithChannels(params string[] channels) => AccountPolicy.For(LifecyclePolicyWith(options =>
    {
        options.Channels.Clear();
        foreach (var channel in channels)
        {
            options.Channels.Add(channel);
        }
    }));

    private static LifecyclePolicy LifecyclePolicyWith(Action<LifecyclePolicyOptions> change)
    {
        var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
        change(options);
        return LifecyclePolicy.Create(options);
    }

    private static async Task<OptionsValidationException> StartFailureAsync(IHost host)
    {
        using (host)
        {
            return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        }
    }
}
