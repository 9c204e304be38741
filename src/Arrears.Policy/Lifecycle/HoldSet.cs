using System.Globalization;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// The holds and revocations of one account as known at an evaluation: the input <see cref="AccountPolicy.Evaluate(AccountProfile, IBalanceHistory, HoldSet, AccountState, Instant)"/>
/// reads them from. Immutable and validated once, so that evaluating with it is as cheap as evaluating without it.
/// </summary>
/// <remarks>
/// <para>
/// Like the balance history, a hold set holds the facts known at the evaluation instant: a hold or a revocation that
/// becomes known later changes nothing that was already decided (specification section 9).
/// </para>
/// <para>
/// The constructor checks what a set of holds can check on its own: no null element, an id repeated only with the same
/// content (a repeat is an idempotent replay and is kept once), and every revocation naming a hold of the set. What depends
/// on the account policy (the products and the limits of each kind) is checked by
/// <see cref="AccountPolicy.ValidateHolds"/>, and again by every evaluation.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var holds = new HoldSet(
///     [new Hold("h1", HoldKind.Suspension, granted, granted + Duration.FromDays(4), "agent-7", "promise to pay")],
///     [new HoldRevocation("r1", "h1", brokenAt, "agent-7", "promise broken")]);
/// var evaluation = accountPolicy.Evaluate(account, ledger, holds, state, clock.GetCurrentInstant());
/// </code>
/// </example>
public sealed class HoldSet
{
    private readonly Hold[] _holds;
    private readonly HoldRevocation[] _revocations;

    /// <summary>The end of each hold's window after revocations (parallel to <see cref="_holds"/>); <see langword="null"/> when open-ended.</summary>
    private readonly Instant?[] _ends;

