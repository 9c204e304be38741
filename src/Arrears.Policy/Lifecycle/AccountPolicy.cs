using System.Runtime.CompilerServices;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// An immutable, validated account policy: the products an account uses, each under its own <see cref="LifecyclePolicy"/>,
/// and the route of the account-level balance alarm. Build it once and evaluate any number of accounts with it.
/// </summary>
/// <remarks>
/// <para>
/// As a Polly pipeline is built once and executed many times, everything that can be checked about the products is checked
/// when the policy is built (<see cref="For"/> or <see cref="AccountPolicyBuilder.Build"/>); <see cref="Evaluate(AccountProfile, IBalanceHistory, HoldSet, AccountState, Instant)"/> then
/// checks only its own arguments, and an account with nothing to do is evaluated without allocating.
/// </para>
/// <para>
/// The rules <see cref="Evaluate(AccountProfile, IBalanceHistory, HoldSet, AccountState, Instant)"/> applies are those of the lifecycle specification (docs/spec/lifecycle.md): at each
/// instant between the previous evaluation (exclusive) and <c>now</c> (inclusive) at which something can happen, (1)
/// exclusive deadlines, (2) that instant's entries as one batch and the balance alarm, (3) cure checks, (4) entering
/// Overdue, (5) inclusive deadlines and purge warnings. Entries that became known after the previous evaluation had passed
/// their instants land first, at the first instant this evaluation looks at (decision 0004).
/// </para>
/// <para>
/// Holds (specification section 9, decision 0008) are a pure input too: a <see cref="HoldSet"/> of the account's holds and
/// revocations known at <c>now</c>. A suspension or purge deadline in the window of a hold of its kind acts at the end of
/// the window, never under an open-ended hold; <see cref="ValidateHolds"/> checks holds against the policies' limits.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // One product (notification keys have no product part):
/// var single = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
///
/// // Several products, one balance:
/// var cloud = new AccountPolicyBuilder()
///     .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
///     .AddProduct("cvm", PolicyPresets.TencentCvm.Policy)
///     .WithBalanceAlarmRoute(new NotificationRoute(Audience.Creator, ["Email"]))
///     .Build();
///
/// var evaluation = cloud.Evaluate(account, ledger, AccountState.Initial, clock.GetCurrentInstant());
/// </code>
/// </example>
public sealed class AccountPolicy
{
    private const int MaxStackProducts = 16;

    private readonly ProductPolicy[] _products;

    internal AccountPolicy(ProductPolicy[] products, NotificationRoute balanceAlarmRoute)
    {
        _products = products;
        BalanceAlarmRoute = balanceAlarmRoute;
    }

    /// <summary>Gets the products, in the order of the lifecycles of the states this policy returns.</summary>
    public IReadOnlyList<ProductPolicy> Products => _products;

    /// <summary>Gets who hears about the account-level balance alarm, and over which channels.</summary>
    public NotificationRoute BalanceAlarmRoute { get; }

    /// <summary>Returns the account policy of a single-product account: one unnamed product under <paramref name="policy"/>.</summary>
    /// <param name="policy">The lifecycle policy.</param>
    /// <returns>The account policy; its balance alarm follows <paramref name="policy"/>'s <see cref="NotificationKind.BalanceLow"/> route.</returns>
    public static AccountPolicy For(LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new AccountPolicy([new ProductPolicy(null, policy)], policy.RouteFor(NotificationKind.BalanceLow));
    }

    /// <summary>Evaluates an account that has no holds at <paramref name="now"/>.</summary>
    /// <param name="account">The account.</param>
    /// <param name="balances">The account's balance history as known at <paramref name="now"/> (a <see cref="Ledger"/>, or a store's view).</param>
    /// <param name="state">
    /// The state returned by the previous evaluation, or <see cref="AccountState.Initial"/>. A state whose lifecycles name
    /// the same products in another order is mapped by name.
    /// </param>
    /// <param name="now">The evaluation instant. Evaluating at or before the last evaluated instant changes nothing.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentException">The state's products differ from this policy's (a product is missing, extra or renamed); the message names the product.</exception>
    public Evaluation Evaluate(AccountProfile account, IBalanceHistory balances, AccountState state, Instant now) =>
        Evaluate(account, balances, HoldSet.Empty, state, now);

