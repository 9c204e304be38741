using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>What one evaluation pass did: accounts evaluated, transitions by status reached, intents, actions, conflicts and time taken.</summary>
/// <example>
/// <code>
/// EvaluationSummary summary = await runtime.EvaluateDueAsync(cancellationToken);
/// Console.WriteLine(summary);   // 1000 account(s), 12 transition(s) (Overdue 7, Suspended 5), 48 intent(s), 5 action(s), 0 conflict(s) in 00:00:00.21
/// </code>
/// </example>
public sealed class EvaluationSummary
{
    internal EvaluationSummary(int accounts, IReadOnlyDictionary<LifecycleStatus, int> transitions, int intents, int actions, int conflicts, int failures, IReadOnlyList<string> errors, Duration elapsed)
    {
        Errors = errors;
        Accounts = accounts;
        TransitionsTo = transitions;
        Intents = intents;
        Actions = actions;
        Conflicts = conflicts;
        Failures = failures;
        Elapsed = elapsed;
    }

    /// <summary>Gets the number of accounts evaluated and saved.</summary>
    public int Accounts { get; }

    /// <summary>Gets the number of transitions by the status they reached.</summary>
    public IReadOnlyDictionary<LifecycleStatus, int> TransitionsTo { get; }

    /// <summary>Gets the total number of transitions.</summary>
    public int Transitions => TransitionsTo.Values.Sum();

    /// <summary>Gets the number of notification intents written to the outbox.</summary>
    public int Intents { get; }

    /// <summary>Gets the number of enforcement actions written to the outbox.</summary>
    public int Actions { get; }

    /// <summary>Gets the number of commits refused because the account had changed (each account was evaluated again).</summary>
    public int Conflicts { get; }

    /// <summary>Gets the number of accounts whose evaluation failed; they stay due and are retried when their claim expires.</summary>
    public int Failures { get; }

    /// <summary>Gets why evaluations failed (the first 20 failures): the account and the error.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Gets the wall-clock time the pass took.</summary>
    public Duration Elapsed { get; }

    /// <summary>Returns the summary in one line.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"{Accounts} account(s), {Transitions} transition(s) ({string.Join(", ", TransitionsTo.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}), {Intents} intent(s), {Actions} action(s), {Conflicts} conflict(s), {Failures} failure(s) in {Elapsed}";
}

/// <summary>What one dispatch pass did: messages delivered, retried later, dead-lettered.</summary>
/// <example>
/// <code>
/// DispatchSummary summary = await runtime.DispatchAsync(cancellationToken);
/// if (summary.DeadLettered &gt; 0) logger.LogWarning("{Count} outbox message(s) dead-lettered", summary.DeadLettered);
/// </code>
/// </example>
public sealed class DispatchSummary
{
    internal DispatchSummary(int delivered, int retried, int deadLettered, Duration elapsed)
    {
        Delivered = delivered;
        Retried = retried;
        DeadLettered = deadLettered;
        Elapsed = elapsed;
    }

    /// <summary>Gets the number of messages delivered (notifications sent, actions carried out).</summary>
    public int Delivered { get; }

    /// <summary>Gets the number of messages that failed transiently and wait for a later attempt.</summary>
    public int Retried { get; }

    /// <summary>Gets the number of messages dead-lettered.</summary>
    public int DeadLettered { get; }

    /// <summary>Gets the wall-clock time the pass took.</summary>
    public Duration Elapsed { get; }

    /// <summary>Returns the summary in one line.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Delivered} delivered, {Retried} to retry, {DeadLettered} dead-lettered in {Elapsed}";
}
