using Arrears.Policy.Runtime;

namespace Arrears.Policy.AspNetCore;

/// <summary>
/// The enforcement handler: the runtime calls it, through its outbox and at least once, when it suspends, resumes or
/// purges an account's product. Here it flips the in-memory status the API gate reads; a real gateway would also call
/// its admin API (turn the routes off, delete the configuration), passing <see cref="EnforcementAction.Key"/> on so
/// that a repeated call changes nothing.
/// </summary>
public sealed partial class GatewaySwitch(ApiStatusCache statuses, IArrearsStore store, ILogger<GatewaySwitch> logger) : IEnforcementHandler
{
    /// <inheritdoc />
    public async ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        switch (action.Kind)
        {
            case EnforcementKind.Suspend:
                // Until when the data is kept is the purge deadline of the episode, which the store holds: one read per
                // suspension, none per API call.
                var stored = await store.FindAccountAsync(action.Account, cancellationToken);
                var lifecycle = stored?.State.LifecycleOf(action.Product);
                var purgeAt = lifecycle is { } current && current.Episode == action.Episode ? current.PurgeAt : null;
                statuses.Set(action.Account, action.Product, new ServiceStatus(LifecycleStatus.Suspended, action.At, purgeAt));
                break;
            case EnforcementKind.Resume:
                statuses.Set(action.Account, action.Product, ServiceStatus.Serving);
                break;
            case EnforcementKind.Purge:
                statuses.Set(action.Account, action.Product, new ServiceStatus(LifecycleStatus.Purged, null, action.At));
                break;
            default:
                return DeliveryResult.Permanent($"unknown enforcement {action.Kind}");
        }

        LogEnforced(logger, action.Kind, action.Key);
        return DeliveryResult.Delivered;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway: {Kind} done ({Key})")]
    private static partial void LogEnforced(ILogger logger, EnforcementKind kind, string key);
}
