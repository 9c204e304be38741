using System.Collections.Concurrent;
using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.Cli.Demo;

/// <summary>The demo's clock: NodaTime's <see cref="IClock"/>, moved forward by the demo only (never read from the system).</summary>
internal sealed class DemoClock(Instant start) : IClock
{
    public Instant Now { get; private set; } = start;

    /// <summary>Moves the clock to <paramref name="at"/>; it never goes back.</summary>
    public void AdvanceTo(Instant at)
    {
        if (at < Now)
        {
            throw new InvalidOperationException($"the demo clock cannot go back from {Now} to {at}");
        }

        Now = at;
    }

    public Instant GetCurrentInstant() => Now;
}

/// <summary>Counts the notifications delivered over one channel and keeps each account's, for the customers to react to.</summary>
internal sealed class DemoNotifier(string channel, ContactKind contact) : INotifier
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<NotificationDelivery>> _unread = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _keys = new(StringComparer.Ordinal);
    private int _delivered;

    public string Channel { get; } = channel;

    public ContactKind Contact { get; } = contact;

    public int Delivered => _delivered;

    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        Interlocked.Increment(ref _delivered);
        _unread.GetOrAdd(delivery.Account, _ => new()).Enqueue(delivery);
        _keys.GetOrAdd(delivery.Account, _ => new()).Enqueue(delivery.Key);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }

    /// <summary>Returns what was delivered for an account since the last call, in delivery order.</summary>
    public List<NotificationDelivery> Read(string account)
    {
        var read = new List<NotificationDelivery>();
        if (_unread.TryGetValue(account, out var queue))
        {
            while (queue.TryDequeue(out var delivery))
            {
                read.Add(delivery);
            }
        }

        return read;
    }

    /// <summary>Returns the keys of every notification delivered for an account.</summary>
    public IReadOnlyList<string> KeysOf(string account) => _keys.TryGetValue(account, out var keys) ? [.. keys] : [];
}

/// <summary>Counts the suspensions, resumptions and purges the runtime asks the gateway to carry out.</summary>
internal sealed class DemoEnforcement : IEnforcementHandler
{
    private readonly int[] _counts = new int[Enum.GetValues<EnforcementKind>().Length];

    public int Count(EnforcementKind kind) => Volatile.Read(ref _counts[(int)kind]);

    public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        Interlocked.Increment(ref _counts[(int)action.Kind]);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
