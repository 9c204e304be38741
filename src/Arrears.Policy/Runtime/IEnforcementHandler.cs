using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// The host's own action when a product is suspended, resumed or purged: turn its APIs off, back on, or delete its
/// configuration and data. The port a host implements; the dispatcher calls it through the outbox.
/// </summary>
/// <remarks>
/// A suspension that was decided but never enforced is the worst failure of this library, so an action is called at least
/// once, each time with the same <see cref="EnforcementAction.Key"/>: make the handler idempotent by that key. Return
/// <see cref="DeliveryResult.Transient"/> to be called again later with backoff, <see cref="DeliveryResult.Permanent"/>
/// to dead-letter the action for an operator.
/// </remarks>
/// <example>
/// <code>
/// public sealed class GatewaySwitch(IGatewayAdmin admin) : IEnforcementHandler
/// {
///     public async ValueTask&lt;DeliveryResult&gt; EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
///     {
///         await (action.Kind switch
///         {
///             EnforcementKind.Suspend =&gt; admin.DisableAsync(action.Account, action.Key, cancellationToken),
///             EnforcementKind.Resume =&gt; admin.EnableAsync(action.Account, action.Key, cancellationToken),
///             _ =&gt; admin.DeleteAsync(action.Account, action.Key, cancellationToken),
///         });
///         return DeliveryResult.Delivered;
///     }
/// }
/// </code>
/// </example>
public interface IEnforcementHandler
{
    /// <summary>Carries out one action.</summary>
    /// <param name="action">The action, with its idempotency key.</param>
    /// <param name="cancellationToken">Cancels the call (the dispatcher then calls again later).</param>
    /// <returns>Whether it was carried out, failed transiently, or failed permanently.</returns>
    ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken);
}

/// <summary>What enforcement does to a product.</summary>
public enum EnforcementKind
{
    /// <summary>Stop the service (Overdue → Suspended): configuration and data are kept.</summary>
    Suspend = 0,

    /// <summary>Start the service again (Suspended → Active, after payment).</summary>
    Resume = 1,

    /// <summary>Destroy configuration and data (Suspended → Purged). Irreversible.</summary>
    Purge = 2,
}

/// <summary>One enforcement action, as the dispatcher hands it to the <see cref="IEnforcementHandler"/>.</summary>
/// <example>
/// <code>
/// var action = new EnforcementAction("acct-1", "apigw", 1, EnforcementKind.Suspend, Instant.FromUtc(2026, 2, 2, 8, 30));
/// // action.Key: "acct-1/apigw/1/Suspend"
/// </code>
/// </example>
public sealed class EnforcementAction : IEquatable<EnforcementAction>
{
    /// <summary>Initializes an action; its key follows from the other values.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="product">The product, or <see langword="null"/> for a single-product account.</param>
    /// <param name="episode">The arrears episode (at least 1).</param>
    /// <param name="kind">What to do.</param>
    /// <param name="at">The effective instant of the transition that calls for it.</param>
    /// <exception cref="ArgumentException">The account is empty, the product is empty but not null, the episode is below 1, or the kind is unknown.</exception>
    public EnforcementAction(string account, string? product, int episode, EnforcementKind kind, Instant at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        if (product is not null && string.IsNullOrWhiteSpace(product))
        {
            throw new ArgumentException($"product: must be null or a name, got \"{product}\"", nameof(product));
        }

        if (episode < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(episode), episode, $"episode: must be at least 1, got {episode}");
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"kind: must be Suspend, Resume or Purge, got \"{kind}\"", nameof(kind));
        }

        Account = account;
        Product = product;
        Episode = episode;
        Kind = kind;
        At = at;
        Key = NotificationKey.EnforcementKey(account, product, episode, kind.ToString());
    }

    /// <summary>
    /// Gets the idempotency key, <c>{account}[/{product}]/{episode}/{Suspend|Resume|Purge}</c> with each part escaped as in
    /// <see cref="NotificationKey"/>: the same for every call of this action, never shared with another.
    /// </summary>
    public string Key { get; }

    /// <summary>Gets the account id.</summary>
    public string Account { get; }

    /// <summary>Gets the product, or <see langword="null"/> for a single-product account.</summary>
    public string? Product { get; }

    /// <summary>Gets the arrears episode.</summary>
    public int Episode { get; }

    /// <summary>Gets what to do.</summary>
    public EnforcementKind Kind { get; }

    /// <summary>Gets the effective instant of the transition that calls for it.</summary>
    public Instant At { get; }

    /// <summary>Returns the kind of enforcement a transition calls for, if any.</summary>
    /// <param name="transition">The transition.</param>
    /// <returns>Suspend, Resume or Purge; <see langword="null"/> for a transition that changes no service (into or out of Overdue).</returns>
    public static EnforcementKind? For(Transition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return transition.To switch
        {
            LifecycleStatus.Suspended => EnforcementKind.Suspend,
            LifecycleStatus.Purged => EnforcementKind.Purge,
            LifecycleStatus.Active when transition.From == LifecycleStatus.Suspended => EnforcementKind.Resume,
            _ => null,
        };
    }

    /// <inheritdoc />
    public bool Equals(EnforcementAction? other) => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal) && At == other.At;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EnforcementAction);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    /// <summary>Returns the key and the instant.</summary>
    /// <returns>For example <c>acct-1/1/Suspend at 2026-02-02T08:30:00Z</c>.</returns>
    public override string ToString() => $"{Key} at {At}";
}
