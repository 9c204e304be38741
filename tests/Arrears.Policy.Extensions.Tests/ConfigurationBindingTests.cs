using Arrears.Policy.DependencyInjection.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Arrears.Policy.Extensions.Tests;

public sealed class ConfigurationBindingTests
{
    [Fact]
    public void AddArrearsPolicy_JsonWithIsoDurations_BindsGraceAndRetentionOverThePreset()
    {
        using var host = Host("""
            { "Arrears": { "Policies": { "api-gateway": { "Preset": "tencent-cvm", "Grace": "PT24H", "Retention": "P180D" } } } }
            """);

        var policy = Single(host, "api-gateway");

        Assert.Equal(Duration.FromHours(24), policy.Grace);
        Assert.Equal(Duration.FromDays(180), policy.Retention);
        Assert.Equal(("tencent-cvm", 0.01m), (policy.Name, policy.ResumeMinimumBalance)); // the rest comes from the preset
        Assert.Equal([Duration.FromDays(1)], policy.PurgeWarnings);
    }

    [Fact]
    public void AddArrearsPolicy_JsonRuntimeSection_BindsNumbersAndDurations()
    {
        using var host = Host("""
            { "Arrears": { "Runtime": { "batchSize": 1000, "MaxDegreeOfParallelism": "3", "ClaimLease": "PT10M", "MaxConflictRetries": 0,
                                         "MaxAttempts": 12, "BaseRetryDelay": "PT1M", "MaxRetryDelay": "P1DT12H" },
                           "Policies": { "api-gateway": "tencent-api-gateway" } } }
            """);

        var runtime = host.Services.GetRequiredService<IOptions<ArrearsPolicyOptions>>().Value.Runtime;

        Assert.Equal((1000, 3, 0, 12), (runtime.BatchSize, runtime.MaxDegreeOfParallelism, runtime.MaxConflictRetries, runtime.MaxAttempts));
        Assert.Equal((Duration.FromMinutes(10), Duration.FromMinutes(1), Duration.FromHours(36)), (runtime.ClaimLease, runtime.BaseRetryDelay, runtime.MaxRetryDelay));
    }

    [Fact]
    public void AddArrearsPolicy_EveryLifecycleSetting_BindsIntoThePolicy()
    {
        using var host = Host("""
            { "Arrears": { "Policies": { "strict": {
                "Name": "strict-gateway", "Grace": "PT2H", "GraceBoundary": "exclusive", "Retention": "P30D", "RetentionBoundary": "Exclusive",
                "Tolerance": "0.50", "ResumeMinimumBalance": "100", "PurgeWarnings": "P3D, PT12H", "Channels": [ "Email", "SMS" ],
                "Routes": { "BalanceLow": { "Audience": "Creator", "Channels": [ "Email" ] }, "purged": { "Audience": "None" } } } } } }
            """);

        var policy = Single(host, "strict");

        Assert.Equal("strict-gateway", policy.Name);
        Assert.Equal((Duration.FromHours(2), DeadlineBoundary.Exclusive), (policy.Grace, policy.GraceBoundary));
        Assert.Equal((Duration.FromDays(30), DeadlineBoundary.Exclusive), (policy.Retention, policy.RetentionBoundary));
        Assert.Equal((0.50m, (decimal?)100m), (policy.Tolerance, policy.ResumeMinimumBalance));
        Assert.Equal([Duration.FromDays(3), Duration.FromHours(12)], policy.PurgeWarnings);
        Assert.Equal(["Email", "SMS"], policy.Channels);
        Assert.Equal(new NotificationRoute(Audience.Creator, ["Email"]), policy.RouteFor(NotificationKind.BalanceLow));
        Assert.Equal(Audience.None, policy.RouteFor(NotificationKind.Purged).Audience);
        Assert.Equal(new NotificationRoute(Audience.Everyone, ["Email", "SMS"]), policy.RouteFor(NotificationKind.Overdue));
    }

