using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arrears.Policy.Cli.Demo;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary>
/// The contract's last section on the SQLite store: importing a scenario without <c>until</c> and running <c>evaluate</c>
/// at increasing instants ending at <c>until</c> gives the transitions, notifications and final state of <c>simulate</c>.
/// </summary>
public sealed class SamenessTests
{
    /// <summary>The examples an import can state: holds included, but no evaluation schedule and no late facts.</summary>
    public static TheoryData<string> Examples() => [.. ExampleNames()];

    internal static IEnumerable<string> ExampleNames() =>
        Cli.ExampleNames().Where(name =>
        {
            var root = JsonNode.Parse(File.ReadAllText(Cli.Example(name + ".scenario.json")))!.AsObject();
            return !root.ContainsKey("evaluations") && !root.ToJsonString().Contains("\"recordedAt\"", StringComparison.Ordinal);
        });

    [Fact]
    public void Examples_IncludeThoseWithHolds()
    {
        Assert.Contains("promise-to-pay-kept", ExampleNames());
        Assert.Contains("promise-to-pay-broken", ExampleNames());
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ImportThenEvaluate_AtIncreasingInstantsOnSqlite_EqualsSimulate(string example)
    {
        var scenarioJson = File.ReadAllText(Cli.Example(example + ".scenario.json"));
        var scenario = ScenarioJson.Read(scenarioJson).Scenario!;
        var line = WithoutUntil(scenarioJson, out var until);
        using var folder = new TempFolder();
        var store = "sqlite:" + Path.Combine(folder.Path, "store.db");

        var imported = Import(store, line);
        Assert.Equal((0, ""), (imported.Exit, imported.Error));
        foreach (var instant in Sameness.Instants(scenario, until, seed: example.Length))
        {
            Sameness.Run(Cli.Host, "evaluate", "--store", store, "--as-of", Sameness.Format(instant));
        }

        var simulated = Sameness.FromTimeline(Sameness.Run(Cli.Host, "simulate", Cli.Example(example + ".scenario.json"), "--format", "json"));
        Sameness.Equal(simulated, Sameness.FromStore(Cli.Host, store, scenario.Account.Id), scenario.Account.Id);
    }

    [Fact]
    public void ImportThenEvaluate_SeveralProductsOnSqlite_EqualsSimulateWithEachProductsState()
    {
        const string Line = """{"products":[{"product":"apigw","policy":"tencent-api-gateway"},{"product":"cvm","policy":{"preset":"tencent-api-gateway","grace":"P3D"}}],"account":{"id":"multi","currency":"CNY","creator":"owner@example.com","collaborators":["dev@example.com"],"balanceAlarm":"10.00","openingBalance":"20.00"},"items":[{"id":"calls","unit":"10000","unitPrice":"0.06","cycle":"PT1H","settlementDelay":"PT30M","product":"apigw"}],"usage":[{"item":"calls","at":"2026-02-01T00:10:00Z","quantity":"3000000"}],"entries":[{"id":"c1","kind":"charge","at":"2026-02-01T08:30:00Z","amount":"25.00","product":"cvm"},{"id":"p1","kind":"payment","at":"2026-02-03T12:00:00Z","amount":"40.00"},{"id":"c2","kind":"charge","at":"2026-03-01T00:00:00Z","amount":"30.00","product":"cvm"}]}""";
        var until = Instant.FromUtc(2026, 9, 15, 0, 0);
        var scenarioJson = Line[..^1] + $",\"until\":\"{Sameness.Format(until)}\"}}";
        var scenario = ScenarioJson.Read(scenarioJson).Scenario!;
        using var folder = new TempFolder();
        var store = "sqlite:" + Path.Combine(folder.Path, "store.db");

        var imported = Import(store, Line);
        Assert.Equal((0, ""), (imported.Exit, imported.Error));
        foreach (var instant in Sameness.Instants(scenario, until, seed: 3))
        {
            Sameness.Run(Cli.Host, "evaluate", "--store", store, "--as-of", Sameness.Format(instant));
        }

        var timeline = Simulator.Run(scenario);
        Assert.Contains(timeline.Transitions, t => t.Product == "apigw");
        Assert.Contains(timeline.Transitions, t => t.Product == "cvm");
        Sameness.Equal(Sameness.FromTimeline(TimelineJson.ToJson(timeline)), Sameness.FromStore(Cli.Host, store, "multi"), "multi");
        using var status = JsonDocument.Parse(Sameness.Run(Cli.Host, "status", "--store", store, "multi", "--json"));
        Assert.Equal(
            timeline.Final.Products.Select(p => (p.Product, p.Status.ToString())),
            status.RootElement.GetProperty("products").EnumerateArray().Select(p => (p.GetProperty("product").GetString(), p.GetProperty("state").GetString()!)));
    }

    [Fact]
    public void ImportThenEvaluate_HoldsRevocationsAndRecordedAtOnSqlite_EqualsSimulate()
    {
        // A promise to pay revoked early, an open-ended dispute of the purge, and a hold recorded an hour after it starts.
        var line = ImportCommandTests.AlphaWithHolds;
        var until = Instant.FromUtc(2026, 9, 1, 0, 0);
        var scenarioJson = line[..^1] + $",\"until\":\"{Sameness.Format(until)}\"}}";
        var scenario = ScenarioJson.Read(scenarioJson).Scenario!;
        using var folder = new TempFolder();
        var store = "sqlite:" + Path.Combine(folder.Path, "store.db");

        var imported = Import(store, line);
        Assert.Equal((0, ""), (imported.Exit, imported.Error));
        foreach (var instant in Sameness.Instants(scenario, until, seed: 7))
        {
            Sameness.Run(Cli.Host, "evaluate", "--store", store, "--as-of", Sameness.Format(instant));
        }

        var timeline = Simulator.Run(scenario);
        Assert.Contains(timeline.Transitions, t => t.DeferredFrom is not null);
        Sameness.Equal(Sameness.FromTimeline(TimelineJson.ToJson(timeline)), Sameness.FromStore(Cli.Host, store, "alpha"), "alpha");
    }

    [Fact]
    public void ImportThenEvaluate_APopulationStepByStepOnSqlite_EqualsSimulateForEveryAccount()
    {
        // 40 accounts of every kind of payer (and usage billing), evaluated every 5 days plus at random instants for 200
        // days; the store sees each account due at its own instants in between.
        var lines = Population.Lines(40, seed: 11);
        using var folder = new TempFolder(DemoCommand.TemporaryRoot());
        var store = "sqlite:" + Path.Combine(folder.Path, "population.db");
        var imported = Import(store, string.Join('\n', lines));
        Assert.Equal((0, "imported 40 accounts, ", ""), (imported.Exit, imported.Out[..22], imported.Error));

        var random = new Random(5);
        var instants = Enumerable.Range(0, 40).Select(i => Population.Start + Duration.FromDays(5 * i))
            .Concat(Enumerable.Range(0, 20).Select(_ => Population.Start + Duration.FromSeconds(random.Next(200 * 86_400))))
            .Where(i => i < Population.Until)
            .Append(Population.Until)
            .Distinct()
            .Order();
        foreach (var instant in instants)
        {
            Sameness.Run(Cli.Host, "evaluate", "--store", store, "--as-of", Sameness.Format(instant));
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var scenario = ScenarioJson.Read(Population.Scenario(lines[i], Population.Until)).Scenario!;
            var simulated = Sameness.FromTimeline(TimelineJson.ToJson(Simulator.Run(scenario)));
            Sameness.Equal(simulated, Sameness.FromStore(Cli.Host, store, Population.Id(i)), Population.Id(i));
        }
    }

    [Fact]
    public void ImportThenEvaluate_TheBuiltToolInProcessesOnSqlite_EqualsSimulate()
    {
        // The one test that runs the tool as a user does: the built arrears.dll in processes of its own.
        var scenarioJson = File.ReadAllText(Cli.Example("pay-one-second-late.scenario.json"));
        var line = WithoutUntil(scenarioJson, out var until);
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "accounts.jsonl");
        File.WriteAllText(file, line + "\n");
        var store = "sqlite:" + Path.Combine(folder.Path, "store.db");

        Assert.Equal((0, "imported 1 accounts, 3 entries, 0 usage records\n", ""), Spawn("import", "--store", store, file));
        var evaluated = Spawn("evaluate", "--store", store, "--as-of", Sameness.Format(until), "--json");
        Assert.Equal(0, evaluated.Exit);
        Assert.StartsWith($$"""{"asOf":"{{Sameness.Format(until)}}","evaluated":1,""", evaluated.Out, StringComparison.Ordinal);

        var simulated = Sameness.FromTimeline(Spawn("simulate", Cli.Example("pay-one-second-late.scenario.json")).Out);
        var account = ScenarioJson.Read(scenarioJson).Scenario!.Account.Id;
        var history = Spawn("history", "--store", store, account, "--json");
        var outbox = Spawn("outbox", "--store", store, "--account", account, "--json");
        var status = Spawn("status", "--store", store, account, "--json");
        Assert.Equal((0, 0, 0), (history.Exit, outbox.Exit, status.Exit));
        Assert.Equal(simulated.Transitions.Count, Cli.Lines(history.Out).Length);
        Assert.Equal(simulated.Notifications.Count, Cli.Lines(outbox.Out).Length);
        Assert.Contains($"\"state\":\"{simulated.Final.State}\"", status.Out, StringComparison.Ordinal);

        var unknown = Spawn("status", "--store", store, "nobody");
        Assert.Equal((2, ""), (unknown.Exit, unknown.Out));
        Assert.DoesNotContain("   at ", unknown.Error, StringComparison.Ordinal);
    }

