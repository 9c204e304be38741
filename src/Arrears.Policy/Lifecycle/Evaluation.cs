using NodaTime;

namespace Arrears.Policy;

/// <summary>A lifecycle policy bound to one product of an account.</summary>
/// <param name="Product">The product's name, or <see langword="null"/> for a single-product account; part of notification keys.</param>
/// <param name="Policy">The product's lifecycle policy.</param>
/// <example>
/// <code>
/// ProductPolicy[] products =
/// [
///     new("apigw", PolicyPresets.TencentApiGateway.Policy),
///     new("cvm", PolicyPresets.TencentCvm.Policy),
/// ];
/// var evaluation = LifecycleEngine.Evaluate(products, account, ledger, AccountState.Initial(products.Length), now);
/// </code>
/// </example>
public readonly record struct ProductPolicy(string? Product, LifecyclePolicy Policy);

/// <summary>The result of one evaluation: the new state, what happened since the last evaluation, and when to look again.</summary>
/// <remarks>
/// An evaluation with nothing to do allocates nothing: the lists are then shared empty lists and
/// <see cref="State"/> reuses the previous lifecycle array.
/// </remarks>
/// <example>
/// <code>
/// var evaluation = LifecycleEngine.Evaluate(policy, account, ledger, state, clock.GetCurrentInstant());
/// foreach (var transition in evaluation.Transitions)
/// {
///     Console.WriteLine($"{transition.At}: {transition.From} -&gt; {transition.To} ({transition.Reason})");
/// }
///
/// outbox.AddRange(evaluation.Notifications);            // deliver at least once; deduplicate by intent.Key
/// scheduler.WakeAt(account.Id, evaluation.NextReviewAt); // null: nothing will happen without a new entry
/// </code>
/// </example>
public readonly struct Evaluation
{
    internal Evaluation(
        AccountState state,
        IReadOnlyList<Transition> transitions,
        IReadOnlyList<NotificationIntent> notifications,
        Instant? nextReviewAt,
        decimal balance)
    {
        State = state;
        Transitions = transitions;
        Notifications = notifications;
        NextReviewAt = nextReviewAt;
        Balance = balance;
    }

    /// <summary>Gets the account's state after the evaluation; persist it and pass it to the next evaluation.</summary>
    public AccountState State { get; }

    /// <summary>Gets every transition since the previous evaluation, in the order they happened, each with its effective instant.</summary>
    public IReadOnlyList<Transition> Transitions { get; }

    /// <summary>Gets the notification intents produced since the previous evaluation, in the order they happened.</summary>
    public IReadOnlyList<NotificationIntent> Notifications { get; }

    /// <summary>
    /// Gets the next instant after the evaluation at which a deadline or a purge warning would act with no new ledger entry,
    /// or <see langword="null"/> when none would.
    /// </summary>
    public Instant? NextReviewAt { get; }

    /// <summary>Gets the balance at the evaluation instant.</summary>
    public decimal Balance { get; }

    /// <summary>Gets whether anything happened (a transition or a notification).</summary>
    public bool HasChanges => Transitions.Count > 0 || Notifications.Count > 0;
}
