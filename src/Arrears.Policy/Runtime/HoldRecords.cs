using System.Globalization;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// One hold fact as a store keeps it: a <see cref="Policy.Hold"/> granted, or a <see cref="HoldRevocation"/>, with the instant
/// it became known. <see cref="IArrearsStore.HoldsAsync"/> returns an account's records in the order they were recorded: the
/// audit trail of who paused enforcement, when and why.
/// </summary>
/// <remarks>
/// Exactly one of <see cref="Hold"/> and <see cref="Revocation"/> is set. <see cref="RecordedAt"/> is when the fact became
/// known (the runtime's clock when a host granted or revoked it): an evaluation sees only the facts recorded by its instant,
/// so a fact recorded after a decision never rewrites it (specification section 9). Two records are equal when every
/// property is.
/// </remarks>
/// <example>
/// <code>
/// foreach (var record in await runtime.ListHoldsAsync("acct-1", cancellationToken))
/// {
///     // "h1: Suspension hold from 2026-02-02T09:00:00Z until 2026-02-06T00:00:00Z, granted by agent-7: promise to pay, recorded 2026-02-02T09:00:00Z"
///     Console.WriteLine(record);
/// }
/// </code>
/// </example>
public sealed class HoldRecord : IEquatable<HoldRecord>
{
    /// <summary>Initializes the record of a hold granted.</summary>
    /// <param name="hold">The hold.</param>
    /// <param name="recordedAt">When the hold became known.</param>
    /// <exception cref="ArgumentNullException"><paramref name="hold"/> is null.</exception>
    public HoldRecord(Hold hold, Instant recordedAt)
    {
        ArgumentNullException.ThrowIfNull(hold);
        Hold = hold;
        RecordedAt = recordedAt;
    }

    /// <summary>Initializes the record of a revocation.</summary>
    /// <param name="revocation">The revocation.</param>
    /// <param name="recordedAt">When the revocation became known.</param>
    /// <exception cref="ArgumentNullException"><paramref name="revocation"/> is null.</exception>
    public HoldRecord(HoldRevocation revocation, Instant recordedAt)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        Revocation = revocation;
        RecordedAt = recordedAt;
    }

    /// <summary>Gets the hold granted, or <see langword="null"/> when this records a revocation.</summary>
    public Hold? Hold { get; }

    /// <summary>Gets the revocation, or <see langword="null"/> when this records a hold granted.</summary>
    public HoldRevocation? Revocation { get; }

    /// <summary>Gets when the fact became known.</summary>
    public Instant RecordedAt { get; }

    /// <summary>Gets the id of the hold or of the revocation.</summary>
    public string Id => Hold?.Id ?? Revocation!.Id;

    /// <inheritdoc />
    public bool Equals(HoldRecord? other) =>
        other is not null && RecordedAt == other.RecordedAt && Equals(Hold, other.Hold) && Equals(Revocation, other.Revocation);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as HoldRecord);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Hold, Revocation, RecordedAt);

    /// <summary>
    /// Returns the record in one line: the hold's or the revocation's own summary and when it was recorded, for example
    /// <c>r1 revokes h1 at 2026-02-04T00:00:00Z, by agent-7: promise broken, recorded 2026-02-04T00:00:00Z</c>.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Hold is not null ? Hold.ToString() : Revocation!.ToString())}, recorded {Invariant.Format(RecordedAt)}");

    /// <summary>Returns the hold set of a list of records (holds and revocations, in their order): <see cref="HoldSet.Empty"/> when there are none.</summary>
    internal static HoldSet ToSet(IReadOnlyList<HoldRecord> records)
    {
        if (records.Count == 0)
        {
            return HoldSet.Empty;
        }

        var holds = new List<Hold>(records.Count);
        var revocations = new List<HoldRevocation>();
        foreach (var record in records)
        {
            if (record.Hold is { } hold)
            {
                holds.Add(hold);
            }
            else
            {
                revocations.Add(record.Revocation!);
            }
        }

        return new HoldSet(holds, revocations);
    }

    /// <summary>
    /// Returns the hold set of the records known at <paramref name="now"/>: those recorded by then, a revocation only with
    /// its hold.
    /// </summary>
    internal static HoldSet KnownAt(IReadOnlyList<HoldRecord> records, Instant now)
    {
        var holds = new List<Hold>(records.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.Hold is { } hold && record.RecordedAt <= now)
            {
                holds.Add(hold);
                ids.Add(hold.Id);
            }
        }

        if (holds.Count == 0)
        {
            return HoldSet.Empty;
        }

        var revocations = new List<HoldRevocation>();
        foreach (var record in records)
        {
            if (record.Revocation is { } revocation && record.RecordedAt <= now && ids.Contains(revocation.Revokes))
            {
                revocations.Add(revocation);
            }
        }

        return new HoldSet(holds, revocations);
    }
}

/// <summary>What <see cref="IArrearsStore.AddHoldFactsAsync"/> added: the holds and revocations that were new (identical replays are not counted).</summary>
/// <param name="Holds">Holds added.</param>
/// <param name="Revocations">Revocations added.</param>
/// <example>
/// <code>
/// var added = await store.AddHoldFactsAsync("acct-1", [hold], [], clock.GetCurrentInstant(), cancellationToken);
/// Console.WriteLine(added.Holds == 1 ? "granted" : "already granted");
/// </code>
/// </example>
public readonly record struct HoldFactsResult(int Holds, int Revocations);