    /// <summary>Evaluates an account at <paramref name="now"/>, with the holds known at <paramref name="now"/>.</summary>
    /// <param name="account">The account.</param>
    /// <param name="balances">The account's balance history as known at <paramref name="now"/> (a <see cref="Ledger"/>, or a store's view).</param>
    /// <param name="holds">
    /// The account's holds and revocations as known at <paramref name="now"/> (<see cref="HoldSet.Empty"/> for none). A hold
    /// defers the suspension or purge deadlines in its window to the end of the window (specification section 9).
    /// </param>
    /// <param name="state">
    /// The state returned by the previous evaluation, or <see cref="AccountState.Initial"/>. A state whose lifecycles name
    /// the same products in another order is mapped by name.
    /// </param>
    /// <param name="now">The evaluation instant. Evaluating at or before the last evaluated instant changes nothing.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentException">
    /// The state's products differ from this policy's (a product is missing, extra or renamed), or a hold names a product the
    /// policy does not have or exceeds its product's hold limit (see <see cref="ValidateHolds"/>); the message names the
    /// product or the hold.
    /// </exception>
    public Evaluation Evaluate(AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(balances);
        ArgumentNullException.ThrowIfNull(holds);
        if (!holds.IsEmpty && !HoldsFit(holds))
        {
            ThrowHoldsDoNotFit(holds);
        }

        // An account evaluated before with nothing to do up to now (the common case) is answered without walking instants.
        if (state.TryGetLastEvaluatedAt(out var last) &&
            LifecycleEngine.TryIdle(_products, account, balances, holds, in state, last, now, out var nextReviewAt, out var balance))
        {
            return new Evaluation(state.WithEvaluation(state.AlarmArmed, now), nextReviewAt, balance);
        }

        return EvaluateDue(account, balances, holds, state, now);
    }

    /// <summary>
    /// Evaluates an account the idle fast path declined: through the entries walk (<see cref="LifecycleEngine.TryEvaluateEntries"/>)
    /// when it answers, else by walking every instant.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the walks' stack buffers out of Evaluate's frame (the idle path's)
    private Evaluation EvaluateDue(AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant now)
    {
        if (holds.IsEmpty && _products.Length <= LifecycleEngine.EntriesWalkProducts &&
            LifecycleEngine.TryEvaluateEntries(this, _products, account, balances, in state, now, out var evaluation))
        {
            return evaluation;
        }

        return EvaluateFull(account, balances, holds, state, now);
    }

    /// <summary>
    /// Evaluates by walking every instant, without the idle fast path (<see cref="LifecycleEngine.TryEvaluateIdle"/>) or the
    /// entries walk (<see cref="LifecycleEngine.TryEvaluateEntries"/>); the arguments are already checked. Tests compare
    /// the three.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Evaluation EvaluateFull(AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant now)
    {
        // The working lifecycles live on the stack, in a buffer no larger than needed (zeroing a large one costs time).
        return _products.Length switch
        {
            <= 2 => EvaluateWithSmallBuffer(account, balances, holds, state, now),
            <= MaxStackProducts => EvaluateWithLargeBuffer(account, balances, holds, state, now),
            _ => EvaluateIn(new ProductLifecycle[_products.Length], account, balances, holds, state, now),
        };
    }

