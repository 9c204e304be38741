using Arrears.Policy.Text;
using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy;

/// <summary>
/// The idempotency key of one notification: deterministic, so re-evaluating never yields a second notification with the
/// same key, and distinct for distinct notifications, so a notifier or a store can deduplicate by it.
/// </summary>
/// <remarks>
/// <para>
/// Stores persist keys and providers deduplicate by them, so the format is a contract that never changes by accident (a
/// test pins it). Parts are joined by <c>/</c>, each escaped (<c>%</c> as <c>%25</c>, <c>/</c> as <c>%2F</c>):
/// </para>
/// <list type="bullet">
/// <item><c>{account}[/{product}]/{episode}/{kind}/{recipient}/{channel}</c> for Overdue, Suspended, Resumed and Purged;</item>
/// <item>
/// <c>{account}[/{product}]/{episode}/PurgeWarning/{offset}/{purgeAt}/{recipient}/{channel}</c>, the offset in ISO 8601
/// (<c>P7D</c>) and the purge instant it warns of in extended ISO (<c>2026-08-01T08:30:00Z</c>), so that a purge deferred by
/// a hold is warned of again under new keys;
/// </item>
/// <item><c>{account}/BalanceLow/{instant}/{recipient}/{channel}</c>, the instant in extended ISO (<c>2026-02-01T08:30:00Z</c>).</item>
/// </list>
/// <para>The product part appears for named products only. The default value has an empty <see cref="Value"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// var key = NotificationKey.For("acct-1", "apigw", 1, NotificationKind.Suspended, "owner@example.com", "SMS");
/// // key.Value: "acct-1/apigw/1/Suspended/owner@example.com/SMS"
/// </code>
/// </example>
public readonly struct NotificationKey : IEquatable<NotificationKey>
{
    private readonly string? _value;

    private NotificationKey(string value) => _value = value;

    /// <summary>Wraps the text of a key already formatted by <see cref="Complete"/>.</summary>
    internal static NotificationKey FromValue(string value) => new(value);

    /// <summary>Gets the key as text, as stores persist it.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Returns the key of a transition's notification (Overdue, Suspended, Resumed or Purged).</summary>
    /// <param name="account">The account id.</param>
    /// <param name="product">The product, or <see langword="null"/> for a single-product account.</param>
    /// <param name="episode">The arrears episode.</param>
    /// <param name="kind">The kind; not <see cref="NotificationKind.PurgeWarning"/> or <see cref="NotificationKind.BalanceLow"/>, which have their own keys.</param>
    /// <param name="recipient">The recipient.</param>
    /// <param name="channel">The channel.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">A part is empty, or <paramref name="kind"/> has its own key.</exception>
    public static NotificationKey For(string account, string? product, int episode, NotificationKind kind, string recipient, string channel)
    {
        if (kind is NotificationKind.PurgeWarning or NotificationKind.BalanceLow || !Enum.IsDefined(kind))
        {
            throw new ArgumentException($"kind: must be Overdue, Suspended, Resumed or Purged (PurgeWarning and BalanceLow have their own keys), got \"{kind}\"", nameof(kind));
        }

        Check(account, product, recipient, channel);
        return Complete(EpisodeScope(account, product, episode, kind), recipient, channel);
    }

    /// <summary>Returns the key of a purge warning.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="product">The product, or <see langword="null"/> for a single-product account.</param>
    /// <param name="episode">The arrears episode.</param>
    /// <param name="offset">How long before the purge the warning is sent.</param>
    /// <param name="purgeAt">The purge instant the warning warns of (after any hold that deferred it).</param>
    /// <param name="recipient">The recipient.</param>
    /// <param name="channel">The channel.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">A part is empty.</exception>
    public static NotificationKey ForPurgeWarning(string account, string? product, int episode, Duration offset, Instant purgeAt, string recipient, string channel)
    {
        Check(account, product, recipient, channel);
        return Complete(PurgeWarningScope(account, product, episode, offset, purgeAt), recipient, channel);
    }

    /// <summary>Returns the key of a balance alarm, which belongs to the account and carries the instant it fired at.</summary>
    /// <param name="account">The account id.</param>
    /// <param name="at">The instant the balance crossed below the alarm.</param>
    /// <param name="recipient">The recipient.</param>
    /// <param name="channel">The channel.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">A part is empty.</exception>
    public static NotificationKey ForBalanceLow(string account, Instant at, string recipient, string channel)
    {
        Check(account, null, recipient, channel);
        return Complete(BalanceLowScope(account, at), recipient, channel);
    }

    /// <summary>The part of a key shared by every recipient and channel of a transition's notification.</summary>
    internal static string EpisodeScope(string account, string? product, int episode, NotificationKind kind) =>
        product is null
            ? string.Concat([Part(account), "/", episode.ToString(CultureInfo.InvariantCulture), "/", KindName(kind)])
            : string.Concat([Part(account), "/", Part(product), "/", episode.ToString(CultureInfo.InvariantCulture), "/", KindName(kind)]);

    /// <summary>The part of a key shared by every recipient and channel of a purge warning.</summary>
    internal static string PurgeWarningScope(string account, string? product, int episode, Duration offset, Instant purgeAt) =>
        $"{Scope(account, product)}/{episode.ToString(CultureInfo.InvariantCulture)}/PurgeWarning/{IsoDurationPattern.Instance.Format(offset)}/{InstantPattern.ExtendedIso.Format(purgeAt)}";

    /// <summary>The part of a key shared by every recipient and channel of a balance alarm.</summary>
    internal static string BalanceLowScope(string account, Instant at) => $"{Part(account)}/BalanceLow/{InstantPattern.ExtendedIso.Format(at)}";

    /// <summary>The key of an enforcement action: <c>{account}[/{product}]/{episode}/{action}</c>.</summary>
    internal static string EnforcementKey(string account, string? product, int episode, string action) =>
        $"{Scope(account, product)}/{episode.ToString(CultureInfo.InvariantCulture)}/{action}";

    /// <summary>Completes a scope with the recipient and the channel.</summary>
    internal static NotificationKey Complete(string scope, string recipient, string channel) => new(string.Concat([scope, "/", Part(recipient), "/", Part(channel)]));

    /// <summary>A kind's name as keys spell it (its enum name), without formatting the enum each time.</summary>
    private static string KindName(NotificationKind kind) => kind switch
    {
        NotificationKind.Overdue => nameof(NotificationKind.Overdue),
        NotificationKind.Suspended => nameof(NotificationKind.Suspended),
        NotificationKind.Resumed => nameof(NotificationKind.Resumed),
        NotificationKind.Purged => nameof(NotificationKind.Purged),
        NotificationKind.PurgeWarning => nameof(NotificationKind.PurgeWarning),
        NotificationKind.BalanceLow => nameof(NotificationKind.BalanceLow),
        _ => kind.ToString(),
    };

    /// <summary>Returns the key.</summary>
    /// <returns><see cref="Value"/>.</returns>
    public override string ToString() => Value;

    /// <inheritdoc />
    public bool Equals(NotificationKey other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NotificationKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Compares two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(NotificationKey left, NotificationKey right) => left.Equals(right);

    /// <summary>Compares two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(NotificationKey left, NotificationKey right) => !left.Equals(right);

    private static string Scope(string account, string? product) => product is null ? Part(account) : Part(account) + "/" + Part(product);

    /// <summary>
    /// Escapes one part, so that distinct parts never join into the same key: <c>%</c> becomes <c>%25</c> and <c>/</c>
    /// becomes <c>%2F</c>. Parts without either (the usual case) are returned as they are.
    /// </summary>
    private static string Part(string part) =>
        part.AsSpan().IndexOfAny('/', '%') < 0 ? part : part.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal);

    private static void Check(string account, string? product, string recipient, string channel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(recipient);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        if (product is not null && string.IsNullOrWhiteSpace(product))
        {
            throw new ArgumentException($"product: must be null or a name, got \"{product}\"", nameof(product));
        }
    }
}
