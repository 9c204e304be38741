using System.Text.Json;
using Arrears.Policy.Tests.Simulation;

namespace Arrears.Policy.Cli.Tests;

public class FuzzTests
{
    [Fact]
    public void SimulateExplainTable_TenThousandMutatedScenarios_NeverAnInternalError()
    {
        var bases = Cli.ExampleNames().Select(n => File.ReadAllText(Cli.Example(n + ".scenario.json"))).ToList();
        var mutator = new ScenarioMutator(seed: 5);
        var outcomes = new Dictionary<int, int>();
        for (var i = 0; i < 10_000; i++)
        {
            var json = mutator.Mutate(bases[i % bases.Count]);

            // One case in ten is explained and one in ten drawn as a table: same input checks, other writers.
            string[] args = (i % 10) switch
            {
                1 => ["explain", "-"],
                2 => ["simulate", "--format", "table", "-"],
                _ => ["simulate", "-"],
            };
            var (exit, stdout, stderr) = Cli.RunWithInput(json, args);
            outcomes[exit] = outcomes.GetValueOrDefault(exit) + 1;
            Assert.False(stdout.Any(c => char.IsControl(c) && c != '\n'), $"case {i}: a control character on standard output\n{stdout}");
            Assert.False(stderr.Any(c => char.IsControl(c) && c != '\n'), $"case {i}: a control character on standard error\n{stderr}");
            // A valid scenario may come with warnings (facts after until are ignored), one line each, and nothing else.
            var warningsOnly = Cli.Lines(stderr).All(line => line.StartsWith("warning: ", StringComparison.Ordinal));
            switch (exit)
            {
                case 0 when args[0] == "explain":
                    Assert.True(warningsOnly, stderr);
                    Assert.StartsWith("Account ", stdout, StringComparison.Ordinal);
                    Assert.Contains("At the end of the replay", stdout, StringComparison.Ordinal);
                    break;
                case 0 when args.Length == 4:
                    Assert.True(warningsOnly, stderr);
                    Assert.Contains("\nFinal: ", stdout, StringComparison.Ordinal);
                    break;
                case 0:
                    Assert.True(warningsOnly, stderr);
                    using (var document = JsonDocument.Parse(stdout))
                    {
                        Assert.Equal(JsonValueKind.Object, document.RootElement.GetProperty("final").ValueKind);
                    }

                    break;
                case 2:
                    Assert.Equal("", stdout);
                    Assert.All(Cli.Lines(stderr), line => Assert.Matches(@"^(\$|[A-Za-z]).*: .+", line));
                    break;
                default:
                    Assert.Fail($"case {i}: exit {exit}\n{stderr}\n{json}");
                    break;
            }
        }

        // Both outcomes must be exercised in numbers, or the fuzzing proves little.
        Assert.True(outcomes.GetValueOrDefault(0) > 200 && outcomes.GetValueOrDefault(2) > 5000 && outcomes.Values.Sum() == 10_000, string.Join(", ", outcomes));
    }
}
