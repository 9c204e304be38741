using System.Globalization;
using NodaTime;

namespace Arrears.Policy;

/// <summary>One change of a product's lifecycle, stamped with the instant it took effect (never the evaluation time).</summary>
/// <remarks>Only the engine creates transitions; two transitions are equal when every property is.</remarks>
/// <example>
/// <code>
/// var suspended = evaluation.Transitions.FirstOrDefault(t =&gt; t.To == LifecycleStatus.Suspended);
/// // suspended.At is the deadline itself (for example 2026-02-02T08:30:00Z), never the time of the evaluation
/// </code>
/// </example>
public sealed class Transition : IEquatable<Transition>
{
    // What only a transition deferred by holds has lives in a separate object (none for the others), and the statuses and
    // the reason are kept in bytes, so the small fields share 8 bytes and a transition takes 56 bytes rather than 96.
    private readonly Deferral? _deferral;
    private readonly int _episode;
    private readonly byte _from;
    private readonly byte _to;
    private readonly byte _reason;
    private readonly bool _isLate;

    internal Transition(Instant at, LifecycleStatus from, LifecycleStatus to, TransitionReason reason, int episode, string? product, bool isLate)
        : this(at, from, to, reason, episode, product, isLate, null, [])
    {
    }

    internal Transition(
        Instant at, LifecycleStatus from, LifecycleStatus to, TransitionReason reason, int episode, string? product, bool isLate, Instant? deferredFrom, string[] heldBy)
    {
        _deferral = deferredFrom is null && heldBy.Length == 0 ? null : new Deferral(deferredFrom, heldBy);
        At = at;
        _from = (byte)from;
        _to = (byte)to;
        _reason = (byte)reason;
        _episode = episode;
        Product = product;
        _isLate = isLate;
    }

    /// <summary>Gets the effective instant.</summary>
    public Instant At { get; }

    /// <summary>Gets the status before.</summary>
    public LifecycleStatus From => (LifecycleStatus)_from;

    /// <summary>Gets the status after.</summary>
    public LifecycleStatus To => (LifecycleStatus)_to;

    /// <summary>Gets why it happened.</summary>
    public TransitionReason Reason => (TransitionReason)_reason;

    /// <summary>Gets the arrears episode it belongs to.</summary>
    public int Episode => _episode;

    /// <summary>Gets the product whose lifecycle changed, or <see langword="null"/> for a single-product account.</summary>
    public string? Product { get; }

    /// <summary>
    /// Gets whether ledger entries that became known after the previous evaluation had already passed their instants caused
    /// the transition; it then takes effect at the first instant the evaluation that saw them looked at, before anything
    /// else at that instant.
    /// </summary>
    public bool IsLate => _isLate;

    /// <summary>
    /// Gets the instant a deadline-driven transition (<see cref="TransitionReason.GraceExpired"/> or
    /// <see cref="TransitionReason.RetentionExpired"/>) would have taken effect without the holds that deferred it, or
    /// <see langword="null"/> when it took effect at its own deadline (and for every other reason).
    /// </summary>
    public Instant? DeferredFrom => _deferral?.From;

    /// <summary>
    /// Gets the ids of the holds that deferred the transition (those in force between <see cref="DeferredFrom"/> and
    /// <see cref="At"/>), in the order of the hold set; empty when it was not deferred.
    /// </summary>
    public IReadOnlyList<string> HeldBy => HeldByArray;

    private string[] HeldByArray => _deferral?.HeldBy ?? [];

    /// <inheritdoc />
    public bool Equals(Transition? other) =>
        other is not null && At == other.At && From == other.From && To == other.To && Reason == other.Reason &&
        Episode == other.Episode && string.Equals(Product, other.Product, StringComparison.Ordinal) && IsLate == other.IsLate &&
        DeferredFrom == other.DeferredFrom && HeldByArray.AsSpan().SequenceEqual(other.HeldByArray);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Transition);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(At, From, To, Reason, Episode, Product is null ? 0 : StringComparer.Ordinal.GetHashCode(Product), IsLate, DeferredFrom);

    /// <summary>
    /// Returns the transition in one line, for example <c>2026-02-02T08:30:00Z apigw Overdue -&gt; Suspended (GraceExpired, episode 1)</c>,
    /// or for a deferred one <c>2026-02-05T00:00:00Z Overdue -&gt; Suspended (GraceExpired, episode 1, deferred from 2026-02-02T08:30:00Z by h1)</c>.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{At}{(Product is null ? string.Empty : " " + Product)} {From} -> {To} ({Reason}, episode {Episode}{(IsLate ? ", late" : string.Empty)}{(DeferredFrom is { } from ? $", deferred from {from}{(HeldByArray.Length > 0 ? " by " + string.Join(", ", HeldByArray) : string.Empty)}" : string.Empty)})");

    /// <summary>The instant a deferred transition would have taken effect at, and the holds that deferred it.</summary>
    private sealed class Deferral(Instant? from, string[] heldBy)
    {
        public Instant? From { get; } = from;

        public string[] HeldBy { get; } = heldBy;
    }
}

