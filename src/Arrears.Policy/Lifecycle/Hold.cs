using System.Globalization;
using NodaTime;

namespace Arrears.Policy;

/// <summary>What a <see cref="Hold"/> pauses.</summary>
public enum HoldKind
{
    /// <summary>No suspension takes effect during the hold: a promise to pay, a grace extension, a "never stop" service.</summary>
    Suspension = 0,

    /// <summary>No purge takes effect during the hold: a disputed charge, a legal hold.</summary>
    Purge = 1,

    /// <summary>Neither a suspension nor a purge takes effect during the hold.</summary>
    All = 2,
}

/// <summary>
/// A hold: an account fact that pauses enforcement for a window of time without touching the policy (specification
/// section 9). A deadline of a kind the hold covers that falls in its window is deferred to the end of the window.
/// </summary>
/// <remarks>
/// <para>
/// The hold covers <c>[From, Until)</c>; an open-ended hold (<see cref="Until"/> <see langword="null"/>) defers for as long
/// as it lasts, so a deadline under it never acts until it is revoked (<see cref="HoldRevocation"/>). A hold changes no
/// balance, no episode and no <c>overdueSince</c>; it never resumes a product that is already suspended, and it never
/// undoes a transition already taken.
/// </para>
/// <para>
/// Holds are append-only and idempotent by <see cref="Id"/>, like ledger entries. Every value is validated by the
/// constructor, the only way to make a hold; errors name the field and the value. Two holds are equal when every value is
/// (strings ordinal).
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // Support promises the customer until Friday: no suspension before then.
/// var promise = new Hold("h1", HoldKind.Suspension, Instant.FromUtc(2026, 2, 2, 9, 0), Instant.FromUtc(2026, 2, 6, 0, 0),
///     grantedBy: "agent-7", reason: "promise to pay");
///
/// // Finance freezes the purge of one product while a charge is disputed, for as long as the dispute lasts.
/// var dispute = new Hold("h2", HoldKind.Purge, Instant.FromUtc(2026, 3, 1, 0, 0), until: null,
///     grantedBy: "finance-2", reason: "disputed invoice 2026-02", product: "cvm");
/// </code>
/// </example>
public sealed class Hold : IEquatable<Hold>
{
    /// <summary>Initializes a hold.</summary>
    /// <param name="id">The hold's id, unique among the account's holds; not empty.</param>
    /// <param name="kind">What the hold pauses.</param>
    /// <param name="from">The start of the window (inclusive).</param>
    /// <param name="until">The end of the window (exclusive), after <paramref name="from"/>; <see langword="null"/> for an open-ended hold.</param>
    /// <param name="grantedBy">Who granted the hold (an agent's or a system's id); not empty.</param>
    /// <param name="reason">Why the hold was granted; not empty.</param>
    /// <param name="product">The product the hold applies to; <see langword="null"/> (the default) for every product of the account.</param>
    /// <exception cref="ArgumentException">A value is empty or out of range, or <paramref name="until"/> is not after <paramref name="from"/>; the message names the field and the value.</exception>
    public Hold(string id, HoldKind kind, Instant from, Instant? until, string grantedBy, string reason, string? product = null)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"id: must not be empty, got \"{id}\"", nameof(id));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"kind: must be Suspension, Purge or All, got \"{kind}\"", nameof(kind));
        }

        if (until is { } end && end <= from)
        {
            throw new ArgumentException($"until: must be after from ({Invariant.Format(from)}), got \"{Invariant.Format(end)}\"", nameof(until));
        }

        if (string.IsNullOrWhiteSpace(grantedBy))
        {
            throw new ArgumentException($"grantedBy: must not be empty, got \"{grantedBy}\"", nameof(grantedBy));
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException($"reason: must not be empty, got \"{reason}\"", nameof(reason));
        }

        if (product is not null && string.IsNullOrWhiteSpace(product))
        {
            throw new ArgumentException($"product: must be null or a name, got \"{product}\"", nameof(product));
        }

        Id = id;
        Kind = kind;
        From = from;
        Until = until;
        GrantedBy = grantedBy;
        Reason = reason;
        Product = product;
    }

    /// <summary>Gets the hold's id.</summary>
    public string Id { get; }

    /// <summary>Gets what the hold pauses.</summary>
    public HoldKind Kind { get; }

    /// <summary>Gets the start of the window (inclusive).</summary>
    public Instant From { get; }

    /// <summary>Gets the end of the window (exclusive) as granted, or <see langword="null"/> for an open-ended hold; a revocation may end it earlier.</summary>
    public Instant? Until { get; }

    /// <summary>Gets who granted the hold.</summary>
    public string GrantedBy { get; }

    /// <summary>Gets why the hold was granted.</summary>
    public string Reason { get; }

    /// <summary>Gets the product the hold applies to, or <see langword="null"/> for every product of the account.</summary>
    public string? Product { get; }

    /// <summary>Gets whether the hold pauses deadlines of <paramref name="kind"/> (<see cref="HoldKind.Suspension"/> or <see cref="HoldKind.Purge"/>).</summary>
    internal bool Covers(HoldKind kind) => Kind == HoldKind.All || Kind == kind;

    /// <summary>Gets whether the hold applies to a product.</summary>
    internal bool AppliesTo(string? product) => Product is null || string.Equals(Product, product, StringComparison.Ordinal);

    /// <inheritdoc />
    public bool Equals(Hold? other) =>
        other is not null &&
        (ReferenceEquals(this, other) ||
         (string.Equals(Id, other.Id, StringComparison.Ordinal) && Kind == other.Kind && From == other.From && Until == other.Until &&
          string.Equals(GrantedBy, other.GrantedBy, StringComparison.Ordinal) && string.Equals(Reason, other.Reason, StringComparison.Ordinal) &&
          string.Equals(Product, other.Product, StringComparison.Ordinal)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Hold);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), Kind, From, Until);

    /// <summary>
    /// Returns the hold in one line, for example <c>h1: Suspension hold from 2026-02-02T09:00:00Z until 2026-02-06T00:00:00Z, granted by agent-7: promise to pay</c>.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Id}: {Kind} hold{(Product is null ? string.Empty : " of " + Product)} from {Invariant.Format(From)} {(Until is { } until ? "until " + Invariant.Format(until) : "open-ended")}, granted by {GrantedBy}: {Reason}");
}

