using NodaTime;

namespace Arrears.Policy.Tests.Simulation;

public class PolicyDiagramTests
{
    [Fact]
    public void ToMermaid_TencentPreset_DrawsEveryTransitionWithItsParameters()
    {
        var mermaid = PolicyDiagram.ToMermaid(PolicyPresets.TencentApiGateway.Policy);
        var lines = mermaid.Split('\n');

        Assert.Contains("stateDiagram-v2", lines);
        Assert.Contains("    [*] --> Active", lines);
        Assert.Contains("    Active --> Overdue : InArrears: balance below 0 (tolerance 0), notify creator and collaborators by Email and SMS", lines);
        Assert.Contains("    Overdue --> Active : Paid: balance at least 0 within grace, notify nobody", lines);
        Assert.Contains("    Overdue --> Suspended : GraceExpired: grace P1D elapsed (inclusive), notify creator and collaborators by Email and SMS", lines);
        Assert.Contains("    Suspended --> Active : Resumed: balance at least 0, notify creator and collaborators by Email and SMS", lines);
        Assert.Contains("    Suspended --> Purged : RetentionExpired: retention P180D elapsed (inclusive), notify creator and collaborators by Email and SMS", lines);
        Assert.Contains("        PurgeWarning P7D and P1D before the purge, to creator and collaborators by Email and SMS", lines);
        Assert.Contains("    Purged --> [*]", lines);
        Assert.EndsWith("\n", mermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void ToMermaid_CustomPolicy_ShowsItsOwnParametersAndRoutes()
    {
        var options = new LifecyclePolicyOptions
        {
            Name = "strict; #1",
            Grace = Duration.FromHours(2),
            GraceBoundary = DeadlineBoundary.Exclusive,
            Retention = Duration.FromDays(30),
            Tolerance = 5m,
            ResumeMinimumBalance = 10m,
        };
        options.PurgeWarnings.Clear();
        options.Routes[NotificationKind.Purged] = new NotificationRoute(Audience.Creator, ["Email"]);

        var lines = PolicyDiagram.ToMermaid(LifecyclePolicy.Create(options)).Split('\n');

        Assert.Contains("title: strict,  1", lines);
        Assert.Contains("    Active --> Overdue : InArrears: balance below -5 (tolerance 5), notify creator and collaborators by Email and SMS", lines);
        Assert.Contains("    Overdue --> Suspended : GraceExpired: grace PT2H elapsed (exclusive), notify creator and collaborators by Email and SMS", lines);
        Assert.Contains("    Suspended --> Active : Resumed: balance at least -5 and at least 10, notify creator and collaborators by Email and SMS", lines);
        Assert.Contains("    Suspended --> Purged : RetentionExpired: retention P30D elapsed (inclusive), notify creator by Email", lines);
        Assert.DoesNotContain(lines, l => l.Contains("PurgeWarning", StringComparison.Ordinal));
    }

    [Fact]
    public void ToMermaid_HoldLimits_AreShownWhereTheHoldsDeferADeadline()
    {
        var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
        options.HoldLimits[HoldKind.Suspension] = Duration.FromDays(14);

        var lines = PolicyDiagram.ToMermaid(LifecyclePolicy.Create(options)).Split('\n');
        var overdue = Array.IndexOf(lines, "    note right of Overdue");
        var suspended = Array.IndexOf(lines, "    note right of Suspended");

        Assert.Equal("        a suspension hold defers it to the end of the hold (holds of at most P14D)", lines[overdue + 3]);
        Assert.Equal("        a purge hold defers the purge to the end of the hold", lines[suspended + 2]);
    }

    [Fact]
    public void ToMermaid_EveryPreset_HasOneEdgePerTransitionReason()
    {
        foreach (var preset in PolicyPresets.All)
        {
            var mermaid = PolicyDiagram.ToMermaid(preset.Policy);
            foreach (var reason in Enum.GetValues<TransitionReason>())
            {
                Assert.Single(mermaid.Split('\n'), l => l.Contains(" : " + reason + ":", StringComparison.Ordinal));
            }
        }
    }
}
