namespace Arrears.Policy;

/// <summary>Who an account is and who hears about it: its id, creator, collaborators and optional balance alarm.</summary>
/// <remarks>Recipients are opaque strings (an email address or a user id the host's notifier resolves).</remarks>
/// <example>
/// <code>
/// var account = new AccountProfile("acct-1", "owner@example.com")
/// {
///     Collaborators = ["dev@example.com", "ops@example.com"],
///     BalanceAlarm = 50.00m,
/// };
/// </code>
/// </example>
public sealed record AccountProfile
{
    private readonly IReadOnlyList<string> _collaborators = [];

    /// <summary>Initializes a new account profile.</summary>
    /// <param name="id">The account id; not empty.</param>
    /// <param name="creator">The account's creator, who receives notifications; not empty.</param>
    /// <exception cref="ArgumentException">The id or the creator is empty.</exception>
    public AccountProfile(string id, string creator)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"account.id: must not be empty, got \"{id}\"", nameof(id));
        }

        if (string.IsNullOrWhiteSpace(creator))
        {
            throw new ArgumentException($"account.creator: must not be empty, got \"{creator}\"", nameof(creator));
        }

        Id = id;
        Creator = creator;
    }

    /// <summary>Gets the account id.</summary>
    public string Id { get; }

    /// <summary>Gets the account's creator.</summary>
    public string Creator { get; }

    /// <summary>Gets the collaborators, each notified like the creator unless a route narrows the audience.</summary>
    /// <exception cref="ArgumentException">A collaborator is empty, repeated, or equal to the creator.</exception>
    public IReadOnlyList<string> Collaborators
    {
        get => _collaborators;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            var seen = new HashSet<string>(StringComparer.Ordinal) { Creator };
            for (var i = 0; i < value.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(value[i]))
                {
                    throw new ArgumentException($"account.collaborators[{i}]: must not be empty, got \"{value[i]}\"", nameof(value));
                }

                if (!seen.Add(value[i]))
                {
                    throw new ArgumentException($"account.collaborators[{i}]: is already the creator or another collaborator, got \"{value[i]}\"", nameof(value));
                }
            }

            _collaborators = [.. value];
        }
    }

    /// <summary>
    /// Gets the balance alarm threshold, if any: a <see cref="NotificationKind.BalanceLow"/> is sent when the balance crosses from
    /// at least this to below it. It may be negative.
    /// </summary>
    public decimal? BalanceAlarm { get; init; }

    /// <summary>Returns the account id.</summary>
    /// <returns>The id.</returns>
    public override string ToString() => Id;
}
