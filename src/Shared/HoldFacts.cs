using System.Globalization;
using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Stores;

/// <summary>
/// The checks every store makes before it records hold facts, with one wording (compiled into the core for the in-memory
/// store, and into each durable store): ids are idempotent (the same id with the same content is a replay, with other content
/// an error naming the id), a revocation must name a hold of the account, and a revocation is never recorded before the hold
/// it revokes. Nothing is applied when any check fails.
/// </summary>
internal static class HoldFacts
{
    /// <summary>Turns the arguments of <see cref="IArrearsStore.AddHoldFactsAsync"/> into records, checking for nulls.</summary>
    /// <exception cref="ArgumentNullException">A list is null.</exception>
    /// <exception cref="ArgumentException">A list holds a null; the message names its index.</exception>
    public static List<HoldRecord> Records(IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, Instant recordedAt)
    {
        ArgumentNullException.ThrowIfNull(holds);
        ArgumentNullException.ThrowIfNull(revocations);
        var records = new List<HoldRecord>(holds.Count + revocations.Count);
        for (var i = 0; i < holds.Count; i++)
        {
            records.Add(new HoldRecord(holds[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"holds[{i}]: must not be null"), nameof(holds)), recordedAt));
        }

        for (var i = 0; i < revocations.Count; i++)
        {
            records.Add(new HoldRecord(revocations[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"revocations[{i}]: must not be null"), nameof(revocations)), recordedAt));
        }

        return records;
    }

    /// <summary>
    /// Checks <paramref name="incoming"/> against the account's <paramref name="stored"/> records and returns the new ones, in
    /// the order given, each id once.
    /// </summary>
    /// <param name="account">The account id, for messages.</param>
    /// <param name="stored">The account's records (at least those whose ids <paramref name="incoming"/> repeats, and every hold a revocation names).</param>
    /// <param name="incoming">The records to add.</param>
    /// <param name="import">Whether the records come from an import (the message then starts with the account, as other import errors do).</param>
    /// <returns>The records to write.</returns>
    /// <exception cref="ArgumentException">An id exists with other content, a revocation names no hold of the account, or a revocation is recorded before its hold; nothing is applied.</exception>
    public static List<HoldRecord> New(string account, IReadOnlyCollection<HoldRecord> stored, IReadOnlyList<HoldRecord> incoming, bool import = false)
    {
        var holds = new Dictionary<string, HoldRecord>(StringComparer.Ordinal);
        var revocations = new Dictionary<string, HoldRecord>(StringComparer.Ordinal);
        foreach (var record in stored)
        {
            (record.Hold is not null ? holds : revocations)[record.Id] = record;
        }

        var added = new List<HoldRecord>();
        var prefix = import ? $"account \"{account}\": " : string.Empty;
        var of = import ? string.Empty : $" of account \"{account}\"";
        foreach (var record in incoming)
        {
            if (record.Hold is { } hold)
            {
                if (holds.TryGetValue(hold.Id, out var known))
                {
                    if (!known.Hold!.Equals(hold))
                    {
                        throw new ArgumentException($"{prefix}holds: hold \"{hold.Id}\"{of} already exists with other content ({known.Hold}), got ({hold}); nothing was applied", import ? "accounts" : "holds");
                    }

                    continue;
                }

                holds.Add(hold.Id, record);
                added.Add(record);
                continue;
            }

            var revocation = record.Revocation!;
            if (revocations.TryGetValue(revocation.Id, out var earlier))
            {
                if (!earlier.Revocation!.Equals(revocation))
                {
                    throw new ArgumentException($"{prefix}revocations: revocation \"{revocation.Id}\"{of} already exists with other content ({earlier.Revocation}), got ({revocation}); nothing was applied", import ? "accounts" : "revocations");
                }

                continue;
            }

            revocations.Add(revocation.Id, record);
            added.Add(record);
        }

        // Revocations are checked once every hold of the batch is known, so a batch may grant and revoke in any order.
        foreach (var record in added)
        {
            if (record.Revocation is not { } revocation)
            {
                continue;
            }

            if (!holds.TryGetValue(revocation.Revokes, out var hold))
            {
                throw new ArgumentException($"{prefix}revocations: revocation \"{revocation.Id}\" revokes hold \"{revocation.Revokes}\", which account \"{account}\" does not have; nothing was applied", import ? "accounts" : "revocations");
            }

            if (record.RecordedAt < hold.RecordedAt)
            {
                throw new ArgumentException(
                    $"{prefix}revocations: revocation \"{revocation.Id}\" is recorded at {InstantPattern.ExtendedIso.Format(record.RecordedAt)}, before the hold it revokes (\"{hold.Id}\", recorded at {InstantPattern.ExtendedIso.Format(hold.RecordedAt)}); nothing was applied",
                    import ? "accounts" : "revocations");
            }
        }

        return added;
    }

    /// <summary>Returns the hold ids the revocations of <paramref name="incoming"/> name and the ids of its records: what a store reads back to check them.</summary>
    public static string[] IdsToRead(IReadOnlyList<HoldRecord> incoming) =>
        [.. incoming.Select(r => r.Id).Concat(incoming.Where(r => r.Revocation is not null).Select(r => r.Revocation!.Revokes)).Distinct(StringComparer.Ordinal)];
}
