using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arrears.Policy.Cli.Tests;

public class SimulateCommandTests
{
    public static TheoryData<string> Examples() => new(Cli.ExampleNames());

    /// <summary>
    /// The tool prints the library's timeline JSON and exits 0; that the timeline is the expected one is the library's
    /// test (ExampleTests).
    /// </summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void Simulate_Example_ExitsZeroAndPrintsTheLibrarysTimelineJson(string name)
    {
        var path = Cli.Example(name + ".scenario.json");
        var expected = TimelineJson.ToJson(Simulator.Run(ScenarioJson.Read(File.ReadAllText(path)).Scenario!)) + "\n";

        Assert.Equal((0, expected, ""), Cli.Run("simulate", path));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Simulate_StandardInput_SameAsFile(string name)
    {
        var fromFile = Cli.Run("simulate", "--format", "json", Cli.Example(name + ".scenario.json"));
        var fromStdin = Cli.RunWithInput(File.ReadAllText(Cli.Example(name + ".scenario.json")), "simulate", "-");

        Assert.Equal(fromFile, fromStdin);
    }

    [Fact]
    public void Simulate_RedirectedOutput_DefaultsToOneJsonDocument()
    {
        var (exit, stdout, _) = Cli.Run("simulate", Cli.Example("never-paid.scenario.json"));

        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(["account", "charges", "transitions", "notifications", "final"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Simulate_FormatTable_ShowsEveryEventWithBalancesIn80Columns()
    {
        var (exit, stdout, stderr) = Cli.Run("simulate", "--format", "table", Cli.Example("pay-one-second-late.scenario.json"));

        Assert.Equal((0, ""), (exit, stderr));
        var lines = Cli.Lines(stdout);
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length}: {line}"));
        Assert.Contains(lines, l => l.Contains("2026-02-02 08:30 ", StringComparison.Ordinal) && l.Contains("Suspended", StringComparison.Ordinal) && l.Contains("-20.00", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2026-02-02 08:30:01", StringComparison.Ordinal) && l.Contains("payment     p2", StringComparison.Ordinal) && l.Contains("+20.00", StringComparison.Ordinal) && l.TrimEnd().EndsWith("0.00", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Resumed (was Suspended)", StringComparison.Ordinal));
        Assert.Contains("Final: Active, balance 0.00 CNY, next review none", lines);
        Assert.DoesNotContain('\u001b', stdout);
    }

    [Fact]
    public void Simulate_FormatTable_ListsChargesRatedFromUsage()
    {
        var (_, stdout, _) = Cli.Run("simulate", "--format", "table", Cli.Example("never-paid.scenario.json"));

        Assert.Contains(Cli.Lines(stdout), l => l.Contains("calls:2026-04-01T00:00:00Z", StringComparison.Ordinal) && l.Contains("-24.00", StringComparison.Ordinal) && l.TrimEnd().EndsWith("6.00", StringComparison.Ordinal));
        Assert.Contains("Final: Purged, balance -9.00 CNY, next review none", Cli.Lines(stdout));
    }

    [Fact]
    public void Simulate_UnknownFormat_IsAUsageErrorWithExitCode2()
    {
        var (exit, stdout, stderr) = Cli.Run("simulate", "--format", "xml", Cli.Example("never-paid.scenario.json"));

        Assert.Equal((2, "", "--format: must be json or table, got \"xml\"\n"), (exit, stdout, stderr));
    }

    [Fact]
    public void Simulate_MissingArgument_IsAUsageError()
    {
        var (exit, stdout, stderr) = Cli.Run("simulate");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.NotEqual("", stderr);
    }

    [Fact]
    public void Simulate_MissingFile_Exit2NamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "arrears-no-such-" + Guid.NewGuid().ToString("N") + ".json");

        Assert.Equal((2, "", path + ": file not found\n"), Cli.Run("simulate", path));
    }

    [Fact]
    public void Simulate_Directory_Exit2NamingThePath()
    {
        var path = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);

        Assert.Equal((2, "", path + ": is a directory, expected a JSON file\n"), Cli.Run("simulate", path));
    }

