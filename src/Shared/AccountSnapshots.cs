using Arrears.Policy.Stores;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// The accounts a durable store instance has claimed, as it last knew them (registration, state, compact ledger snapshot,
/// usage and holds), by account and version, so that a claim reads an account's rows again only when something of it
/// changed since (decision 0015).
/// </summary>
/// <remarks>
/// <para>
/// The version is the proof: every change to an account (an append, usage, a hold, an import, a commit) bumps it in the
/// same transaction, so an account whose row still has the version kept here has exactly what is kept. A commit of this
/// instance that was saved moves what is kept to the commit's version (its state, due instant and next review, its
/// charges appended to the snapshot): the version check of the commit proved that nothing else changed in between. Nothing
/// else has to be told: a claim that finds another version reads the account again and replaces what is kept.
/// </para>
/// <para>
/// What is kept is immutable (the ledger is a <see cref="CompactLedger"/>), and every claim gets a <see cref="StoredAccount"/>
/// of its own over it. At most <see cref="DefaultBudget"/> bytes of ledger snapshots are kept: past it, new accounts are
/// not admitted (those admitted stay, so a pass over more accounts than fit still finds the same share of them each time).
/// </para>
/// </remarks>
internal sealed class AccountSnapshots
{
    /// <summary>The most bytes of ledger snapshots kept: 256 MiB, about 200,000 accounts of 30 entries.</summary>
    public const long DefaultBudget = 256L << 20;

    private readonly Dictionary<string, StoredAccount> _accounts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly long _budget;
    private long _bytes;

    /// <summary>Initializes an empty cache holding at most <paramref name="budget"/> bytes of ledger snapshots.</summary>
    public AccountSnapshots(long budget = DefaultBudget) => _budget = budget;

    /// <summary>Gets how many accounts are kept.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _accounts.Count;
            }
        }
    }

    /// <summary>
    /// Returns a claim's own copy of the account kept at <paramref name="version"/>, due at <paramref name="dueAt"/> (as its row
    /// says), or <see langword="null"/> when the account is not kept at that version.
    /// </summary>
    public StoredAccount? Find(string account, long version, Instant? dueAt)
    {
        StoredAccount? kept;
        lock (_lock)
        {
            _accounts.TryGetValue(account, out kept);
        }

        return kept is not null && kept.Version == version ? kept.Reclaimed(dueAt) : null;
    }

    /// <summary>Keeps an account as a claim read it (replacing what was kept), within the budget; one without a snapshot is not kept.</summary>
    public void Keep(StoredAccount account)
    {
        if (account.Snapshot is { } snapshot)
        {
            Put(account.Registration.Id, account, snapshot.ArrayBytes);
        }
    }

    /// <summary>Moves what is kept of each saved commit of a batch to the version it wrote, once the batch is written.</summary>
    public void Saved(IReadOnlyList<EvaluationCommit> commits, IReadOnlyList<CommitResult> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Outcome == CommitOutcome.Saved)
            {
                Saved(commits[i]);
            }
        }
    }

    /// <summary>Moves what is kept of a saved commit's account to the version the commit wrote (or forgets it).</summary>
    public void Saved(EvaluationCommit commit)
    {
        StoredAccount? kept;
        lock (_lock)
        {
            _accounts.TryGetValue(commit.Account, out kept);
        }

        if (kept is null)
        {
            return;
        }

        if (kept.Version == commit.ExpectedVersion && kept.AfterCommit(commit) is { Snapshot: { } snapshot } after)
        {
            Put(commit.Account, after, snapshot.ArrayBytes);
        }
        else
        {
            lock (_lock)
            {
                if (_accounts.Remove(commit.Account, out var removed))
                {
                    _bytes -= removed.Snapshot!.ArrayBytes;
                }
            }
        }
    }

    /// <summary>
    /// Builds the snapshot of an account's entries read from the store, in the order they were written, or
    /// <see langword="null"/> when they do not fit the compact layout (the caller then builds a <see cref="Ledger"/>).
    /// </summary>
    /// <exception cref="StoreDataException">An amount does not fit the currency, or an id repeats with other content.</exception>
    public static CompactLedger? Build(string account, string table, Currency currency, decimal openingBalance, IReadOnlyList<LedgerEntry> entries)
    {
        try
        {
            return CompactLedger.Empty(currency, openingBalance).Append(entries, out _);
        }
        catch (ArgumentException ex)
        {
            throw StoreCodec.LedgerCorruption(account, table, ex);
        }
    }

    private void Put(string id, StoredAccount account, long bytes)
    {
        lock (_lock)
        {
            if (_accounts.TryGetValue(id, out var kept))
            {
                _bytes -= kept.Snapshot!.ArrayBytes;
            }
            else if (_bytes + bytes > _budget)
            {
                return;
            }

            _accounts[id] = account;
            _bytes += bytes;
        }
    }
}