    /// <summary>
    /// Lists every problem of a set of holds under this policy: a hold naming a product the policy does not have, and a hold
    /// whose window is longer than the limit its policy sets for a kind it pauses (an open-ended hold exceeds any limit; a hold
    /// of kind <see cref="HoldKind.All"/> is checked against both limits; a hold of every product against every product's
    /// limits). A host checks a hold this way before it records it; every evaluation checks the holds it is given too.
    /// </summary>
    /// <param name="holds">The holds.</param>
    /// <returns>Each problem with the path of the hold's field (<c>holds[0].until</c>) and the value; empty when the holds fit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="holds"/> is null.</exception>
    public IReadOnlyList<ValidationError> ValidateHolds(HoldSet holds)
    {
        ArgumentNullException.ThrowIfNull(holds);
        var errors = new List<ValidationError>();
        var list = holds.HoldSpan;
        for (var i = 0; i < list.Length; i++)
        {
            var hold = list[i];
            var path = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"holds[{i}]");
            if (hold.Product is not null && !HasProduct(hold.Product))
            {
                errors.Add(new(path + ".product", _products.Length == 1 && _products[0].Name is null
                    ? $"the account has a single unnamed product, so a hold names none, got \"{hold.Product}\""
                    : $"the account policy has no product \"{hold.Product}\"; its products are {Names(_products)}, got \"{hold.Product}\""));
                continue;
            }

            foreach (var product in _products)
            {
                if (!hold.AppliesTo(product.Name))
                {
                    continue;
                }

                foreach (var kind in (ReadOnlySpan<HoldKind>)[HoldKind.Suspension, HoldKind.Purge])
                {
                    if (!hold.Covers(kind) || product.Policy.HoldLimit(kind) is not { } limit || Within(hold, limit))
                    {
                        continue;
                    }

                    var whose = product.Name is null ? $"policy \"{product.Policy.Name}\"" : $"product \"{product.Name}\"";
                    var name = LifecyclePolicy.HoldKindName(kind);
                    errors.Add(new(path + ".until", hold.Until is { } until
                        ? $"the hold lasts {Invariant.Quote(Invariant.Format(until - hold.From))}, longer than the {name} hold limit {Invariant.Quote(Invariant.Format(limit))} of {whose}, got {Invariant.Quote(Invariant.Format(until))}"
                        : $"an open-ended hold exceeds the {name} hold limit {Invariant.Quote(Invariant.Format(limit))} of {whose}; give the hold an end"));
                }
            }
        }

