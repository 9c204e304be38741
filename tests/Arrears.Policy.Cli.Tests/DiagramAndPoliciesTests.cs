using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arrears.Policy.Text;

namespace Arrears.Policy.Cli.Tests;

/// <summary><c>diagram</c> given a scenario draws the scenario's policy; <c>policies --json</c> prints every preset and setting.</summary>
public class DiagramAndPoliciesTests
{
    public static TheoryData<string> Examples() => new(Cli.ExampleNames());

    [Theory]
    [MemberData(nameof(Examples))]
    public void Diagram_ScenarioFile_DrawsTheScenariosPolicy(string name)
    {
        var path = Cli.Example(name + ".scenario.json");
        var scenario = ScenarioJson.Read(File.ReadAllText(path)).Scenario!;

        Assert.Equal((0, PolicyDiagram.ToMermaid(scenario.Policy), ""), Cli.Run("diagram", path));
    }

    [Fact]
    public void Diagram_ScenarioOnStandardInputWithOverrides_DrawsTheOverriddenPolicy()
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("never-paid.scenario.json")))!;
        node["policy"] = JsonNode.Parse("""{"preset":"tencent-cvm","grace":"PT6H","retentionBoundary":"Exclusive"}""");

        var (exit, stdout, stderr) = Cli.RunWithInput(node.ToJsonString(), "diagram", "-");

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Contains("grace PT6H elapsed (inclusive)", stdout, StringComparison.Ordinal);
        Assert.Contains("retention P15D elapsed (exclusive)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagram_ScenarioWithAByteOrderMark_DrawsItsPolicy()
    {
        var bytes = File.ReadAllBytes(Cli.Example("never-paid.scenario.json"));

        var (exit, stdout, _) = Cli.RunWithBytes([0xEF, 0xBB, 0xBF, .. bytes], "diagram", "-");

        Assert.Equal((0, PolicyDiagram.ToMermaid(PolicyPresets.TencentApiGateway.Policy)), (exit, stdout));
    }

    [Fact]
    public void Diagram_ScenarioWithABadPolicy_Exit2WithThePolicysProblems()
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("never-paid.scenario.json")))!;
        node["policy"] = JsonNode.Parse("""{"preset":"tencent-cvm","grace":"-PT6H"}""");

        Assert.Equal((2, "", "policy.grace: must not be negative, got \"-PT6H\"\n"), Cli.RunWithInput(node.ToJsonString(), "diagram", "-"));
    }

    [Fact]
    public void Diagram_ScenarioWithoutAPolicy_Exit2SaysItIsAScenarioAndHowToDrawOne()
    {
        var (exit, stdout, stderr) = Cli.RunWithInput("""{"products":[{"product":"apigw","policy":"tencent-api-gateway"}],"account":{},"until":"2026-01-01T00:00:00Z"}""", "diagram", "-");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Equal(
            "-: is a scenario without a \"policy\" (each of its products has its own); draw one with 'arrears diagram PRESET', or save a product's policy (a preset name or a policy object) in a file and run 'arrears diagram POLICY.json'\n",
            stderr);
    }

    [Fact]
    public void Diagram_ScenarioWithPolicyTwice_Exit2()
    {
        var (exit, stdout, stderr) = Cli.RunWithInput("""{"policy":"tencent-cvm","policy":"tencent-clb","until":"2026-01-01T00:00:00Z"}""", "diagram", "-");

        Assert.Equal((2, "", "-: is a scenario with \"policy\" given 2 times; keep one\n"), (exit, stdout, stderr));
    }

    [Fact]
    public void Diagram_PolicyObjectStillReadAsAPolicy_UnknownFieldIsReported()
    {
        Assert.Equal((2, "", "policy.grase: unknown field, got \"PT1H\", did you mean \"grace\"?\n"), Cli.RunWithInput("""{"preset":"tencent-cvm","grase":"PT1H"}""", "diagram", "-"));
    }

    [Fact]
    public void Policies_Json_OneDocumentWithEveryPresetAndSetting()
    {
        var (exit, stdout, stderr) = Cli.Run("policies", "--json");

        Assert.Equal((0, ""), (exit, stderr));
        using var document = JsonDocument.Parse(stdout);
        var presets = document.RootElement.GetProperty("presets").EnumerateArray().ToList();
        Assert.Equal(PolicyPresets.Names, presets.Select(p => p.GetProperty("name").GetString()));
        foreach (var (element, preset) in presets.Zip(PolicyPresets.All))
        {
            Assert.Equal(["name", "product", "summary", "source", "readOn", "policy"], element.EnumerateObject().Select(p => p.Name));
            Assert.Equal(preset.Product, element.GetProperty("product").GetString());
            Assert.Equal(preset.Summary, element.GetProperty("summary").GetString());
            Assert.Equal(preset.Source.ToString(), element.GetProperty("source").GetString());
            Assert.Equal(NodaTime.Text.LocalDatePattern.Iso.Format(preset.ReadOn), element.GetProperty("readOn").GetString());
            var policy = element.GetProperty("policy");
            Assert.Equal(
                ["grace", "graceBoundary", "retention", "retentionBoundary", "tolerance", "resumeMinimumBalance", "purgeWarnings", "channels"],
                policy.EnumerateObject().Select(p => p.Name));
            Assert.Equal(IsoDurationPattern.Instance.Format(preset.Policy.Grace), policy.GetProperty("grace").GetString());
            Assert.Equal(preset.Policy.PurgeWarnings.Select(IsoDurationPattern.Instance.Format), policy.GetProperty("purgeWarnings").EnumerateArray().Select(w => w.GetString()));
        }

        Assert.Equal("0.01", presets[1].GetProperty("policy").GetProperty("resumeMinimumBalance").GetString());
        Assert.Equal(JsonValueKind.Null, presets[0].GetProperty("policy").GetProperty("resumeMinimumBalance").ValueKind);
    }

    [Fact]
    public void Policies_Json_EachPolicyReadsBackAsThePreset()
    {
        using var document = JsonDocument.Parse(Cli.Run("policies", "--json").Out);

        foreach (var (element, preset) in document.RootElement.GetProperty("presets").EnumerateArray().Zip(PolicyPresets.All))
        {
            var read = ScenarioJson.ReadPolicy(element.GetProperty("policy").GetRawText());

            Assert.True(read.IsValid, string.Join("; ", read.Errors));
            var (expected, actual) = (preset.Policy.ToOptions(), read.Policy.ToOptions());
            Assert.Equal(
                (expected.Grace, expected.GraceBoundary, expected.Retention, expected.RetentionBoundary, expected.Tolerance, expected.ResumeMinimumBalance),
                (actual.Grace, actual.GraceBoundary, actual.Retention, actual.RetentionBoundary, actual.Tolerance, actual.ResumeMinimumBalance));
            Assert.Equal(expected.PurgeWarnings, actual.PurgeWarnings);
            Assert.Equal(expected.Channels, actual.Channels);
            Assert.Equal(expected.Routes, actual.Routes);

            // And arrears diagram draws it as the preset, under the name a policy object gets.
            var diagram = Cli.RunWithBytes(Encoding.UTF8.GetBytes(element.GetProperty("policy").GetRawText()), "diagram", "-");
            Assert.Equal((0, PolicyDiagram.ToMermaid(preset.Policy).Replace("title: " + preset.Name, "title: custom", StringComparison.Ordinal)), (diagram.Exit, diagram.Out));
        }
    }
}
