using Arrears.Policy.Text;
using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

public sealed class LifecyclePolicyTests
{
    [Fact]
    public void Create_EveryProblem_IsListedInOneError()
    {
        var options = new LifecyclePolicyOptions
        {
            Grace = Duration.FromHours(-1),
            Retention = Duration.FromDays(-2),
            Tolerance = -0.5m,
            GraceBoundary = (DeadlineBoundary)7,
        };
        options.PurgeWarnings.Add(Duration.Zero);
        options.Channels.Clear();

        var ex = Assert.Throws<PolicyValidationException>(() => LifecyclePolicy.Create(options));

        Assert.Equal(
            [
                "grace: must not be negative, got \"-PT1H\"",
                "graceBoundary: must be Inclusive or Exclusive, got \"7\"",
                "retention: must not be negative, got \"-P2D\"",
                "tolerance: must not be negative, got \"-0.5\"",
                "purgeWarnings[2]: must be positive, got \"PT0S\"",
                "channels: must name at least one channel, got []",
            ],
            ex.Errors.Select(error => error.ToString()));
    }

    [Fact]
    public void Create_DuplicateOrEmptyChannel_IsRejected()
    {
        var options = new LifecyclePolicyOptions();
        options.Channels.Add("Email");
        options.Routes[NotificationKind.Purged] = new NotificationRoute(Audience.Creator, [" "]);

        var ex = Assert.Throws<PolicyValidationException>(() => LifecyclePolicy.Create(options));

        Assert.Equal(["channels[2]: duplicate channel, got \"Email\"", "routes.Purged.channels[0]: must not be empty, got \" \""], ex.Errors.Select(error => error.ToString()));
    }

    [Fact]
    public void Create_DuplicateWarningOrNullRouteChannels_IsRejected()
    {
        var options = new LifecyclePolicyOptions();
        options.PurgeWarnings.Add(Duration.FromDays(7));
        options.Routes[NotificationKind.Resumed] = new NotificationRoute(Audience.Creator, null!);

        var ex = Assert.Throws<PolicyValidationException>(() => LifecyclePolicy.Create(options));

        Assert.Equal(
            ["purgeWarnings[2]: duplicate warning offset, got \"P7D\"", "routes.Resumed.channels: must not be null (use an empty list for the policy's channels)"],
            ex.Errors.Select(error => error.ToString()));
    }

    [Fact]
    public void Create_Defaults_MatchTheSpecification()
    {
        var policy = LifecyclePolicy.Create(new LifecyclePolicyOptions());

        Assert.Equal(Duration.FromHours(24), policy.Grace);
        Assert.Equal(DeadlineBoundary.Inclusive, policy.GraceBoundary);
        Assert.Equal(Duration.FromDays(180), policy.Retention);
        Assert.Equal(DeadlineBoundary.Inclusive, policy.RetentionBoundary);
        Assert.Equal(0m, policy.Tolerance);
        Assert.Null(policy.ResumeMinimumBalance);
        Assert.Equal([Duration.FromDays(7), Duration.FromDays(1)], policy.PurgeWarnings);
        Assert.Equal(["Email", "SMS"], policy.Channels);
        Assert.All(Enum.GetValues<NotificationKind>(), kind => Assert.Equal(Audience.Everyone, policy.RouteFor(kind).Audience));
    }

    [Fact]
    public void Create_OptionsChangedAfterwards_DoNotChangeThePolicy()
    {
        var options = new LifecyclePolicyOptions();
        var policy = LifecyclePolicy.Create(options);

        options.Channels.Add("Webhook");
        options.PurgeWarnings.Clear();

        Assert.Equal(["Email", "SMS"], policy.Channels);
        Assert.Equal(2, policy.PurgeWarnings.Count);
    }

    [Fact]
    public void ToOptions_RoundTrips()
    {
        var options = PolicyPresets.TencentCvm.Policy.ToOptions();
        options.Routes[NotificationKind.Overdue] = new NotificationRoute(Audience.Creator, ["Email"]);
        var policy = LifecyclePolicy.Create(options);

        var again = LifecyclePolicy.Create(policy.ToOptions());

        Assert.Equal(policy.ToString(), again.ToString());
        Assert.Equal(policy.ResumeMinimumBalance, again.ResumeMinimumBalance);
        Assert.Equal(policy.PurgeWarnings, again.PurgeWarnings);
        Assert.Equal(policy.RouteFor(NotificationKind.Overdue), again.RouteFor(NotificationKind.Overdue));
        Assert.Equal(Audience.Everyone, again.RouteFor(NotificationKind.Suspended).Audience);
    }

    [Theory]
    [InlineData("tencent-api-gateway", "PT24H", "P180D")]
    [InlineData("tencent-cvm", "PT2H", "P15D")]
    [InlineData("tencent-redis", "PT24H", "P3D")]
    [InlineData("tencent-clb", "PT2H", "P7D")]
    [InlineData("alibaba-cloud", "P15D", "P15D")]
    public void PolicyPresets_Get_HasDocumentedParametersAndSource(string name, string grace, string retention)
    {
        var preset = PolicyPresets.Get(name);

        Assert.Equal(IsoDurationPattern.Instance.Parse(grace).Value, preset.Policy.Grace);
        Assert.Equal(IsoDurationPattern.Instance.Parse(retention).Value, preset.Policy.Retention);
        Assert.Equal(name, preset.Policy.Name);
        Assert.Equal("https", preset.Source.Scheme);
        Assert.NotEqual(default, preset.ReadOn);
    }

    [Fact]
    public void PolicyPresets_Get_UnknownName_ListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => PolicyPresets.Get("tencent-api-gatway"));

        Assert.StartsWith("policy: unknown preset \"tencent-api-gatway\"; known presets: tencent-api-gateway, tencent-cvm, tencent-redis, tencent-clb, alibaba-cloud", ex.Message, StringComparison.Ordinal);
    }
}
