using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// Everything the engine remembers about an account between evaluations: a small immutable value a store persists and
/// passes back to the next evaluation.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Lifecycles"/> holds one <see cref="ProductLifecycle"/> per product of the account policy, each naming its
/// product, so a state can never be applied to the wrong product: the engine maps a state saved with the products in
/// another order by name, and rejects one whose products differ from the policy's (missing, extra or renamed), naming the
/// product. The balance alarm belongs to the account, not to a product.
/// </para>
/// <para>
/// The default value, <see cref="Initial"/>, is the state of a new account before its first evaluation: no lifecycles
/// yet (each product then starts Active at episode 0), the alarm not armed, never evaluated.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // A new account, then the state each evaluation returns, persisted between evaluations.
/// var state = AccountState.Initial;
/// var evaluation = accountPolicy.Evaluate(account, ledger, state, clock.GetCurrentInstant());
/// state = evaluation.State;   // store it: each product's status, episode and deadlines, the alarm, the last evaluated instant
/// </code>
/// </example>
public readonly struct AccountState : IEquatable<AccountState>
{
    private readonly ProductLifecycle[]? _lifecycles;

    // The last evaluated instant and the two flags are kept unwrapped, so the state is 32 bytes (one vector copy) rather than
    // the 40 an Instant? and a bool take.
    private readonly Instant _lastEvaluatedAt;
    private readonly bool _evaluated;
    private readonly bool _alarmArmed;

    /// <summary>Initializes an account state, for example one read back from a store.</summary>
    /// <param name="lifecycles">One lifecycle per product, each naming its product (names distinct).</param>
    /// <param name="alarmArmed">Whether the balance alarm is armed (it fires on the next crossing below the threshold).</param>
    /// <param name="lastEvaluatedAt">The instant of the last evaluation, or <see langword="null"/> before the first.</param>
    /// <remarks>
    /// A lifecycle's deadlines are the nominal ones; a deadline at or before <paramref name="lastEvaluatedAt"/> is consistent
    /// when a hold deferred it (decision 0008), and the next evaluation acts on it as the holds it is given say.
    /// </remarks>
    /// <exception cref="ArgumentException">A product name repeats, or a state evaluated before has no lifecycle.</exception>
    public AccountState(IReadOnlyList<ProductLifecycle> lifecycles, bool alarmArmed, Instant? lastEvaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(lifecycles);
        var array = lifecycles.ToArray();
        if (lastEvaluatedAt is not null && array.Length == 0)
        {
            throw new ArgumentException($"lifecycles: an evaluated state needs at least one lifecycle, got none (lastEvaluatedAt {lastEvaluatedAt})", nameof(lifecycles));
        }

        for (var i = 0; i < array.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(array[j].Product, array[i].Product, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"lifecycles[{i}].product: duplicate product, got \"{array[i].Product}\"", nameof(lifecycles));
                }
            }
        }

        _lifecycles = array;
        _alarmArmed = alarmArmed;
        _evaluated = lastEvaluatedAt.HasValue;
        _lastEvaluatedAt = lastEvaluatedAt.GetValueOrDefault();
    }

    private AccountState(ProductLifecycle[] lifecycles, bool alarmArmed, Instant? lastEvaluatedAt, bool trusted)
    {
        _ = trusted;
        _lifecycles = lifecycles;
        _alarmArmed = alarmArmed;
        _evaluated = lastEvaluatedAt.HasValue;
        _lastEvaluatedAt = lastEvaluatedAt.GetValueOrDefault();
    }

    private AccountState(ProductLifecycle[] lifecycles, bool alarmArmed, Instant lastEvaluatedAt)
    {
        _lifecycles = lifecycles;
        _alarmArmed = alarmArmed;
        _evaluated = true;
        _lastEvaluatedAt = lastEvaluatedAt;
    }

    /// <summary>Gets the state of a new account before its first evaluation (the default value).</summary>
    public static AccountState Initial => default;

    /// <summary>Gets the lifecycle of each product, in the order of the account policy's products; empty before the first evaluation.</summary>
    public IReadOnlyList<ProductLifecycle> Lifecycles => _lifecycles ?? [];

    /// <summary>Gets whether the balance alarm is armed.</summary>
    public bool AlarmArmed => _alarmArmed;

    /// <summary>Gets the instant of the last evaluation, or <see langword="null"/> before the first.</summary>
    public Instant? LastEvaluatedAt => _evaluated ? _lastEvaluatedAt : null;

    /// <summary>Gets the instant of the last evaluation without wrapping it; <see langword="false"/> before the first.</summary>
    internal bool TryGetLastEvaluatedAt(out Instant lastEvaluatedAt)
    {
        lastEvaluatedAt = _lastEvaluatedAt;
        return _evaluated;
    }

    /// <summary>Gets the lifecycles as the array the state holds (empty for a new account).</summary>
    internal ReadOnlySpan<ProductLifecycle> LifecycleSpan => _lifecycles;

    /// <summary>Gets the array the state holds, which nothing may change (empty for a new account).</summary>
    internal ProductLifecycle[] LifecycleArray => _lifecycles ?? [];

    /// <summary>Wraps an array the engine owns (and never changes afterwards) without copying it.</summary>
    internal static AccountState Wrap(ProductLifecycle[] lifecycles, bool alarmArmed, Instant? lastEvaluatedAt) =>
        new(lifecycles, alarmArmed, lastEvaluatedAt, trusted: true);

    /// <summary>Returns this state, evaluated again at <paramref name="lastEvaluatedAt"/> with no lifecycle change (reusing the array).</summary>
    internal AccountState WithEvaluation(bool alarmArmed, Instant lastEvaluatedAt) =>
        new(_lifecycles ?? [], alarmArmed, lastEvaluatedAt);

    /// <summary>Returns the lifecycle of a product.</summary>
    /// <param name="product">The product's name, or <see langword="null"/> for a single-product account.</param>
    /// <returns>The product's lifecycle; <see cref="ProductLifecycle.Initial"/> when the state has none for it yet.</returns>
    public ProductLifecycle LifecycleOf(string? product)
    {
        foreach (var lifecycle in LifecycleSpan)
        {
            if (string.Equals(lifecycle.Product, product, StringComparison.Ordinal))
            {
                return lifecycle;
            }
        }

        return ProductLifecycle.Initial(product);
    }

    /// <summary>Compares two states by their lifecycles (in order), alarm and last evaluated instant.</summary>
    /// <param name="other">The other state.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(AccountState other) =>
        AlarmArmed == other.AlarmArmed && LastEvaluatedAt == other.LastEvaluatedAt && LifecycleSpan.SequenceEqual(other.LifecycleSpan);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AccountState other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(AlarmArmed, LastEvaluatedAt, LifecycleSpan.Length > 0 ? LifecycleSpan[0] : default);

    /// <summary>Returns the state in one line: each lifecycle, the alarm and the last evaluation.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"[{string.Join("; ", Lifecycles)}], alarm {(AlarmArmed ? "armed" : "not armed")}, last evaluated {LastEvaluatedAt?.ToString() ?? "never"}";

    /// <summary>Compares two states.</summary>
    /// <param name="left">The first state.</param>
    /// <param name="right">The second state.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(AccountState left, AccountState right) => left.Equals(right);

    /// <summary>Compares two states.</summary>
    /// <param name="left">The first state.</param>
    /// <param name="right">The second state.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(AccountState left, AccountState right) => !left.Equals(right);
}
