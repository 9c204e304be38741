using System.Text.RegularExpressions;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>docs/tencent-api-gateway.md names, for each rule of the seed, the tests that prove it; each name must name a test.</summary>
public sealed partial class TencentGatewayGuideTests
{
    private const string Page = "docs/tencent-api-gateway.md";

    [Fact]
    public void Guide_EveryTestItNames_IsATestMethodOfThatClassUnderTests()
    {
        var names = TestNames(RepositoryFiles.Read(Page));
        var sources = TestSources();

        var missing = Missing(names, sources);

        Assert.True(names.Count >= 25, $"{Page} names only {names.Count} tests: {string.Join(", ", names)}");
        Assert.True(missing.Count == 0, $"{Page} names tests that do not exist: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Missing_RenamedMethodOrUnknownClass_IsReportedAndExistingOnesAreNot()
    {
        var names = TestNames("- `RatingTests.Rate_Hourly_Old`\n- `NoSuchTests.A_B_C`\n- `RatingTests.Rate_Now_Fine`\n`Plain.Text` and `Rate_Alone`");
        var sources = new Dictionary<string, string>
        {
            ["RatingTests.cs"] = "public sealed class RatingTests\n{\n    [Fact]\n    public void Rate_Now_Fine()\n    {\n    }\n}",
        };

        Assert.Equal(["RatingTests.Rate_Hourly_Old", "NoSuchTests.A_B_C", "RatingTests.Rate_Now_Fine"], names);
        Assert.Equal(["RatingTests.Rate_Hourly_Old", "NoSuchTests.A_B_C"], Missing(names, sources));
    }

    /// <summary>The <c>`Class.Member_Scenario_Expectation`</c> names of a page, in order, each once.</summary>
    private static List<string> TestNames(string markdown) =>
        [.. TestName().Matches(markdown).Select(match => match.Groups["name"].Value).Distinct(StringComparer.Ordinal)];

    private static List<string> Missing(IEnumerable<string> names, IReadOnlyDictionary<string, string> sources) =>
        [.. names.Where(name =>
        {
            var (type, method) = (name[..name.IndexOf('.', StringComparison.Ordinal)], name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..]);
            return !sources.Values.Any(source =>
                Regex.IsMatch(source, $@"\bclass {type}\b") && Regex.IsMatch(source, $@"\b(void|Task|Property|bool) {method}\("));
        })];

    private static Dictionary<string, string> TestSources() =>
        Directory.EnumerateFiles(RepositoryFiles.PathOf("tests"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(path => path, File.ReadAllText);

    [GeneratedRegex(@"`(?<name>[A-Z]\w*\.[A-Z][A-Za-z0-9]*_\w+)`")]
    private static partial Regex TestName();
}