    public static TheoryData<string, string, string> BadInputs() => new()
    {
        { "entries", """[{"id":"c1","kind":"charge","at":"2026-02-01T08:30:00Z","amount":"-5"}]""", "entries[0].amount: must be positive, got \"-5\"" },
        { "entries", """[{"id":"c1","kind":"charge","at":"2026-02-01T08:30:00Z","amount":25}]""", "entries[0].amount: must be a decimal in a JSON string such as \"12.50\" (a JSON number could lose precision), got 25" },
        { "entries", """[{"id":"c1","kind":"fee","at":"2026-02-01T08:30:00Z","amount":"1"}]""", "entries[0].kind: must be one of \"charge\", \"payment\", \"credit\", \"refund\", got \"fee\"" },
        { "entries", """[{"id":"c1","kind":"charge","at":"2026-02-01 08:30","amount":"1"}]""", "entries[0].at: must be an ISO 8601 UTC instant such as \"2026-01-01T00:00:00Z\", got \"2026-02-01 08:30\"" },
        { "entries", """[{"id":"c1","kind":"charge","at":"2026-02-01T08:30:00Z","amount":"1"},{"id":"c1","kind":"charge","at":"2026-02-01T08:30:00Z","amount":"2"}]""", "entries[1].id: an entry with this id already exists with different content (entries[0]: charge c1 1 at 2026-02-01T08:30:00Z), got \"c1\" (charge c1 2 at 2026-02-01T08:30:00Z)" },
        { "usage", """[{"item":"storage","at":"2026-02-01T08:30:00Z","quantity":"1"}]""", "usage[0].item: unknown billing item (no billing items are defined), got \"storage\"" },
        { "items", """[{"id":"calls","unit":"0","unitPrice":"0.06","cycle":"PT1H"}]""", "items[0].unit: must be positive, got \"0\"" },
        { "items", """[{"id":"calls","unit":"1","unitPrice":"0.06","cycle":"PT1H","settlementDelay":"-PT30M"}]""", "items[0].settlementDelay: must not be negative, got \"-PT30M\"" },
        { "policy", "\"tencent\"", $"policy: unknown preset \"tencent\"; known presets: {string.Join(", ", PolicyPresets.Names)}" },
        { "policy", """{"preset":"tencent-api-gateway","retention":"P6M"}""", "policy.retention: must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got \"P6M\"" },
        { "policy", """{"grace":"-PT1H"}""", "policy.grace: must not be negative, got \"-PT1H\"" },
        { "until", "\"tomorrow\"", "until: must be an ISO 8601 UTC instant such as \"2026-01-01T00:00:00Z\", got \"tomorrow\"" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Simulate_BadInput_Exit2NothingOnStdoutOneLineNamingPathAndValue(string field, string json, string expected)
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("pay-one-second-late.scenario.json")))!;
        node[field] = JsonNode.Parse(json);

        var result = Cli.RunWithInput(node.ToJsonString(), "simulate", "-");

        Assert.Equal((2, "", expected + "\n"), result);
    }

    [Fact]
    public void Simulate_AccountProblems_Exit2WithOneLinePerProblem()
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("pay-one-second-late.scenario.json")))!;
        node["account"]!["balanceAlrm"] = "5";
        node["account"]!["currency"] = "CYN";
        node["account"]!["timeZone"] = "Asia/Shanghia";
        node["account"]!["openingBalance"] = "-10";

        var (exit, stdout, stderr) = Cli.RunWithInput(node.ToJsonString(), "simulate", "-");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Equal(
            [
                "account.currency: unknown ISO 4217 currency code, got \"CYN\"",
                "account.openingBalance: must not be negative (a debt carried over is a charge with its own instant), got \"-10\"",
                "account.timeZone: unknown IANA time zone such as \"Asia/Shanghai\", got \"Asia/Shanghia\"",
                "account.balanceAlrm: unknown field, got \"5\", did you mean \"balanceAlarm\"?",
            ],
            Cli.Lines(stderr).Order(StringComparer.Ordinal).OrderBy(l => l.Contains("unknown field", StringComparison.Ordinal) ? 1 : 0));
    }

    [Fact]
    public void Simulate_MalformedJson_Exit2WithLineAndColumn()
    {
        var result = Cli.RunWithInput("{\n  \"policy\": \"tencent-api-gateway\",\n  \"account\": {\"id\": \"a\",}\n}", "simulate", "-");

        Assert.Equal(2, result.Exit);
        Assert.Equal("", result.Out);
        Assert.StartsWith("$: invalid JSON at line 3, column 25: ", result.Error, StringComparison.Ordinal);
        Assert.Single(Cli.Lines(result.Error));
    }

    [Fact]
    public void Validate_ValidScenario_PrintsValidExit0()
    {
        foreach (var name in Cli.ExampleNames())
        {
            Assert.Equal((0, "valid\n", ""), Cli.Run("validate", Cli.Example(name + ".scenario.json")));
        }
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Validate_BadInput_SameErrorsAsSimulate(string field, string json, string expected)
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("never-paid.scenario.json")))!;
        node[field] = JsonNode.Parse(json);

        var validate = Cli.RunWithInput(node.ToJsonString(), "validate", "-");
        var simulate = Cli.RunWithInput(node.ToJsonString(), "simulate", "-");

        Assert.Equal(simulate, validate);
        Assert.Equal(2, validate.Exit);
        Assert.Contains(expected.Split(':')[0], validate.Error, StringComparison.Ordinal);
    }
}
