namespace Arrears.Policy.Cli.Tests.Stores;

public sealed class PopulationTests
{
    [Fact]
    public void Lines_SimulatedToUntil_ReachEveryTransitionReasonAndAreValidScenarios()
    {
        var reasons = new Dictionary<TransitionReason, int>();
        foreach (var line in Population.Lines(200, seed: 7))
        {
            var read = ScenarioJson.Read(Population.Scenario(line, Population.Until));
            Assert.True(read.Scenario is not null, string.Join("; ", read.Errors.Select(e => e.ToString())));
            foreach (var transition in Simulator.Run(read.Scenario).Transitions)
            {
                reasons[transition.Reason] = reasons.GetValueOrDefault(transition.Reason) + 1;
            }
        }

        Assert.All(Enum.GetValues<TransitionReason>(), reason => Assert.True(reasons.GetValueOrDefault(reason) > 0, $"no {reason} in the population"));
    }
}
