using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arrears.Policy.Cli.Tests;

/// <summary>
/// A purge warning at or beyond the retention is valid (a preset's warnings survive a shorter retention override) but is
/// never sent: simulate, validate and diagram say so on standard error and exit as they would without it.
/// </summary>
public class PolicyWarningTests
{
    private const string P7DNeverSent =
        "warning: policy.purgeWarnings: P7D is not shorter than the retention P3D, so it would come at or before the suspension: this purge warning is never sent\n";

    private static string NeverPaidWithPolicy(string policyJson)
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("never-paid.scenario.json")))!;
        node["policy"] = JsonNode.Parse(policyJson);
        return node.ToJsonString();
    }

    [Fact]
    public void Validate_PresetWithAShorterRetention_ValidExit0WithAWarningOnStderr()
    {
        var scenario = NeverPaidWithPolicy("""{"preset":"tencent-api-gateway","retention":"P3D"}""");

        Assert.Equal((0, "valid\n", P7DNeverSent), Cli.RunWithInput(scenario, "validate", "-"));
    }

    [Fact]
    public void Simulate_PresetWithAShorterRetention_TheTimelineExit0WithAWarningOnStderr()
    {
        var scenario = NeverPaidWithPolicy("""{"preset":"tencent-api-gateway","retention":"P3D"}""");
        var expected = TimelineJson.ToJson(Simulator.Run(ScenarioJson.Read(scenario).Scenario!)) + "\n";

        var (exit, stdout, stderr) = Cli.RunWithInput(scenario, "simulate", "-");

        Assert.Equal((0, expected, P7DNeverSent), (exit, stdout, stderr));

        // Suspended at 2026-04-02T02:30Z, purged three days later: only the P1D warning, a day before the purge.
        using var document = JsonDocument.Parse(stdout);
        var warnings = document.RootElement.GetProperty("notifications").EnumerateArray()
            .Where(n => n.GetProperty("kind").GetString() == "PurgeWarning")
            .Select(n => n.GetProperty("at").GetString())
            .Distinct()
            .ToList();
        Assert.Equal(["2026-04-04T02:30:00Z"], warnings);
        Assert.Contains(document.RootElement.GetProperty("transitions").EnumerateArray(), t => t.GetProperty("at").GetString() == "2026-04-05T02:30:00Z" && t.GetProperty("to").GetString() == "Purged");
    }

    [Fact]
    public void Simulate_TableWithAWarning_WarningOnStderrOnly()
    {
        var scenario = NeverPaidWithPolicy("""{"preset":"tencent-api-gateway","retention":"P3D"}""");

        var (exit, stdout, stderr) = Cli.RunWithInput(scenario, "simulate", "--format", "table", "-");

        Assert.Equal((0, P7DNeverSent), (exit, stderr));
        Assert.DoesNotContain("warning", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WarningEqualToTheRetention_IsNeverSentEither()
    {
        var scenario = NeverPaidWithPolicy("""{"preset":"tencent-api-gateway","retention":"P7D","retentionBoundary":"Exclusive"}""");

        Assert.Equal(
            (0, "valid\n", "warning: policy.purgeWarnings: P7D is not shorter than the retention P7D, so it would come at or before the suspension: this purge warning is never sent\n"),
            Cli.RunWithInput(scenario, "validate", "-"));
    }

    [Fact]
    public void Validate_SeveralWarningsBeyondTheRetention_OneLineEachLargestFirst()
    {
        var scenario = NeverPaidWithPolicy("""{"grace":"PT1H","retention":"PT12H","purgeWarnings":["PT1H","P1D","P2D"]}""");

        var (exit, stdout, stderr) = Cli.RunWithInput(scenario, "validate", "-");

        Assert.Equal((0, "valid\n"), (exit, stdout));
        Assert.Equal(
            [
                "warning: policy.purgeWarnings: P2D is not shorter than the retention PT12H, so it would come at or before the suspension: this purge warning is never sent",
                "warning: policy.purgeWarnings: P1D is not shorter than the retention PT12H, so it would come at or before the suspension: this purge warning is never sent",
            ],
            Cli.Lines(stderr));
    }

    [Fact]
    public void Diagram_PolicyWithAShorterRetention_DrawsItWithAWarning()
    {
        var (exit, stdout, stderr) = Cli.RunWithInput("""{"preset":"tencent-api-gateway","retention":"P3D"}""", "diagram", "-");

        Assert.Equal((0, P7DNeverSent), (exit, stderr));
        Assert.StartsWith("---", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EveryPresetAsIs_NoWarning()
    {
        foreach (var preset in PolicyPresets.Names)
        {
            Assert.Equal((0, "valid\n", ""), Cli.RunWithInput(NeverPaidWithPolicy(JsonSerializer.Serialize(preset)), "validate", "-"));
        }
    }
}