/// <summary>
/// The revocation of a <see cref="Hold"/>: it ends the hold at <see cref="At"/> when that is before the hold's own end, as if
/// the hold had been granted until then.
/// </summary>
/// <remarks>
/// Revocations are append-only and idempotent by <see cref="Id"/>. A revocation at or before the hold's start cancels the
/// hold altogether; one at or after its end changes nothing. When several revocations name one hold, the earliest wins.
/// Every value is validated by the constructor; two revocations are equal when every value is (strings ordinal).
/// </remarks>
/// <example>
/// <code>
/// // The customer broke the promise: enforcement resumes now.
/// var revocation = new HoldRevocation("r1", revokes: "h1", at: clock.GetCurrentInstant(), revokedBy: "agent-7", reason: "promise broken");
/// </code>
/// </example>
public sealed class HoldRevocation : IEquatable<HoldRevocation>
{
    /// <summary>Initializes a revocation.</summary>
    /// <param name="id">The revocation's id, unique among the account's revocations; not empty.</param>
    /// <param name="revokes">The id of the hold it ends; not empty.</param>
    /// <param name="at">The instant the hold ends.</param>
    /// <param name="revokedBy">Who revoked the hold; not empty.</param>
    /// <param name="reason">Why the hold was revoked; not empty.</param>
    /// <exception cref="ArgumentException">A value is empty; the message names the field and the value.</exception>
    public HoldRevocation(string id, string revokes, Instant at, string revokedBy, string reason)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"id: must not be empty, got \"{id}\"", nameof(id));
        }

        if (string.IsNullOrWhiteSpace(revokes))
        {
            throw new ArgumentException($"revokes: must name a hold, got \"{revokes}\"", nameof(revokes));
        }

        if (string.IsNullOrWhiteSpace(revokedBy))
        {
            throw new ArgumentException($"revokedBy: must not be empty, got \"{revokedBy}\"", nameof(revokedBy));
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException($"reason: must not be empty, got \"{reason}\"", nameof(reason));
        }

        Id = id;
        Revokes = revokes;
        At = at;
        RevokedBy = revokedBy;
        Reason = reason;
    }

    /// <summary>Gets the revocation's id.</summary>
    public string Id { get; }

    /// <summary>Gets the id of the hold it ends.</summary>
    public string Revokes { get; }

    /// <summary>Gets the instant the hold ends.</summary>
    public Instant At { get; }

    /// <summary>Gets who revoked the hold.</summary>
    public string RevokedBy { get; }

    /// <summary>Gets why the hold was revoked.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public bool Equals(HoldRevocation? other) =>
        other is not null &&
        (ReferenceEquals(this, other) ||
         (string.Equals(Id, other.Id, StringComparison.Ordinal) && string.Equals(Revokes, other.Revokes, StringComparison.Ordinal) && At == other.At &&
          string.Equals(RevokedBy, other.RevokedBy, StringComparison.Ordinal) && string.Equals(Reason, other.Reason, StringComparison.Ordinal)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as HoldRevocation);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), StringComparer.Ordinal.GetHashCode(Revokes), At);

    /// <summary>Returns the revocation in one line, for example <c>r1 revokes h1 at 2026-02-04T00:00:00Z, by agent-7: promise broken</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Id} revokes {Revokes} at {Invariant.Format(At)}, by {RevokedBy}: {Reason}";
}
