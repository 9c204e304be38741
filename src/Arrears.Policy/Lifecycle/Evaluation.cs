using NodaTime;

namespace Arrears.Policy;

/// <summary>The result of one evaluation: the new state, what happened since the last evaluation, and when to look again.</summary>
/// <remarks>
/// <para>
/// An evaluation with nothing to do allocates nothing: the lists are then shared empty lists and <see cref="State"/>
/// reuses the previous lifecycle array.
/// </para>
/// <para>
/// The default value is an evaluation of nothing: the initial state, no transitions, no notifications, no review instant
/// and a zero balance.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var evaluation = accountPolicy.Evaluate(account, ledger, state, clock.GetCurrentInstant());
/// foreach (var transition in evaluation.Transitions)
/// {
///     Console.WriteLine(transition);   // 2026-02-02T08:30:00Z Overdue -&gt; Suspended (GraceExpired, episode 1)
/// }
///
/// scheduler.WakeAt(account.Id, evaluation.NextReviewAt); // null: nothing will happen without a new entry
/// </code>
/// </example>
public readonly struct Evaluation
{
    private readonly IReadOnlyList<Transition>? _transitions;
    private readonly IReadOnlyList<NotificationIntent>? _notifications;

    internal Evaluation(
        AccountState state,
        IReadOnlyList<Transition> transitions,
        IReadOnlyList<NotificationIntent> notifications,
        Instant? nextReviewAt,
        decimal balance)
    {
        State = state;
        _transitions = transitions;
        _notifications = notifications;
        NextReviewAt = nextReviewAt;
        Balance = balance;
    }

    /// <summary>An evaluation that changes nothing: no transition and no notification (the lists read as empty).</summary>
    internal Evaluation(AccountState state, Instant? nextReviewAt, decimal balance)
    {
        State = state;
        NextReviewAt = nextReviewAt;
        Balance = balance;
    }

    /// <summary>Gets the account's state after the evaluation; persist it and pass it to the next evaluation.</summary>
    public AccountState State { get; }

    /// <summary>Gets every transition since the previous evaluation, in the order they happened, each with its effective instant.</summary>
    public IReadOnlyList<Transition> Transitions => _transitions ?? [];

    /// <summary>Gets the notification intents produced since the previous evaluation, in the order they happened.</summary>
    public IReadOnlyList<NotificationIntent> Notifications => _notifications ?? [];

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