    [Fact]
    public void AddArrearsPolicy_HoldLimits_BindPerKindAndNullMeansNoLimit()
    {
        using var host = Host("""
            { "Arrears": { "Policies": {
                "promises": { "Preset": "tencent-api-gateway", "HoldLimits": { "Suspension": "P14D", "purge": "P30D" } },
                "open": { "Preset": "tencent-api-gateway", "HoldLimits": { "Suspension": "P14D", "Purge": null } } } } }
            """);

        Assert.Equal(
            new Dictionary<HoldKind, Duration> { [HoldKind.Suspension] = Duration.FromDays(14), [HoldKind.Purge] = Duration.FromDays(30) },
            Single(host, "promises").HoldLimits);
        Assert.Equal(new Dictionary<HoldKind, Duration> { [HoldKind.Suspension] = Duration.FromDays(14) }, Single(host, "open").HoldLimits);
    }

    [Fact]
    public async Task AddArrearsPolicy_BadHoldLimits_NameTheKeyAndTheValue()
    {
        var error = await StartFailureAsync("""
            { "Arrears": { "Policies": { "p": { "Preset": "tencent-api-gateway", "HoldLimits": { "Suspension": "two weeks", "All": "P1D" } } } } }
            """);

        Assert.Contains(error.Failures, f => f.StartsWith("Arrears:Policies:p:HoldLimits:Suspension: must be an ISO 8601 duration", StringComparison.Ordinal) && f.Contains("\"two weeks\"", StringComparison.Ordinal));
        Assert.Contains("Arrears:Policies:p:HoldLimits:All: unknown setting \"All\"; the settings here are Suspension, Purge", error.Failures);
    }

    [Fact]
    public void AddArrearsPolicy_PolicyWithoutPreset_StartsFromTheDefaultsAndTakesItsNameFromTheKey()
    {
        using var host = Host("""{ "Arrears": { "Policies": { "custom-gateway": { "Grace": "PT1H" } } } }""");

        var policy = Single(host, "custom-gateway");

        Assert.Equal(("custom-gateway", Duration.FromHours(1), Duration.FromDays(180)), (policy.Name, policy.Grace, policy.Retention));
    }

    [Fact]
    public void AddArrearsPolicy_PresetShorthandAndEmptyLists_BindThePresetAndNoWarnings()
    {
        using var host = Host(new Dictionary<string, string?>
        {
            ["Arrears:Policies:redis"] = "tencent-redis",
            ["Arrears:Policies:quiet:Preset"] = "tencent-cvm",
            ["Arrears:Policies:quiet:PurgeWarnings"] = string.Empty,
            ["Arrears:Policies:quiet:ResumeMinimumBalance"] = string.Empty,
        });

        var redis = Single(host, "redis");
        var quiet = Single(host, "quiet");

        Assert.Equal(PolicyPresets.TencentRedis.Policy.ToString(), redis.ToString());
        Assert.Equal(PolicyPresets.TencentRedis.Policy.PurgeWarnings, redis.PurgeWarnings);
        Assert.Empty(quiet.PurgeWarnings);
        Assert.Null(quiet.ResumeMinimumBalance);
    }

    [Fact]
    public void AddArrearsPolicy_Products_BuildsAMultiProductPolicyInKeyOrder()
    {
        using var host = Host("""
            { "Arrears": { "Policies": { "cloud": { "Products": {
                "apigw": { "Preset": "tencent-api-gateway" },
                "cvm": { "Preset": "tencent-cvm", "Grace": "PT4H" } } } } } }
            """);

        var policy = host.Services.GetRequiredService<AccountPolicyRegistry>()["cloud"];

        Assert.Equal(["apigw", "cvm"], policy.Products.Select(product => product.Name));
        Assert.Equal(Duration.FromHours(24), policy.Products[0].Policy.Grace);
        Assert.Equal(("tencent-cvm", Duration.FromHours(4)), (policy.Products[1].Policy.Name, policy.Products[1].Policy.Grace));
    }

    [Fact]
    public async Task AddArrearsPolicy_BadDurations_FailNamingTheKeyAndTheValue()
    {
        var failure = await StartFailureAsync("""
            { "Arrears": { "Runtime": { "MaxRetryDelay": "1h" },
                           "Policies": { "api-gateway": { "Preset": "tencent-api-gateway", "Grace": "24 hours", "PurgeWarnings": [ "P7D", "1 day" ] } } } }
            """);

        Assert.Equal(
            [
                "Arrears:Runtime:MaxRetryDelay: must be an ISO 8601 duration such as \"PT24H\", got \"1h\"",
                "Arrears:Policies:api-gateway:Grace: must be an ISO 8601 duration such as \"PT24H\", got \"24 hours\"",
                "Arrears:Policies:api-gateway:PurgeWarnings:1: must be an ISO 8601 duration such as \"PT24H\", got \"1 day\"",
            ],
            failure.Failures);
    }