    /// <summary>The scenario as an import line: the same JSON on one line, without <c>until</c>.</summary>
    internal static string WithoutUntil(string scenarioJson, out Instant until)
    {
        var node = JsonNode.Parse(scenarioJson)!.AsObject();
        until = InstantPattern.ExtendedIso.Parse(node["until"]!.GetValue<string>()).Value;
        node.Remove("until");
        return node.ToJsonString();
    }

    [Fact]
    public void Evaluate_AsOfAfter2262OnSqlite_Exit2NamingTheOptionAndTheValueAndChangesNothing()
    {
        // SQLite keeps due and claim instants as 64-bit nanoseconds since schema version 4 (decision 0019), as PostgreSQL does.
        const string Line = """{"policy":"tencent-api-gateway","account":{"id":"a","currency":"CNY","creator":"o@example.com"},"entries":[{"id":"c1","kind":"charge","at":"2026-03-01T00:00:00Z","amount":"5"}]}""";
        using var folder = new TempFolder();
        var store = "sqlite:" + Path.Combine(folder.Path, "store.db");
        var imported = Import(store, Line);
        Assert.Equal((0, ""), (imported.Exit, imported.Error));

        var (exit, stdout, stderr) = Cli.RunOn(Cli.Host, new MemoryStream(), "evaluate", "--store", store, "--as-of", "2300-01-01T00:00:00Z");

        Assert.Equal(
            (2, "", "--as-of: the SQLite store keeps due, claim, evaluation and review instants from 1677-09-21 to 2262-04-11, got \"2300-01-01T00:00:00.000000000Z\"\n"),
            (exit, stdout, stderr));
        var evaluated = Cli.RunOn(Cli.Host, new MemoryStream(), "evaluate", "--store", store, "--as-of", "2026-03-02T00:00:00Z", "--json");
        Assert.Equal(0, evaluated.Exit);
        Assert.Contains("\"evaluated\":1", evaluated.Out, StringComparison.Ordinal);
    }

    private static (int Exit, string Out, string Error) Import(string store, string lines) =>
        Cli.RunOn(Cli.Host, new MemoryStream(Encoding.UTF8.GetBytes(lines)), "import", "--store", store, "-");

    private static (int Exit, string Out, string Error) Spawn(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "arrears.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"arrears {string.Join(' ', args)} did not finish");
        return (process.ExitCode, stdout.Result.ReplaceLineEndings("\n"), stderr.Result.ReplaceLineEndings("\n"));
    }
}

/// <summary>A new folder for one test, deleted with everything in it afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string? root = null)
    {
        Path = System.IO.Path.Combine(root ?? System.IO.Path.GetTempPath(), "arrears-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
