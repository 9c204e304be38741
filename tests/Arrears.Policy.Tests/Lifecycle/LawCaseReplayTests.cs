using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// A failing law prints its case as a scenario of the simulate contract. That printout must really replay: read by
/// <see cref="ScenarioJson"/> (what <c>arrears simulate</c> does) it gives the timeline the law saw.
/// </summary>
[Properties(Arbitrary = [typeof(LawArbitraries)], MaxTest = 300)]
public sealed class LawCaseReplayTests
{
    [Property]
    public Property ToString_ScenarioPart_ReplaysToTheSameTimeline(LawCase c)
    {
        var printed = c.ToString();
        const string prefix = "scenario: ";
        var json = printed[prefix.Length..printed.IndexOf(Environment.NewLine, StringComparison.Ordinal)];

        var read = ScenarioJson.Read(json);
        if (!read.IsValid)
        {
            return false.Label(string.Join(Environment.NewLine, read.Errors));
        }

        var replayed = Simulator.Run(read.Scenario!);
        // The replay knows the facts up to until, as simulate does: a hold that starts later is not known yet (its
        // recordedAt defaults to its start), and neither is a revocation after until.
        var all = c.HoldSet();
        var holds = all.Holds.Where(h => h.From <= c.Until).ToList();
        var known = new HoldSet(holds, [.. all.Revocations.Where(r => r.At <= c.Until && holds.Any(h => h.Id == r.Revokes))]);
        var evaluated = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), c.Ledger(), known, AccountState.Initial, c.Until);
        return (replayed.Transitions.SequenceEqual(evaluated.Transitions) &&
                replayed.Notifications.Select(n => n.Key.Value).SequenceEqual(evaluated.Notifications.Select(n => n.Key.Value), StringComparer.Ordinal))
            .Label(json);
    }
}
