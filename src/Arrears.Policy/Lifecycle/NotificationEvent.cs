using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// One event to notify (a transition's notification, a purge warning or a balance alarm): every part of its intents but the
/// recipient and the channel, held once and referenced by each intent, so an event told to two recipients over two channels
/// costs one of these and four small intents rather than four full copies.
/// </summary>
internal sealed class NotificationEvent
{
    // The purge instant is kept unwrapped, and the kind in a byte, so the flag, the kind and the episode share 8 bytes
    // (an Instant? and an int-sized kind would make the object 16 bytes larger).
    private readonly Instant _purgeAt;
    private readonly bool _hasPurgeAt;
    private readonly byte _kind;

    /// <summary>The part of the key shared by every recipient and channel, formatted on first use.</summary>
    private string? _scope;

    /// <summary>Initializes an event.</summary>
    /// <param name="at">The instant of the event (for a balance alarm, part of the key).</param>
    /// <param name="kind">The kind.</param>
    /// <param name="account">The account id (part of the key).</param>
    /// <param name="episode">The episode.</param>
    /// <param name="product">The product, or <see langword="null"/>.</param>
    /// <param name="balance">The balance the decision was based on.</param>
    /// <param name="purgeAt">For a purge warning, the purge instant it warns of; the warning's offset (part of the key) is <c>purgeAt - at</c>.</param>
    /// <param name="route">Who is told and over which channels (the policy's route for the kind).</param>
    public NotificationEvent(Instant at, NotificationKind kind, string account, int episode, string? product, decimal balance, Instant? purgeAt, NotificationRoute route)
    {
        Route = route;
        At = at;
        _kind = (byte)kind;
        Account = account;
        Episode = episode;
        Product = product;
        Balance = balance;
        _hasPurgeAt = purgeAt.HasValue;
        _purgeAt = purgeAt.GetValueOrDefault();
    }

    public Instant At { get; }

    public NotificationKind Kind => (NotificationKind)_kind;

    public string Account { get; }

    public int Episode { get; }

    public string? Product { get; }

    public decimal Balance { get; }

    public Instant? PurgeAt => _hasPurgeAt ? _purgeAt : null;

    /// <summary>Gets who is told and over which channels.</summary>
    public NotificationRoute Route { get; }

    /// <summary>Gets the part of the key shared by every recipient and channel (always the same text; concurrent first reads format equal strings).</summary>
    public string Scope => _scope ??= Kind switch
    {
        NotificationKind.PurgeWarning => NotificationKey.PurgeWarningScope(Account, Product, Episode, _purgeAt - At, _purgeAt),
        NotificationKind.BalanceLow => NotificationKey.BalanceLowScope(Account, At),
        _ => NotificationKey.EpisodeScope(Account, Product, Episode, Kind),
    };
}