        return errors;
    }

    /// <summary>Whether every hold names a known product and fits the limits, without allocating.</summary>
    private bool HoldsFit(HoldSet holds)
    {
        foreach (var hold in holds.HoldSpan)
        {
            if (hold.Product is not null && !HasProduct(hold.Product))
            {
                return false;
            }

            foreach (var product in _products)
            {
                if (hold.AppliesTo(product.Name) &&
                    ((hold.Covers(HoldKind.Suspension) && product.Policy.HoldLimit(HoldKind.Suspension) is { } suspension && !Within(hold, suspension)) ||
                     (hold.Covers(HoldKind.Purge) && product.Policy.HoldLimit(HoldKind.Purge) is { } purge && !Within(hold, purge))))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowHoldsDoNotFit(HoldSet holds) => throw new ArgumentException(ValidateHolds(holds)[0].ToString(), nameof(holds));

    private static bool Within(Hold hold, Duration limit) => hold.Until is { } until && until - hold.From <= limit;

    [SkipLocalsInit]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private Evaluation EvaluateWithSmallBuffer(AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant now)
    {
        var buffer = default(SmallLifecycleBuffer);
        return EvaluateIn(((Span<ProductLifecycle>)buffer)[.._products.Length], account, balances, holds, state, now);
    }

    [SkipLocalsInit]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private Evaluation EvaluateWithLargeBuffer(AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant now)
    {
        var buffer = default(LifecycleBuffer);
        return EvaluateIn(((Span<ProductLifecycle>)buffer)[.._products.Length], account, balances, holds, state, now);
    }

    private Evaluation EvaluateIn(Span<ProductLifecycle> lifecycles, AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant now)
    {
        var inOrder = Match(state.LifecycleSpan, lifecycles);
        return LifecycleEngine.Evaluate(this, _products, account, balances, holds, state, inOrder, lifecycles, now);
    }

    /// <summary>
    /// Copies the previous lifecycles into <paramref name="lifecycles"/> in the order of the products, and returns whether
    /// the previous state already had that order (so an unchanged state can be reused as it is).
    /// </summary>
    private bool Match(ReadOnlySpan<ProductLifecycle> previous, Span<ProductLifecycle> lifecycles)
    {
        if (previous.IsEmpty)
        {
            for (var i = 0; i < _products.Length; i++)
            {
                lifecycles[i] = ProductLifecycle.Initial(_products[i].Name);
            }

            return false;
        }

        var inOrder = previous.Length == _products.Length;
        for (var i = 0; i < _products.Length && inOrder; i++)
        {
            inOrder = string.Equals(previous[i].Product, _products[i].Name, StringComparison.Ordinal);
        }

        if (inOrder)
        {
            // Element by element: a span copy of structs holding references goes through the runtime's bulk copy with
            // write barriers, several times slower for one or two lifecycles.
            for (var i = 0; i < previous.Length; i++)
            {
                lifecycles[i] = previous[i];
            }

            return true;
        }

        // The same products in another order are mapped by name; anything else is an error that names the product.
        for (var i = 0; i < _products.Length; i++)
        {
            var found = -1;
            for (var j = 0; j < previous.Length && found < 0; j++)
            {
                if (string.Equals(previous[j].Product, _products[i].Name, StringComparison.Ordinal))
                {
                    found = j;
                }
            }

            if (found < 0)
            {
                throw StateMismatch($"state.lifecycles: no lifecycle for product {Quote(_products[i].Name)} of the account policy; the state has {Names(previous)}");
            }

            lifecycles[i] = previous[found];
        }

        for (var j = 0; j < previous.Length; j++)
        {
            if (!HasProduct(previous[j].Product))
            {
                throw StateMismatch($"state.lifecycles[{j}].product: the account policy has no product {Quote(previous[j].Product)}; its products are {Names(_products)}");
            }
        }

        return false;
    }

#pragma warning disable CA2208 // The message names the state's field; "state" is the parameter of Evaluate, which calls this.
    private static ArgumentException StateMismatch(string message) => new(message, "state");
#pragma warning restore CA2208

    private bool HasProduct(string? name)
    {
        foreach (var product in _products)
        {
            if (string.Equals(product.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Quote(string? name) => name is null ? "(unnamed)" : $"\"{name}\"";

    private static string Names(ReadOnlySpan<ProductLifecycle> lifecycles)
    {
        var names = new List<string>(lifecycles.Length);
        foreach (var lifecycle in lifecycles)
        {
            names.Add(Quote(lifecycle.Product));
        }

        return string.Join(", ", names);
    }

    private static string Names(ProductPolicy[] products) => string.Join(", ", products.Select(product => Quote(product.Name)));
}

/// <summary>Room on the stack for the lifecycles of an account with up to 16 products, so evaluating one allocates nothing.</summary>
[System.Runtime.CompilerServices.InlineArray(16)]
internal struct LifecycleBuffer
{
    private ProductLifecycle _element;
}

/// <summary>Room on the stack for the lifecycles of an account with one or two products, the usual case.</summary>
[System.Runtime.CompilerServices.InlineArray(2)]
internal struct SmallLifecycleBuffer
{
    private ProductLifecycle _element;
}

/// <summary>One product of an <see cref="AccountPolicy"/>: its name and its lifecycle policy.</summary>
/// <example>
/// <code>
/// foreach (var product in accountPolicy.Products)
/// {
///     Console.WriteLine($"{product.Name ?? "(single product)"}: {product.Policy}");
/// }
/// </code>
/// </example>
public sealed class ProductPolicy
{
    internal ProductPolicy(string? name, LifecyclePolicy policy)
    {
        Name = name;
        Policy = policy;
    }

    /// <summary>Gets the product's name (part of notification keys), or <see langword="null"/> for the one product of a single-product account.</summary>
    public string? Name { get; }

    /// <summary>Gets the product's lifecycle policy.</summary>
    public LifecyclePolicy Policy { get; }

    /// <summary>Returns the name and the policy, for example <c>apigw: tencent-api-gateway: grace P1D inclusive, retention P180D inclusive</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Name ?? "(single product)"}: {Policy}";
}

/// <summary>Builds an <see cref="AccountPolicy"/> of several named products; <see cref="Build"/> reports every problem at once.</summary>
/// <example>
/// <code>
/// AccountPolicy policy = new AccountPolicyBuilder()
///     .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
///     .AddProduct("redis", PolicyPresets.TencentRedis.Policy)
///     .Build();
/// </code>
/// </example>
public sealed class AccountPolicyBuilder
{
    private readonly List<(string? Name, LifecyclePolicy? Policy)> _products = [];
    private NotificationRoute? _balanceAlarmRoute;

    /// <summary>Initializes an empty builder.</summary>
    public AccountPolicyBuilder()
    {
    }

    /// <summary>Adds a product.</summary>
    /// <param name="name">The product's name: not empty, unique in the account policy, part of notification keys.</param>
    /// <param name="policy">The product's lifecycle policy.</param>
    /// <returns>This builder.</returns>
    public AccountPolicyBuilder AddProduct(string name, LifecyclePolicy policy)
    {
        _products.Add((name, policy));
        return this;
    }

    /// <summary>Sets who hears about the account-level balance alarm; by default, the first product's <see cref="NotificationKind.BalanceLow"/> route.</summary>
    /// <param name="route">The route; an empty channel list means the first product's channels.</param>
    /// <returns>This builder.</returns>
    public AccountPolicyBuilder WithBalanceAlarmRoute(NotificationRoute route)
    {
        _balanceAlarmRoute = route;
        return this;
    }

    /// <summary>Builds the account policy; the builder may be changed and built again afterwards without affecting it.</summary>
    /// <returns>The account policy.</returns>
    /// <exception cref="PolicyValidationException">No product was added, a name is empty or repeated, a policy is null, or the alarm route is invalid; every problem is listed.</exception>
    public AccountPolicy Build()
    {
        var errors = new List<ValidationError>();
        if (_products.Count == 0)
        {
            errors.Add(new("products", "must name at least one product, got none"));
        }

        for (var i = 0; i < _products.Count; i++)
        {
            var (name, policy) = _products[i];
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add(new($"products[{i}].name", $"must not be empty, got \"{name}\""));
            }
            else if (_products.Take(i).Any(other => string.Equals(other.Name, name, StringComparison.Ordinal)))
            {
                errors.Add(new($"products[{i}].name", $"duplicate product, got \"{name}\""));
            }

            if (policy is null)
            {
                errors.Add(new($"products[{i}].policy", $"must not be null (product \"{name}\")"));
            }
        }

        if (_balanceAlarmRoute is { } route)
        {
            if ((route.Audience & ~Audience.Everyone) != 0)
            {
                errors.Add(new("balanceAlarmRoute.audience", $"unknown audience, got \"{route.Audience}\""));
            }

            if (route.Channels is null)
            {
                errors.Add(new("balanceAlarmRoute.channels", "must not be null (use an empty list for the first product's channels)"));
            }
            else
            {
                for (var i = 0; i < route.Channels.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(route.Channels[i]))
                    {
                        errors.Add(new($"balanceAlarmRoute.channels[{i}]", $"must not be empty, got \"{route.Channels[i]}\""));
                    }
                    else if (route.Channels.Take(i).Contains(route.Channels[i], StringComparer.Ordinal))
                    {
                        errors.Add(new($"balanceAlarmRoute.channels[{i}]", $"duplicate channel, got \"{route.Channels[i]}\""));
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new PolicyValidationException(errors);
        }

        ProductPolicy[] products = [.. _products.Select(product => new ProductPolicy(product.Name, product.Policy!))];
        var first = products[0].Policy;
        var alarm = _balanceAlarmRoute is { } chosen
            ? new NotificationRoute(chosen.Audience, chosen.Channels.Count == 0 ? first.Channels : [.. chosen.Channels])
            : first.RouteFor(NotificationKind.BalanceLow);
        return new AccountPolicy(products, alarm);
    }
}
