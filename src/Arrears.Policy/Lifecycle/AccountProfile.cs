using System.Collections.ObjectModel;

namespace Arrears.Policy;

/// <summary>Who an account is and who hears about it: its id, creator, collaborators and optional balance alarm.</summary>
/// <remarks>
/// <para>Recipients are opaque strings (an email address or a user id the host's notifier resolves).</para>
/// <para>
/// Every value is validated by the constructor, the only way to make a profile; errors name the field and the value. Two
/// profiles are equal when their ids, creators, collaborators (in order, ordinal) and alarms are.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var account = new AccountProfile("acct-1", "owner@example.com",
///     collaborators: ["dev@example.com", "ops@example.com"],
///     balanceAlarm: 50.00m);
/// </code>
/// </example>
public sealed class AccountProfile : IEquatable<AccountProfile>
{
    /// <summary>Initializes a new account profile.</summary>
    /// <param name="id">The account id; not empty.</param>
    /// <param name="creator">The account's creator, who receives notifications; not empty.</param>
    /// <param name="collaborators">
    /// The collaborators, each notified like the creator unless a route narrows the audience; none when <see langword="null"/>
    /// (the default). None may be empty, repeated, or equal to the creator. The list is copied.
    /// </param>
    /// <param name="balanceAlarm">The balance alarm threshold, if any (see <see cref="BalanceAlarm"/>); it may be negative.</param>
    /// <exception cref="ArgumentException">
    /// The id or the creator is empty, or a collaborator is empty, repeated, or equal to the creator; the message names the
    /// field and the value.
    /// </exception>
    public AccountProfile(string id, string creator, IReadOnlyList<string>? collaborators = null, decimal? balanceAlarm = null)
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
        Collaborators = ValidateCollaborators(creator, collaborators);
        BalanceAlarm = balanceAlarm;
    }

    /// <summary>Gets the account id.</summary>
    public string Id { get; }

    /// <summary>Gets the account's creator.</summary>
    public string Creator { get; }

    /// <summary>Gets the collaborators, each notified like the creator unless a route narrows the audience; empty when there are none.</summary>
    public IReadOnlyList<string> Collaborators { get; }

    /// <summary>
    /// Gets the balance alarm threshold, if any: a <see cref="NotificationKind.BalanceLow"/> is sent when the balance crosses from
    /// at least this to below it. It may be negative.
    /// </summary>
    public decimal? BalanceAlarm { get; }

    /// <summary>Returns whether two profiles are equal.</summary>
    /// <param name="left">The first profile.</param>
    /// <param name="right">The second profile.</param>
    /// <returns>Whether they are equal (both <see langword="null"/>, or equal by <see cref="Equals(AccountProfile)"/>).</returns>
    public static bool operator ==(AccountProfile? left, AccountProfile? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Returns whether two profiles differ.</summary>
    /// <param name="left">The first profile.</param>
    /// <param name="right">The second profile.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(AccountProfile? left, AccountProfile? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(AccountProfile? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (string.Equals(Id, other.Id, StringComparison.Ordinal)
                && string.Equals(Creator, other.Creator, StringComparison.Ordinal)
                && BalanceAlarm == other.BalanceAlarm
                && Collaborators.SequenceEqual(other.Collaborators, StringComparer.Ordinal)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AccountProfile);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), StringComparer.Ordinal.GetHashCode(Creator), Collaborators.Count, BalanceAlarm);

    /// <summary>Returns the account id.</summary>
    /// <returns>The id.</returns>
    public override string ToString() => Id;

    private static ReadOnlyCollection<string> ValidateCollaborators(string creator, IReadOnlyList<string>? collaborators)
    {
        if (collaborators is null || collaborators.Count == 0)
        {
            return ReadOnlyCollection<string>.Empty;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal) { creator };
        var copy = new string[collaborators.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var collaborator = collaborators[i];
            if (string.IsNullOrWhiteSpace(collaborator))
            {
                throw new ArgumentException($"account.collaborators[{i}]: must not be empty, got \"{collaborator}\"", nameof(collaborators));
            }

            if (!seen.Add(collaborator))
            {
                throw new ArgumentException($"account.collaborators[{i}]: is already the creator or another collaborator, got \"{collaborator}\"", nameof(collaborators));
            }

            copy[i] = collaborator;
        }

        return Array.AsReadOnly(copy);
    }
}
