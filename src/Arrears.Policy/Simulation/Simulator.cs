using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Simulation;

/// <summary>Replays a <see cref="Scenario"/> and returns its whole lifecycle <see cref="Timeline"/>.</summary>
/// <remarks>
/// <para>
/// Usage is rated into charges (<see cref="Rating"/>), and charges and entries up to <see cref="Scenario.Until"/> form the
/// ledger. Without a schedule the account is evaluated once at <c>until</c>, with every fact and hold known, and the engine
/// catches up on every transition, each at its own effective instant: because evaluation is schedule independent, this is
/// the timeline a host evaluating the account many times with every fact known on time would have produced.
/// </para>
/// <para>
/// With a <see cref="Scenario.Schedule"/>, the account is evaluated at each instant of the schedule and then at
/// <c>until</c>, as a host would, each time with only the facts recorded by then (entries and revocations at their
/// <c>recordedAt</c> or their instant, holds at their <c>recordedAt</c> or their start, charges at their own instant), and
/// the state of the previous evaluation. Facts that became known late then show as late transitions
/// (<see cref="Transition.IsLate"/>), and decisions already taken stand.
/// </para>
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
        var policy = scenario.AccountPolicy;
        Evaluation last;
        var evaluations = new List<TimelineEvaluation>();
        var transitions = new List<Transition>();
        var notifications = new List<NotificationIntent>();
        if (scenario.Schedule is not { } schedule)
        {
            ledger.Append(scenario.Entries.Where(entry => entry.At <= until).Concat(upToUntil.Select(charge => charge.ToLedgerEntry())));
            last = policy.Evaluate(scenario.Account, ledger, KnownHolds(scenario, until, recordedBy: null), AccountState.Initial, until);
            Record(last, until);
        }
        else
        {
            // Facts in the order they became known; each evaluation appends those recorded since the previous one.
            var pending = scenario.Entries.Where(entry => entry.At <= until).Select(entry => (Known: scenario.RecordedAt(entry), Entry: entry))
                .Concat(upToUntil.Select(charge => (Known: charge.At, Entry: charge.ToLedgerEntry())))
                .OrderBy(fact => fact.Known)
                .ToList();
            var next = 0;
            var state = AccountState.Initial;
            var holds = HoldSet.Empty;
            var knownHolds = -1;
            last = default;
            foreach (var at in schedule.InstantsUpTo(scenario.FirstFact() ?? until, until))
            {
                var from = next;
                while (next < pending.Count && pending[next].Known <= at)
                {
                    next++;
                }

                if (next > from)
                {
                    ledger.Append(pending.Skip(from).Take(next - from).Select(fact => fact.Entry));
                }

                var count = CountKnownHolds(scenario, at);
                if (count != knownHolds)
                {
                    holds = KnownHolds(scenario, until, recordedBy: at);
                    knownHolds = count;
                }

                last = policy.Evaluate(scenario.Account, ledger, holds, state, at);
                state = last.State;
                Record(last, at);
            }
        }

        return new Timeline(
            scenario.Account.Id,
            scenario.Currency,
            upToUntil,
            transitions,
            notifications,
            [.. ledger.BalanceSteps()],
            new TimelineFinal(last.State.Lifecycles, last.Balance, last.NextReviewAt),
            [.. AppliedEntries(scenario).Where(entry => scenario.Schedule is null || scenario.RecordedAt(entry) <= until)],
            evaluations,
            scenario.Schedule is not null);

        void Record(Evaluation evaluation, Instant at)
        {
            if (evaluation.HasChanges)
            {
                evaluations.Add(new TimelineEvaluation(at, evaluation.Transitions, evaluation.Notifications));
                transitions.AddRange(evaluation.Transitions);
                notifications.AddRange(evaluation.Notifications);
            }
        }
    }

    /// <summary>
    /// The holds and revocations a replay sees: those that take effect up to <paramref name="until"/> (a hold that starts
    /// after it, or a revocation after it, is ignored like a later entry) and, with a schedule, that were recorded by
    /// <paramref name="recordedBy"/>.
    /// </summary>
    internal static HoldSet KnownHolds(Scenario scenario, Instant until, Instant? recordedBy)
    {
        var all = scenario.Holds;
        if (all.Holds.Count == 0)
        {
            return HoldSet.Empty;
        }

        var holds = all.Holds.Where(hold => hold.From <= until && (recordedBy is null || scenario.RecordedAt(hold) <= recordedBy)).ToList();
        var ids = holds.Select(hold => hold.Id).ToHashSet(StringComparer.Ordinal);
        var revocations = all.Revocations
            .Where(revocation => revocation.At <= until && ids.Contains(revocation.Revokes) && (recordedBy is null || scenario.RecordedAt(revocation) <= recordedBy))
            .ToList();
        return holds.Count == 0 ? HoldSet.Empty : new HoldSet(holds, revocations);
    }

    private static int CountKnownHolds(Scenario scenario, Instant at) =>
        scenario.Holds.Holds.Count(hold => scenario.RecordedAt(hold) <= at) + scenario.Holds.Revocations.Count(revocation => scenario.RecordedAt(revocation) <= at);

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
