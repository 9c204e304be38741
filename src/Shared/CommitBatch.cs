using System.Collections.Concurrent;
using Arrears.Policy.Runtime;

namespace Arrears.Policy.Stores;

/// <summary>What the durable stores share for batched commits: the batch's checks, and the states they handed out in claims.</summary>
internal static class CommitBatch
{
    /// <summary>Refuses a batch that holds <see langword="null"/> or names an account twice (two commits of one account cannot both hold its claimed version).</summary>
    /// <exception cref="ArgumentException">The batch holds <see langword="null"/> or an account twice; the message names it.</exception>
    public static void Check(IReadOnlyList<EvaluationCommit> commits)
    {
        ArgumentNullException.ThrowIfNull(commits);
        var seen = commits.Count > 1 ? new HashSet<string>(commits.Count, StringComparer.Ordinal) : null;
        for (var i = 0; i < commits.Count; i++)
        {
            var commit = commits[i] ?? throw new ArgumentException($"commits[{i}]: must not be null", nameof(commits));
            if (seen is not null && !seen.Add(commit.Account))
            {
                throw new ArgumentException($"commits[{i}].account: account \"{commit.Account}\" appears more than once in the batch", nameof(commits));
            }
        }
    }
}

/// <summary>
/// The product lifecycles a store instance handed out with each claimed account, by account and version, so that a commit
/// whose lifecycles are the claimed ones (most evaluations: nothing happened) skips rewriting them.
/// </summary>
/// <remarks>
/// Sound because of versions: the lifecycle rows change only through a commit, which bumps the version, and a commit is
/// saved only when the version is still the claimed one; so when the commit's expected version is the remembered one, the
/// rows in the database are the remembered lifecycles. A commit from another instance (another process) finds nothing
/// remembered and writes them.
/// </remarks>
internal sealed class ClaimedStates
{
    /// <summary>The most accounts remembered; past it the memory is dropped (commits then write lifecycles, as without it).</summary>
    private const int Capacity = 1 << 20;

    private readonly ConcurrentDictionary<string, (long Version, ProductLifecycle[] Lifecycles)> _claimed = new(StringComparer.Ordinal);

    private int _remembered;

    /// <summary>Remembers the lifecycles of a claimed account.</summary>
    public void Remember(StoredAccount account)
    {
        // Counting a concurrent dictionary takes all its locks: look every 65,536 claims only.
        if ((Interlocked.Increment(ref _remembered) & 0xFFFF) == 0 && _claimed.Count >= Capacity)
        {
            _claimed.Clear();
        }

        _claimed[account.Registration.Id] = (account.Version, [.. account.State.Lifecycles]);
    }

    /// <summary>Returns whether the commit's lifecycles are those its account had at the claimed version (and forgets the claim).</summary>
    public bool Unchanged(EvaluationCommit commit)
    {
        if (!_claimed.TryRemove(commit.Account, out var claimed) || claimed.Version != commit.ExpectedVersion)
        {
            return false;
        }

        var lifecycles = commit.State.Lifecycles;
        if (lifecycles.Count != claimed.Lifecycles.Length)
        {
            return false;
        }

        for (var i = 0; i < claimed.Lifecycles.Length; i++)
        {
            if (!lifecycles[i].Equals(claimed.Lifecycles[i]))
            {
                return false;
            }
        }

        return true;
    }
}