    [Fact]
    public async Task AddArrearsPolicy_BadNumbersNamesAndShapes_FailNamingTheKeyAndTheValue()
    {
        var failure = await StartFailureAsync("""
            { "Arrears": { "Runtime": { "BatchSize": "ten", "MaxAttempts": { "Value": 3 } },
                           "Policies": { "api-gateway": { "GraceBoundary": "Inclusiv", "Tolerance": "1,5", "Channels": { "first": "Email" },
                                                          "Routes": { "Overdu": { "Audience": "Creator" }, "Suspended": { "Audience": "Owner", "Channel": "Email" } } } } } }
            """);

        Assert.Equal(
            [
                "Arrears:Runtime:BatchSize: must be a whole number, got \"ten\"",
                "Arrears:Runtime:MaxAttempts: must be a single value, got a section",
                "Arrears:Policies:api-gateway:Channels:first: must be an array index such as Arrears:Policies:api-gateway:Channels:0, got the key \"first\"",
                "Arrears:Policies:api-gateway:GraceBoundary: must be one of Inclusive, Exclusive, got \"Inclusiv\"",
                "Arrears:Policies:api-gateway:Routes:Overdu: unknown notification kind, got \"Overdu\"; the kinds are Overdue, Suspended, PurgeWarning, Resumed, Purged, BalanceLow",
                "Arrears:Policies:api-gateway:Routes:Suspended:Audience: must be one of None, Creator, Collaborators, Everyone, got \"Owner\"",
                "Arrears:Policies:api-gateway:Routes:Suspended:Channel: unknown setting \"Channel\"; the settings here are Audience, Channels",
                "Arrears:Policies:api-gateway:Tolerance: must be a decimal number such as \"0.01\", got \"1,5\"",
            ],
            failure.Failures);
    }

    [Fact]
    public async Task AddArrearsPolicy_ProductsBesidePolicySettings_FailPointingAtTheProducts()
    {
        var failure = await StartFailureAsync("""
            { "Arrears": { "Policies": { "cloud": { "Grace": "PT1H", "Colour": "blue", "Products": { "apigw": { "Preset": "tencent-api-gatway" } } } } } }
            """);

        Assert.Equal(
            [
                "Arrears:Policies:cloud:Colour: unknown setting \"Colour\"; the settings here are Products",
                "Arrears:Policies:cloud:Grace: a policy with Products takes this setting per product, under Arrears:Policies:cloud:Products:{product}:Grace",
                "Arrears:Policies:cloud:Products:apigw:Preset: unknown preset, got \"tencent-api-gatway\"; the presets are tencent-api-gateway, tencent-cvm, tencent-redis, tencent-clb, alibaba-cloud",
            ],
            failure.Failures);
    }

    [Fact]
    public async Task AddArrearsPolicy_InvalidProductSettings_FailNamingTheProduct()
    {
        var failure = await StartFailureAsync("""
            { "Arrears": { "Policies": { "cloud": { "Products": { "apigw": { "Preset": "tencent-api-gateway", "Retention": "-P1D" } } } } } }
            """);

        Assert.Equal(
            "policy \"cloud\" (configuration Arrears:Policies:cloud): products.apigw.retention: must not be negative, got \"-P1D\"",
            Assert.Single(failure.Failures));
    }

    private static IHost Host(string json) => TestHost.Build(Ports, json: json);

    private static IHost Host(IReadOnlyDictionary<string, string?> configuration) => TestHost.Build(Ports, configuration);

    private static void Ports(ArrearsPolicyBuilder builder) =>
        builder.AddNotifier<EmailNotifier>().AddNotifier<SmsNotifier>().UseEnforcementHandler<RecordingEnforcement>();

    private static LifecyclePolicy Single(IHost host, string name) =>
        Assert.Single(host.Services.GetRequiredService<AccountPolicyRegistry>()[name].Products).Policy;

    private static async Task<OptionsValidationException> StartFailureAsync(string json)
    {
        using var host = Host(json);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
