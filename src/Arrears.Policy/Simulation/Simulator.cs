namespace Arrears.Policy;

/// <summary>Replays a <see cref="Scenario"/> and returns its whole lifecycle <see cref="Timeline"/>.</summary>
/// <remarks>
/// Usage is rated into charges (<see cref="Rating"/>), charges and entries up to <see cref="Scenario.Until"/> form the ledger,
/// and the account is evaluated once at <c>until</c> with <see cref="LifecycleEngine"/>, which catches up on every transition,
/// each at its own effective instant. Because evaluation is schedule independent, this is the same timeline a host evaluating
/// the account many times would have produced.
/// </remarks>
/// <example>
/// <code>
/// var read = ScenarioJson.Read(File.ReadAllText("never-paid.scenario.json"));
/// if (read.IsValid)
/// {
///     Timeline timeline = Simulator.Run(read.Scenario!);
///     Console.WriteLine(timeline.Final);   // TimelineFinal { State = Purged, Balance = -9.00, NextReviewAt =  }
/// }
/// </code>
/// </example>
public static class Simulator
{
    /// <summary>Replays a scenario.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <returns>The timeline.</returns>
    /// <exception cref="ArgumentException">The scenario is inconsistent (for example usage of an unknown item, or a charge id that repeats an entry id).</exception>
    public static Timeline Run(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var until = scenario.Until;
        var usage = scenario.Usage.Where(record => record.At <= until).ToList();
        var charges = Rating.Rate(scenario.Items, usage, scenario.Currency, scenario.TimeZone)
            .Where(charge => charge.At <= until)
            .ToList();

        var ledger = new Ledger(scenario.Currency, scenario.OpeningBalance);
        ledger.Append(scenario.Entries.Where(entry => entry.At <= until).Concat(charges.Select(charge => charge.ToLedgerEntry())));

        var evaluation = LifecycleEngine.Evaluate(scenario.Policy, scenario.Account, ledger, AccountState.Initial(), until);
        return new Timeline(
            scenario.Account.Id,
            scenario.Currency,
            charges,
            evaluation.Transitions,
            evaluation.Notifications,
            [.. ledger.BalanceSteps()],
            new TimelineFinal(evaluation.State.Lifecycle.Status, evaluation.Balance, evaluation.NextReviewAt));
    }
}
