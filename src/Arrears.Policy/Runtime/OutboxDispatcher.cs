using System.Diagnostics;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// Delivers the outbox at least once, each message with its key: notifications through the notifier of their channel,
/// actions through the enforcement handler. Transient failures are retried with exponential backoff and jitter; permanent
/// ones, and messages that can never be delivered (no notifier for the channel, no address for the recipient), are
/// dead-lettered with the reason. An account's messages go in the order they were decided.
/// </summary>
internal sealed class OutboxDispatcher
{
    private readonly IArrearsStore _store;
    private readonly Dictionary<string, INotifier> _notifiers;
    private readonly IEnforcementHandler _enforcement;
    private readonly IRecipientDirectory _directory;
    private readonly IClock _clock;
    private readonly ArrearsRuntimeOptions _options;

    public OutboxDispatcher(IArrearsStore store, IEnumerable<INotifier> notifiers, IEnforcementHandler enforcement, IRecipientDirectory directory, IClock clock, ArrearsRuntimeOptions options)
    {
        _store = store;
        _notifiers = new Dictionary<string, INotifier>(StringComparer.Ordinal);
        foreach (var notifier in notifiers)
        {
            if (!_notifiers.TryAdd(notifier.Channel, notifier))
            {
                throw new ArgumentException($"notifiers: two notifiers deliver the channel \"{notifier.Channel}\"", nameof(notifiers));
            }
        }

        _enforcement = enforcement;
        _directory = directory;
        _clock = clock;
        _options = options;
    }

    public async Task<DispatchSummary> RunAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        int delivered = 0, retried = 0, deadLettered = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var activity = ArrearsTelemetry.Source.StartActivity("arrears.dispatch.batch");
            var batchWatch = Stopwatch.StartNew();
            var now = _clock.GetCurrentInstant();
            var batch = await _store.ClaimOutboxAsync(now, _options.BatchSize, _options.ClaimLease, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("arrears.messages", batch.Count);
            if (batch.Count == 0)
            {
                break;
            }

            await Parallel.ForEachAsync(
                batch.GroupBy(message => message.Account, StringComparer.Ordinal),
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
                async (account, token) =>
                {
                    var blocked = false;
                    foreach (var message in account)
                    {
                        if (blocked)
                        {
                            // An earlier message of this account waits for a retry: release this one unchanged, to go after it.
                            await _store.CompleteOutboxAsync(message.Key, OutboxStatus.Pending, message.Attempts, message.NextAttemptAt, message.LastError, token).ConfigureAwait(false);
                            continue;
                        }

                        var outcome = await DeliverAsync(message, now, token).ConfigureAwait(false);
                        switch (outcome)
                        {
                            case OutboxStatus.Delivered:
                                Interlocked.Increment(ref delivered);
                                break;
                            case OutboxStatus.Pending:
                                Interlocked.Increment(ref retried);
                                blocked = true;
                                break;
                            default:
                                Interlocked.Increment(ref deadLettered);
                                break;
                        }
                    }
                }).ConfigureAwait(false);
            ArrearsTelemetry.BatchDuration.Record(batchWatch.Elapsed.TotalSeconds);
        }

        return new DispatchSummary(delivered, retried, deadLettered, Duration.FromTimeSpan(stopwatch.Elapsed));
    }

    private async Task<OutboxStatus> DeliverAsync(OutboxMessage message, Instant now, CancellationToken cancellationToken)
    {
        var attempts = message.Attempts + 1;
        DeliveryResult result;
        try
        {
            result = message.Kind == OutboxKind.Enforcement
                ? await _enforcement.EnforceAsync(message.ToAction(), cancellationToken).ConfigureAwait(false)
                : await NotifyAsync(message, attempts, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // An exception is a transient failure; its type, not its message, is kept (messages may hold personal data).
            result = DeliveryResult.Transient($"the handler threw {ex.GetType().Name}");
        }

        var kind = message.Kind == OutboxKind.Enforcement ? "enforcement" : message.Channel ?? "notification";
        ArrearsTelemetry.Deliveries.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", result.Outcome.ToString()));
        var (status, next) = result.Outcome switch
        {
            DeliveryOutcome.Delivered => (OutboxStatus.Delivered, now),
            DeliveryOutcome.TransientFailure when attempts < _options.MaxAttempts => (OutboxStatus.Pending, now + Backoff(attempts)),
            _ => (OutboxStatus.DeadLettered, now),
        };
        if (status == OutboxStatus.DeadLettered)
        {
            ArrearsTelemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>("kind", kind));
        }

        var error = result.Outcome == DeliveryOutcome.Delivered ? null
            : result.Outcome == DeliveryOutcome.TransientFailure && status == OutboxStatus.DeadLettered ? $"gave up after {attempts} attempts: {result.Reason}"
            : result.Reason;
        await _store.CompleteOutboxAsync(message.Key, status, attempts, next, error, cancellationToken).ConfigureAwait(false);
        return status;
    }

    private async ValueTask<DeliveryResult> NotifyAsync(OutboxMessage message, int attempt, CancellationToken cancellationToken)
    {
        var channel = message.Channel!;
        if (!_notifiers.TryGetValue(channel, out var notifier))
        {
            return DeliveryResult.Permanent($"no notifier is registered for the channel \"{channel}\"");
        }

        string address;
        if (notifier.Contact == ContactKind.None)
        {
            address = message.Recipient!;
        }
        else
        {
            var contact = await _directory.FindAsync(message.Recipient!, cancellationToken).ConfigureAwait(false);
            if (contact is null)
            {
                return DeliveryResult.Permanent($"the recipient is not in the recipient directory (channel \"{channel}\")");
            }

            var found = contact.AddressFor(notifier.Contact);
            if (found is null)
            {
                return DeliveryResult.Permanent($"the recipient has no {(notifier.Contact == ContactKind.Phone ? "phone number" : "email address")} for the channel \"{channel}\"");
            }

            address = found;
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(message.TimeZone) ?? DateTimeZone.Utc;
        return await notifier.DeliverAsync(
            new NotificationDelivery
            {
                Key = message.Key,
                Kind = message.Notification,
                Account = message.Account,
                Product = message.Product,
                At = message.At,
                Balance = message.Balance,
                Currency = Currency.FromCode(message.Currency),
                Recipient = message.Recipient!,
                Channel = channel,
                Address = address,
                NextDeadline = message.NextDeadline,
                TimeZone = zone,
                Attempt = attempt,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Exponential backoff with jitter: base × 2^(attempt−1), capped, then scaled by a random factor in [0.5, 1).</summary>
    private Duration Backoff(int attempt)
    {
        var exponential = _options.BaseRetryDelay.TotalTicks * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _options.MaxRetryDelay.TotalTicks);
        var jittered = capped * (0.5 + (Random.Shared.NextDouble() / 2));
        return Duration.FromTicks((long)jittered);
    }
}