/// <summary>
/// The intent to tell one recipient about one event over one channel, with a deterministic <see cref="Key"/>, so
/// re-evaluating never yields a second intent with the same key and a notifier can deduplicate deliveries with it.
/// </summary>
/// <remarks>Only the engine creates intents, and the key always matches the other properties; two intents are equal when every property is.</remarks>
/// <example>
/// <code>
/// foreach (var intent in evaluation.Notifications)
/// {
///     // "acct-1/1/Suspended/owner@example.com/SMS": the same key is never produced twice, so deliveries can be deduplicated.
///     outbox.Add(intent.Key.Value, intent);
/// }
/// </code>
/// </example>
public sealed class NotificationIntent : IEquatable<NotificationIntent>
{
    /// <summary>What the intent shares with the other intents of its event (every part but the recipient and the channel).</summary>
    private readonly NotificationEvent _event;

    /// <summary>The key's text, formatted on first use (most intents of a bulk pass are written to an outbox row or compared, some never).</summary>
    private string? _key;

    /// <summary>Initializes an intent whose <see cref="Key"/> is formatted from its parts when first read.</summary>
    /// <param name="notificationEvent">The event, shared by every intent of it (one per recipient and channel).</param>
    /// <param name="recipient">The recipient.</param>
    /// <param name="channel">The channel.</param>
    internal NotificationIntent(NotificationEvent notificationEvent, string recipient, string channel)
    {
        _event = notificationEvent;
        Recipient = recipient;
        Channel = channel;
    }

    /// <summary>Gets the instant of the event.</summary>
    public Instant At => _event.At;

    /// <summary>Gets what it is about.</summary>
    public NotificationKind Kind => _event.Kind;

    /// <summary>Gets who receives it.</summary>
    public string Recipient { get; }

    /// <summary>Gets the channel, as the policy names it (for example <c>Email</c>).</summary>
    public string Channel { get; }

    /// <summary>Gets the idempotency key (see <see cref="NotificationKey"/> for its format).</summary>
    /// <remarks>Formatted from the intent's parts on first read, always to the same text (concurrent first reads format equal strings).</remarks>
    public NotificationKey Key => NotificationKey.FromValue(_key ??= NotificationKey.Complete(_event.Scope, Recipient, Channel).Value);

    /// <summary>Gets the arrears episode it belongs to (0 before the first, and for the account-level <see cref="NotificationKind.BalanceLow"/>).</summary>
    public int Episode => _event.Episode;

    /// <summary>Gets the product, or <see langword="null"/> for a single-product account or an account-level alarm.</summary>
    public string? Product => _event.Product;

    /// <summary>
    /// Gets the balance the decision was based on: the account balance at <see cref="At"/> after that instant's entries, or,
    /// for an intent caused by late entries, the balance as of the previous evaluation with those entries included.
    /// </summary>
    public decimal Balance => _event.Balance;

    /// <summary>
    /// Gets, for a <see cref="NotificationKind.PurgeWarning"/>, the purge instant it warns of (the effective one, after any
    /// hold that deferred the purge; also part of its <see cref="Key"/>); <see langword="null"/> for other kinds.
    /// </summary>
    public Instant? PurgeAt => _event.PurgeAt;

    /// <inheritdoc />
    public bool Equals(NotificationIntent? other) =>
        other is not null && At == other.At && Kind == other.Kind && (ReferenceEquals(this, other) || Key == other.Key) && Episode == other.Episode &&
        string.Equals(Recipient, other.Recipient, StringComparison.Ordinal) && string.Equals(Channel, other.Channel, StringComparison.Ordinal) &&
        string.Equals(Product, other.Product, StringComparison.Ordinal) && Balance == other.Balance && PurgeAt == other.PurgeAt;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NotificationIntent);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, At, Balance);

    /// <summary>Returns the key and the instant, for example <c>acct-1/1/Overdue/owner/Email at 2026-02-01T08:30:00Z</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Key} at {At}";
}
