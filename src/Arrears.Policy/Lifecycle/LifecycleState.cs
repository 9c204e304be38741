using NodaTime;

namespace Arrears.Policy;

/// <summary>The lifecycle of one product of an account: its state, the current arrears episode and its deadlines.</summary>
/// <param name="Status">The state.</param>
/// <param name="Episode">The number of arrears episodes so far (0 before the first); part of notification keys.</param>
/// <param name="OverdueSince">When the current episode started; set while Overdue or Suspended.</param>
/// <param name="SuspendAt">The suspension deadline of the current episode; set while Overdue or Suspended.</param>
/// <param name="PurgeAt">The purge deadline; set while Suspended or Purged.</param>
/// <example>
/// <code>
/// LifecycleState lifecycle = evaluation.State.Lifecycle;
/// if (lifecycle.Status == AccountStatus.Overdue)
/// {
///     Console.WriteLine($"episode {lifecycle.Episode}: suspended at {lifecycle.SuspendAt} unless paid");
/// }
/// </code>
/// </example>
public readonly record struct LifecycleState(
    AccountStatus Status,
    int Episode,
    Instant? OverdueSince,
    Instant? SuspendAt,
    Instant? PurgeAt)
{
    /// <summary>Gets the state of a product that has never been in arrears.</summary>
    public static LifecycleState Initial => default;
}

/// <summary>
/// Everything the engine needs to remember about an account between evaluations: a small immutable value a store persists.
/// </summary>
/// <remarks>
/// <see cref="Lifecycles"/> holds one <see cref="LifecycleState"/> per product, in the order of the products the account
/// is evaluated with (one for a single-product account). The balance alarm belongs to the account, not to a product.
/// </remarks>
/// <example>
/// <code>
/// // A new account, then the state each evaluation returns, persisted between evaluations.
/// var state = AccountState.Initial();
/// var evaluation = LifecycleEngine.Evaluate(policy, account, ledger, state, clock.GetCurrentInstant());
/// state = evaluation.State;   // store it: status, episode, deadlines, alarm armed, last evaluated instant
/// </code>
/// </example>
public readonly record struct AccountState
{
    private readonly LifecycleState[] _lifecycles;

    /// <summary>Initializes an account state.</summary>
    /// <param name="lifecycles">One lifecycle per product.</param>
    /// <param name="alarmArmed">Whether the balance alarm is armed (it fires on the next crossing below the threshold).</param>
    /// <param name="lastEvaluatedAt">The instant of the last evaluation, or <see langword="null"/> before the first.</param>
    public AccountState(IReadOnlyList<LifecycleState> lifecycles, bool alarmArmed, Instant? lastEvaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(lifecycles);
        _lifecycles = [.. lifecycles];
        AlarmArmed = alarmArmed;
        LastEvaluatedAt = lastEvaluatedAt;
    }

    private AccountState(LifecycleState[] lifecycles, bool alarmArmed, Instant? lastEvaluatedAt)
    {
        _lifecycles = lifecycles;
        AlarmArmed = alarmArmed;
        LastEvaluatedAt = lastEvaluatedAt;
    }

    /// <summary>Gets the lifecycle of each product.</summary>
    public IReadOnlyList<LifecycleState> Lifecycles => _lifecycles;

    /// <summary>Gets the lifecycle of a single-product account (the first product).</summary>
    public LifecycleState Lifecycle => _lifecycles is { Length: > 0 } lifecycles ? lifecycles[0] : default;

    /// <summary>Gets whether the balance alarm is armed.</summary>
    public bool AlarmArmed { get; }

    /// <summary>Gets the instant of the last evaluation, or <see langword="null"/> before the first.</summary>
    public Instant? LastEvaluatedAt { get; }

    /// <summary>Returns the state of a new account evaluated with <paramref name="products"/> products, before its first evaluation.</summary>
    /// <param name="products">The number of products (at least 1).</param>
    /// <returns>The initial state.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="products"/> is less than 1.</exception>
    public static AccountState Initial(int products = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(products, 1);
        return new AccountState(new LifecycleState[products], alarmArmed: false, lastEvaluatedAt: null);
    }

    /// <summary>Wraps an array the engine owns (and never changes afterwards) without copying it.</summary>
    internal static AccountState Wrap(LifecycleState[] lifecycles, bool alarmArmed, Instant? lastEvaluatedAt) =>
        new(lifecycles, alarmArmed, lastEvaluatedAt);

    /// <summary>Gets the lifecycles as the array the state holds (null for a default-constructed state).</summary>
    internal LifecycleState[]? LifecycleArray => _lifecycles;

    /// <inheritdoc />
    public bool Equals(AccountState other) =>
        AlarmArmed == other.AlarmArmed &&
        LastEvaluatedAt == other.LastEvaluatedAt &&
        (ReferenceEquals(_lifecycles, other._lifecycles) ||
         (_lifecycles is not null && other._lifecycles is not null && _lifecycles.AsSpan().SequenceEqual(other._lifecycles)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(AlarmArmed, LastEvaluatedAt, Lifecycle);
}
