using System.Collections.Concurrent;
using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.AspNetCore;

/// <summary>Whether an account's product is served, and if not since when and until when its data is kept.</summary>
public sealed record ServiceStatus(LifecycleStatus Status, Instant? Since, Instant? DataKeptUntil)
{
    /// <summary>Gets the status of a product that is served (Active or Overdue: an overdue account is still served).</summary>
    public static ServiceStatus Serving { get; } = new(LifecycleStatus.Active, null, null);

    /// <summary>Gets whether the API calls are refused.</summary>
    public bool Refused => Status is LifecycleStatus.Suspended or LifecycleStatus.Purged;

    /// <summary>Reads the status from the lifecycle the store keeps.</summary>
    public static ServiceStatus From(ProductLifecycle lifecycle) => lifecycle.Status switch
    {
        LifecycleStatus.Suspended => new(LifecycleStatus.Suspended, lifecycle.SuspendAt, lifecycle.PurgeAt),
        LifecycleStatus.Purged => new(LifecycleStatus.Purged, lifecycle.SuspendAt, lifecycle.PurgeAt),
        _ => Serving,
    };
}

/// <summary>
/// The status of every account's product, in memory, so that an API call costs a dictionary lookup and no database round
/// trip.
/// </summary>
/// <remarks>
/// An account is read from the store once, at its first API call after the process starts; from then on the
/// enforcement handler (<see cref="GatewaySwitch"/>) sets its status when the runtime suspends, resumes or purges it.
/// A status loaded from the store never overwrites one the handler set meanwhile: the handler runs after the runtime has
/// committed the change, so it is the later word.
/// </remarks>
public sealed class ApiStatusCache(IArrearsStore store)
{
    private readonly ConcurrentDictionary<(string Account, string? Product), ServiceStatus> _statuses = new();

    /// <summary>Occurs when the enforcement handler changes a status: account, product (null for a single product) and the new status.</summary>
    public event Action<string, string?, ServiceStatus>? Changed;

    /// <summary>Gets the status of an account's product, reading the store only on the account's first call; null for an account the store does not know.</summary>
    public ValueTask<ServiceStatus?> GetAsync(string account, string? product, CancellationToken cancellationToken) =>
        _statuses.TryGetValue((account, product), out var status)
            ? ValueTask.FromResult<ServiceStatus?>(status)
            : LoadAsync(account, product, cancellationToken);

    /// <summary>Sets a status decided by the runtime (called by the enforcement handler).</summary>
    public void Set(string account, string? product, ServiceStatus status)
    {
        _statuses[(account, product)] = status;
        Changed?.Invoke(account, product, status);
    }

    private async ValueTask<ServiceStatus?> LoadAsync(string account, string? product, CancellationToken cancellationToken)
    {
        var stored = await store.FindAccountAsync(account, cancellationToken);
        if (stored is null)
        {
            return null;   // not cached: an account registered later must not be hidden by this miss
        }

        return _statuses.GetOrAdd((account, product), ServiceStatus.From(stored.State.LifecycleOf(product)));
    }
}
