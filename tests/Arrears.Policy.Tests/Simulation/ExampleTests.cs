namespace Arrears.Policy.Tests.Simulation;

public class ExampleTests
{
    public static TheoryData<string> Examples() => new(ExampleNames());

    internal static List<string> ExampleNames() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.scenario.json")
            .Order(StringComparer.Ordinal)
            .Select(file => Path.GetFileName(file)[..^".scenario.json".Length])];

    [Fact]
    public void Examples_AllCopiedToOutput_AreFoundWithExpectedTimelines()
    {
        var names = ExampleNames();
        Assert.True(names.Count >= 4, $"expected at least 4 examples, found {names.Count}");
        Assert.All(names, name => Assert.True(File.Exists(ExamplePath(name + ".expected.json")), name));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ReadRunWrite_Example_MatchesExpectedTimelineSemantically(string name)
    {
        var read = ScenarioJson.Read(File.ReadAllText(ExamplePath(name + ".scenario.json")));
        Assert.True(read.IsValid, string.Join(Environment.NewLine, read.Errors));

        var actual = TimelineJson.ToJson(Simulator.Run(read.Scenario));

        var differences = TimelineComparison.Differences(File.ReadAllText(ExamplePath(name + ".expected.json")), actual);
        Assert.True(differences.Count == 0, name + ":" + Environment.NewLine + string.Join(Environment.NewLine, differences));
    }

    [Fact]
    public void Differences_ChangedAmountInstantOrNotification_AreReported()
    {
        var expected = File.ReadAllText(ExamplePath("never-paid.expected.json"));
        Assert.Empty(TimelineComparison.Differences(expected, expected));

        Assert.Contains(
            TimelineComparison.Differences(expected, expected.Replace("\"24.00\"", "\"24.01\"", StringComparison.Ordinal)),
            d => d.StartsWith("charges[0].amount", StringComparison.Ordinal));
        Assert.Contains(
            TimelineComparison.Differences(expected, expected.Replace("2026-09-29T02:30:00Z", "2026-09-29T02:30:01Z", StringComparison.Ordinal)),
            d => d.StartsWith("transitions[2].at", StringComparison.Ordinal));
        Assert.Contains(
            TimelineComparison.Differences(expected, expected.Replace("\"kind\": \"Purged\"", "\"kind\": \"Resumed\"", StringComparison.Ordinal)),
            d => d.StartsWith("notifications: missing", StringComparison.Ordinal));

        // Amounts compare as decimals and instants as instants: "24.0" and fractional zeros are the same values.
        var equivalent = expected
            .Replace("\"24.00\"", "\"24.0\"", StringComparison.Ordinal)
            .Replace("2026-04-01T01:30:00Z", "2026-04-01T01:30:00.000Z", StringComparison.Ordinal);
        Assert.Empty(TimelineComparison.Differences(expected, equivalent));
    }

    [Fact]
    public void Differences_DuplicateNotificationKey_IsReported()
    {
        var expected = File.ReadAllText(ExamplePath("never-paid.expected.json"));
        var duplicated = expected.Replace("acct-gone/1/Overdue/owner@example.com/SMS", "acct-gone/1/Overdue/owner@example.com/Email", StringComparison.Ordinal);
        Assert.Contains(TimelineComparison.Differences(expected, duplicated), d => d.Contains("appears 2 times", StringComparison.Ordinal));
    }

    internal static string ExamplePath(string file) => Path.Combine(AppContext.BaseDirectory, "examples", file);
}