    /// <summary>Initializes a set of holds and the revocations that end some of them.</summary>
    /// <param name="holds">The holds; copied. A hold repeated with the same content is kept once.</param>
    /// <param name="revocations">The revocations, each naming a hold of <paramref name="holds"/>; none when <see langword="null"/> (the default). Copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="holds"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// An element is null, an id repeats with different content, or a revocation names no hold of the set; the message names
    /// the field and the value.
    /// </exception>
    public HoldSet(IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation>? revocations = null)
    {
        ArgumentNullException.ThrowIfNull(holds);
        var holdList = new List<Hold>(holds.Count);
        var holdIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < holds.Count; i++)
        {
            var hold = holds[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"holds[{i}]: must not be null"), nameof(holds));
            if (holdIndex.TryGetValue(hold.Id, out var existing))
            {
                if (!holdList[existing].Equals(hold))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"holds[{i}].id: a hold with this id already exists with different content ({holdList[existing]}), got \"{hold.Id}\" ({hold})"),
                        nameof(holds));
                }

                continue;
            }

            holdIndex.Add(hold.Id, holdList.Count);
            holdList.Add(hold);
        }

        var revocationList = new List<HoldRevocation>(revocations?.Count ?? 0);
        var revocationIds = new Dictionary<string, HoldRevocation>(StringComparer.Ordinal);
        var ends = holdList.Select(hold => hold.Until).ToArray();
        for (var i = 0; i < (revocations?.Count ?? 0); i++)
        {
            var revocation = revocations![i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"revocations[{i}]: must not be null"), nameof(revocations));
            if (revocationIds.TryGetValue(revocation.Id, out var existing))
            {
                if (!existing.Equals(revocation))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"revocations[{i}].id: a revocation with this id already exists with different content ({existing}), got \"{revocation.Id}\" ({revocation})"),
                        nameof(revocations));
                }

                continue;
            }

            if (!holdIndex.TryGetValue(revocation.Revokes, out var held))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"revocations[{i}].revokes: no hold has this id, got \"{revocation.Revokes}\""),
                    nameof(revocations));
            }

            revocationIds.Add(revocation.Id, revocation);
            revocationList.Add(revocation);

            // The earliest end wins: a revocation ends a hold early, it never extends one.
            if (ends[held] is not { } end || revocation.At < end)
            {
                ends[held] = revocation.At;
            }
        }

        _holds = [.. holdList];
        _revocations = [.. revocationList];
        _ends = ends;
        Holds = Array.AsReadOnly(_holds);
        Revocations = Array.AsReadOnly(_revocations);
    }

    /// <summary>Gets a set with no holds, the one the evaluation overload without holds uses.</summary>
    public static HoldSet Empty { get; } = new([]);

    /// <summary>Gets the holds, each id once, in the order given.</summary>
    public IReadOnlyList<Hold> Holds { get; }

    /// <summary>Gets the revocations, each id once, in the order given.</summary>
    public IReadOnlyList<HoldRevocation> Revocations { get; }

    /// <summary>Gets whether the set has no holds.</summary>
    internal bool IsEmpty => _holds.Length == 0;

    /// <summary>Gets the holds as the array the set keeps.</summary>
    internal ReadOnlySpan<Hold> HoldSpan => _holds;

    /// <summary>Returns the end of a hold's window after its revocations: its own end, or the earliest revocation before it.</summary>
    /// <param name="holdId">The hold's id.</param>
    /// <returns>The end (exclusive), or <see langword="null"/> when the hold is open-ended and not revoked. An end at or before the hold's start means the hold was cancelled.</returns>
    /// <exception cref="ArgumentException">No hold of the set has that id.</exception>
    public Instant? EndOf(string holdId)
    {
        for (var i = 0; i < _holds.Length; i++)
        {
            if (string.Equals(_holds[i].Id, holdId, StringComparison.Ordinal))
            {
                return _ends[i];
            }
        }

        throw new ArgumentException($"holdId: no hold has this id, got \"{holdId}\"", nameof(holdId));
    }

    /// <summary>Returns the number of holds and revocations, for example <c>2 holds, 1 revocation</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{_holds.Length} hold{(_holds.Length == 1 ? string.Empty : "s")}, {_revocations.Length} revocation{(_revocations.Length == 1 ? string.Empty : "s")}");

    /// <summary>
    /// Returns the instant a deadline of <paramref name="kind"/> of <paramref name="product"/> takes effect: <paramref name="deadline"/>
    /// itself when no hold covers it, else the end of the window that covers it (of the chain of windows, when windows of that
    /// kind overlap or touch); <see langword="null"/> when an open-ended hold covers it. Allocates nothing.
    /// </summary>
    internal Instant? Effective(HoldKind kind, string? product, Instant deadline) =>
        _holds.Length == 0 ? deadline : EffectiveUnderHolds(kind, product, deadline);

    private Instant? EffectiveUnderHolds(HoldKind kind, string? product, Instant deadline)
    {
        var effective = deadline;
        var moved = true;
        while (moved)
        {
            moved = false;
            for (var i = 0; i < _holds.Length; i++)
            {
                var hold = _holds[i];
                if (!hold.Covers(kind) || !hold.AppliesTo(product) || hold.From > effective)
                {
                    continue;
                }

                if (_ends[i] is not { } end)
                {
                    return null;
                }

                if (effective < end)
                {
                    // Every move is strictly later, so the walk ends after at most one move per hold.
                    effective = end;
                    moved = true;
                }
            }
        }

        return effective;
    }

    /// <summary>
    /// Returns the ids of the holds of <paramref name="kind"/> and <paramref name="product"/> in force at some instant of
    /// <c>[nominal, effective)</c>, in the order of the set: the holds that kept a deadline from acting between the instant it
    /// would have acted and the instant it did.
    /// </summary>
    internal string[] HeldBy(HoldKind kind, string? product, Instant nominal, Instant effective)
    {
        var ids = new List<string>();
        for (var i = 0; i < _holds.Length; i++)
        {
            var hold = _holds[i];
            var end = _ends[i];
            if (hold.Covers(kind) && hold.AppliesTo(product) && (end is null || end > hold.From) && hold.From < effective && (end is null || end > nominal))
            {
                ids.Add(hold.Id);
            }
        }

        return [.. ids];
    }
}
