namespace Arrears.Policy.Runtime;

/// <summary>What became of one commit of a batch saved with <see cref="IArrearsStore.CommitAsync(IReadOnlyList{EvaluationCommit}, CancellationToken)"/>.</summary>
public enum CommitOutcome
{
    /// <summary>Saved whole: the state, transitions, charges and outbox messages, and the claim released.</summary>
    Saved,

    /// <summary>Nothing saved: the account changed since it was claimed (its version moved); evaluate it again.</summary>
    Stale,

    /// <summary>Nothing saved: the commit was refused or the store failed on it (<see cref="CommitResult.Error"/> says why); the account stays claimed until its lease expires.</summary>
    Failed,
}

/// <summary>
/// The outcome of one commit of a batch: each commit of a batch is version-checked and saved or refused on its own, so a
/// stale or failed one saves nothing of itself and leaves the others of the batch saved.
/// </summary>
/// <param name="Outcome">Whether the commit was saved, stale, or failed.</param>
/// <param name="Error">Why it failed (for <see cref="CommitOutcome.Failed"/>; the exception the single-commit
/// <see cref="IArrearsStore.CommitAsync(EvaluationCommit, CancellationToken)"/> would have thrown), otherwise <see langword="null"/>.</param>
/// <example>
/// <code>
/// var results = await store.CommitAsync(commits, cancellationToken);
/// for (var i = 0; i &lt; results.Count; i++)
/// {
///     if (results[i].Outcome == CommitOutcome.Stale)
///     {
///         // commits[i].Account changed since it was claimed: reload it and evaluate again.
///     }
/// }
/// </code>
/// </example>
public readonly record struct CommitResult(CommitOutcome Outcome, Exception? Error = null)
{
    /// <summary>Gets the result of a saved commit.</summary>
    public static CommitResult Saved => new(CommitOutcome.Saved);

    /// <summary>Gets the result of a commit refused because the account changed since it was claimed.</summary>
    public static CommitResult Stale => new(CommitOutcome.Stale);

    /// <summary>Returns the result of a commit that failed.</summary>
    /// <param name="error">Why it failed.</param>
    /// <returns>The result.</returns>
    public static CommitResult Failed(Exception error) => new(CommitOutcome.Failed, error ?? throw new ArgumentNullException(nameof(error)));
}

/// <summary>Checks shared by every store's batched commit.</summary>
internal static class StoreBatches
{
    /// <summary>Refuses a batch that holds <see langword="null"/> or names an account twice (two commits of one account cannot both hold its claimed version).</summary>
    /// <exception cref="ArgumentException">The batch holds <see langword="null"/> or an account twice; the message names it.</exception>
    public static void Check(IReadOnlyList<EvaluationCommit> commits)
    {
        ArgumentNullException.ThrowIfNull(commits);
        if (commits.Count < 2)
        {
            if (commits.Count == 1 && commits[0] is null)
            {
                throw new ArgumentException("commits[0]: must not be null", nameof(commits));
            }

            return;
        }

        var seen = new HashSet<string>(commits.Count, StringComparer.Ordinal);
        for (var i = 0; i < commits.Count; i++)
        {
            var commit = commits[i] ?? throw new ArgumentException($"commits[{i}]: must not be null", nameof(commits));
            if (!seen.Add(commit.Account))
            {
                throw new ArgumentException($"commits[{i}].account: account \"{commit.Account}\" appears more than once in the batch", nameof(commits));
            }
        }
    }
}
