using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Cli.Tests;

/// <summary>No instant that the tool prints is one that it would reject as input (decision 0009).</summary>
public class PrintedInstantTests
{
    /// <summary>A charge on the last day a scenario may hold: the suspension deadline, a day later, is beyond it.</summary>
    private const string LastDay = """
        {"policy":"tencent-api-gateway","account":{"id":"a","currency":"CNY","creator":"o@example.com"},
         "entries":[{"id":"c1","kind":"charge","at":"8999-12-31T00:00:00Z","amount":"5"}],"until":"8999-12-31T00:00:00Z"}
        """;

    private const string Warning =
        "warning: final.nextReviewAt: the next review falls after 8999-12-31T23:59:59Z, the latest instant a scenario may hold, so it is not printed (null in JSON)\n";

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cli.ExampleNames())
        {
            data.Add(File.ReadAllText(Cli.Example(name + ".scenario.json")));
        }

        data.Add(LastDay);

        // Suspended in the last year: the purge and both warnings are beyond the latest instant.
        data.Add(LastDay.Replace("8999-12-31T00:00:00Z\",\"amount", "8999-06-01T00:00:00Z\",\"amount", StringComparison.Ordinal));

        // The latest until, and a century of retention.
        data.Add(LastDay.Replace("\"until\":\"8999-12-31T00:00:00Z\"", "\"until\":\"8999-12-31T23:59:59Z\"", StringComparison.Ordinal)
            .Replace("\"tencent-api-gateway\"", """{"preset":"tencent-api-gateway","retention":"P36500D"}""", StringComparison.Ordinal));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Simulate_EveryPrintedInstant_IsAcceptedAsUntil(string scenario)
    {
        var (exit, stdout, _) = Cli.RunWithInput(scenario, "simulate", "-");
        Assert.Equal(0, exit);

        var printed = Instants(JsonNode.Parse(stdout)!).ToList();
        Assert.NotEmpty(printed);
        foreach (var instant in printed)
        {
            var node = JsonNode.Parse(scenario)!;
            node["until"] = instant;
            var (validExit, _, errors) = Cli.RunWithInput(node.ToJsonString(), "validate", "-");
            Assert.True(validExit == 0, $"{instant}: {errors}");
        }
    }

    [Fact]
    public void Simulate_NextReviewBeyondTheLatestInstant_NullInJsonWithAWarning()
    {
        var (exit, stdout, stderr) = Cli.RunWithInput(LastDay, "simulate", "-");

        Assert.Equal((0, Warning), (exit, stderr));
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("final").GetProperty("nextReviewAt").ValueKind);
        Assert.Equal("Overdue", document.RootElement.GetProperty("final").GetProperty("state").GetString());

        // The library's timeline keeps the instant; only the printed document leaves it out.
        var timeline = Simulator.Run(ScenarioJson.Read(LastDay).Scenario!);
        Assert.Equal(Instant.FromUtc(9000, 1, 1, 0, 0), timeline.Final.NextReviewAt);
    }

    [Fact]
    public void Simulate_TableWithTheNextReviewBeyondTheLatestInstant_SaysSoWithoutPrintingIt()
    {
        var (exit, stdout, stderr) = Cli.RunWithInput(LastDay, "simulate", "--format", "table", "-");

        Assert.Equal((0, Warning), (exit, stderr));
        Assert.Contains("next review after 8999-12-31 23:59:59 UTC, the latest instant a scenario accepts", string.Join(' ', Cli.Lines(stdout)), StringComparison.Ordinal);
        Assert.DoesNotContain("9000-", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_NextReviewAtTheLatestInstant_IsPrinted()
    {
        // Overdue at 8999-12-30T23:59:59Z with 24 hours of grace: suspended exactly at the latest instant.
        var scenario = LastDay.Replace("\"at\":\"8999-12-31T00:00:00Z\"", "\"at\":\"8999-12-30T23:59:59Z\"", StringComparison.Ordinal);

        var (exit, stdout, stderr) = Cli.RunWithInput(scenario, "simulate", "-");

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Equal("8999-12-31T23:59:59Z", JsonNode.Parse(stdout)!["final"]!["nextReviewAt"]!.GetValue<string>());
    }

    [Fact]
    public void Commands_LatestInstant_IsTheLatestTheReaderAccepts()
    {
        string Until(Instant until) =>
            Cli.RunWithInput(LastDay.Replace("\"until\":\"8999-12-31T00:00:00Z\"", $"\"until\":\"{InstantPattern.ExtendedIso.Format(until)}\"", StringComparison.Ordinal), "validate", "-").Error;

        Assert.Equal("", Until(Commands.LatestInstant));
        Assert.StartsWith("until: must be between", Until(Commands.LatestInstant + Duration.Epsilon), StringComparison.Ordinal);
    }

    private static IEnumerable<string> Instants(JsonNode node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Key is "at" or "nextReviewAt" && p.Value is JsonValue value ? [value.GetValue<string>()] : p.Value is null ? [] : Instants(p.Value)),
        JsonArray array => array.SelectMany(e => e is null ? [] : Instants(e)),
        _ => [],
    };
}
