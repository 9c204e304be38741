using Arrears.Policy.Billing;

namespace Arrears.Policy.Simulation;

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
///     Console.WriteLine(timeline.Final);   // Purged, balance -9.00, next review none
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

        // Rated here every time, from the scenario alone: a scenario read from JSON was rated by the reader too (to
        // report problems with their paths), but a scenario built in code has not been.
        var (charges, error) = RateUsage(scenario);
        var rated = error is null ? charges! : throw error.ToException();

        // Charges are sorted by instant, so those up to until are a prefix.
        var upToUntil = rated.TakeWhile(charge => charge.At <= until).ToList();
        var ledger = new Ledger(scenario.Currency, scenario.OpeningBalance);
        ledger.Append(scenario.Entries.Where(entry => entry.At <= until).Concat(upToUntil.Select(charge => charge.ToLedgerEntry())));

        var evaluation = AccountPolicy.For(scenario.Policy).Evaluate(scenario.Account, ledger, AccountState.Initial, until);
        return new Timeline(
            scenario.Account.Id,
            scenario.Currency,
            upToUntil,
            evaluation.Transitions,
            evaluation.Notifications,
            [.. ledger.BalanceSteps()],
            new TimelineFinal(evaluation.State.Lifecycles[0].Status, evaluation.Balance, evaluation.NextReviewAt),
            AppliedEntries(scenario));
    }

    /// <summary>
    /// Returns the scenario's ledger entries that a replay applies: those up to <see cref="Scenario.Until"/>, in input order,
    /// each id once (a repeat with the same content is an idempotent replay; one with different content is rejected by the ledger).
    /// </summary>
    internal static IReadOnlyList<LedgerEntry> AppliedEntries(Scenario scenario) =>
        [.. scenario.Entries.Where(entry => entry.At <= scenario.Until).DistinctBy(entry => entry.Id, StringComparer.Ordinal)];

    /// <summary>
    /// Rates the scenario's usage up to <see cref="Scenario.Until"/> (every charge, including those that settle after it).
    /// An error's index is the record's position in <see cref="Scenario.Usage"/>.
    /// </summary>
    internal static (IReadOnlyList<RatedCharge>? Charges, RatingError? Error) RateUsage(Scenario scenario)
    {
        var positions = new List<int>(scenario.Usage.Count);
        var usage = new List<UsageRecord>(scenario.Usage.Count);
        for (var i = 0; i < scenario.Usage.Count; i++)
        {
            if (scenario.Usage[i] is not { } record || record.At <= scenario.Until)
            {
                positions.Add(i);
                usage.Add(scenario.Usage[i]);
            }
        }

        var (charges, error) = Rating.TryRate(scenario.Items, usage, scenario.Currency, scenario.TimeZone);
        return error is { Argument: "usage" } ? (null, error with { Index = positions[error.Index] }) : (charges, error);
    }
}
