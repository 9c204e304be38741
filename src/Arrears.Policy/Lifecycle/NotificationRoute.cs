namespace Arrears.Policy;

/// <summary>Who receives one kind of notification, and over which channels.</summary>
/// <param name="Audience">The recipients: creator, collaborators, both, or nobody.</param>
/// <param name="Channels">The channel names (for example <c>Email</c> and <c>SMS</c>); empty means the policy's channels.</param>
/// <example>
/// <code>
/// var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
/// options.Routes[NotificationKind.BalanceLow] = new NotificationRoute(Audience.Creator, ["Email"]);   // the owner only, by email
/// options.Routes[NotificationKind.Purged] = NotificationRoute.Silent;                               // not sent at all
/// </code>
/// </example>
public sealed record NotificationRoute(Audience Audience, IReadOnlyList<string> Channels)
{
    /// <summary>Gets a route that sends nothing.</summary>
    public static NotificationRoute Silent { get; } = new(Audience.None, []);

    /// <summary>Compares two routes by audience and by the channels in order.</summary>
    /// <param name="other">The other route.</param>
    /// <returns><see langword="true"/> when both have the same audience and channels.</returns>
    public bool Equals(NotificationRoute? other) =>
        other is not null && Audience == other.Audience &&
        (Channels ?? []).SequenceEqual(other.Channels ?? [], StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Audience, Channels?.Count ?? 0);
}
