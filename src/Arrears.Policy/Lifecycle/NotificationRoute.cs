namespace Arrears.Policy;

/// <summary>Who receives one kind of notification, and over which channels.</summary>
/// <param name="Audience">The recipients: creator, collaborators, both, or nobody.</param>
/// <param name="Channels">The channel names (for example <c>Email</c> and <c>SMS</c>); empty means the policy's channels.</param>
public sealed record NotificationRoute(Audience Audience, IReadOnlyList<string> Channels)
{
    /// <summary>Gets a route that sends nothing.</summary>
    public static NotificationRoute Silent { get; } = new(Audience.None, []);
}
