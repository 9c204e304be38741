namespace Arrears.Policy.Runtime;

/// <summary>The account policies a runtime knows, by name: each account names the one it follows.</summary>
/// <example>
/// <code>
/// var policies = new AccountPolicyRegistry(new Dictionary&lt;string, AccountPolicy&gt;
/// {
///     ["api-gateway"] = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy),
/// });
/// AccountPolicy policy = policies["api-gateway"];
/// </code>
/// </example>
public sealed class AccountPolicyRegistry
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AccountPolicy> _policies;
    private readonly Func<string, AccountPolicy?>? _resolve;

    /// <summary>Initializes a registry.</summary>
    /// <param name="policies">The policies by name; names not empty.</param>
    /// <exception cref="ArgumentException">A name is empty or a policy is null.</exception>
    public AccountPolicyRegistry(IReadOnlyDictionary<string, AccountPolicy> policies)
        : this(policies, null)
    {
    }

    /// <summary>
    /// Initializes a registry that also resolves names it was not given, for example policies whose name is their own
    /// document (as the <c>arrears</c> tool names an imported account's policy); each resolved policy is built once.
    /// </summary>
    /// <param name="policies">The policies by name; names not empty.</param>
    /// <param name="resolve">Builds the policy a name stands for, or returns <see langword="null"/> when the name means none; it may throw <see cref="PolicyValidationException"/>.</param>
    /// <exception cref="ArgumentException">A name is empty or a policy is null.</exception>
    public AccountPolicyRegistry(IReadOnlyDictionary<string, AccountPolicy> policies, Func<string, AccountPolicy?>? resolve)
    {
        ArgumentNullException.ThrowIfNull(policies);
        _resolve = resolve;
        _policies = new System.Collections.Concurrent.ConcurrentDictionary<string, AccountPolicy>(StringComparer.Ordinal);
        foreach (var (name, policy) in policies)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"policies: a name must not be empty, got \"{name}\"", nameof(policies));
            }

            if (!_policies.TryAdd(name, policy ?? throw new ArgumentException($"policies[\"{name}\"]: must not be null", nameof(policies))))
            {
                throw new ArgumentException($"policies: the name \"{name}\" appears twice", nameof(policies));
            }
        }
    }

    /// <summary>Gets the names of the policies, in ordinal order.</summary>
    public IReadOnlyList<string> Names => [.. _policies.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets every notification channel any product of any policy sends something over, in ordinal order.</summary>
    public IReadOnlyList<string> Channels =>
    [
        .. _policies.Values
            .SelectMany(policy => policy.Products
                .SelectMany(product => Enum.GetValues<NotificationKind>().Select(product.Policy.RouteFor))
                .Append(policy.BalanceAlarmRoute)
                .Where(route => route.Audience != Audience.None)
                .SelectMany(route => route.Channels))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Gets a policy by name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="KeyNotFoundException">No policy has that name; the message lists the names there are.</exception>
    public AccountPolicy this[string name] => TryGet(name, out var policy)
        ? policy
        : throw new KeyNotFoundException(
            $"policy: no account policy \"{name}\"{(_resolve is null ? string.Empty : " and the resolver names none")}; the registered policies are " +
            (_policies.IsEmpty ? "none" : string.Join(", ", Names.Select(n => $"\"{n}\""))));

    /// <summary>Finds a policy by name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="policy">The policy, when found.</param>
    /// <returns>Whether a policy has that name.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_policies.TryGetValue(name, out policy))
        {
            return true;
        }

        if (_resolve?.Invoke(name) is { } resolved)
        {
            policy = _policies.GetOrAdd(name, resolved);
            return true;
        }

        policy = null;
        return false;
    }
}
