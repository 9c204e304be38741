namespace Arrears.Policy.Tests.Simulation;

public class ScenarioJsonFuzzTests
{
    [Fact]
    public void Read_ThreeThousandMutatedScenarios_NeverThrowsAndValidOnesSimulate()
    {
        var bases = ExampleTests.ExampleNames().Select(n => File.ReadAllText(ExampleTests.ExamplePath(n + ".scenario.json"))).Append(ScenarioJsonTests.Valid).ToList();
        var mutator = new ScenarioMutator(seed: 20260201);
        int valid = 0, invalid = 0;
        for (var i = 0; i < 3000; i++)
        {
            var json = mutator.Mutate(bases[i % bases.Count]);
            ScenarioReadResult result;
            try
            {
                result = ScenarioJson.Read(json);
            }
            catch (Exception exception)
            {
                Assert.Fail($"case {i} threw {exception.GetType().Name}: {exception.Message}\n{json}");
                return;
            }

            if (result.IsValid)
            {
                valid++;
                Assert.Empty(result.Errors);
                var timeline = Simulator.Run(result.Scenario);
                Assert.NotEmpty(TimelineJson.ToJson(timeline));
            }
            else
            {
                invalid++;
                Assert.NotEmpty(result.Errors);
                Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Path) || e.ToString().Contains('\n', StringComparison.Ordinal), e.ToString()));
            }
        }

        // The mutations must exercise both outcomes, or the test proves little.
        Assert.True(valid > 100 && invalid > 1000, $"valid {valid}, invalid {invalid}");
    }
}
