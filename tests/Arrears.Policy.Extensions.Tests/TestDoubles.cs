using Arrears.Policy.Billing;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Arrears.Policy.Extensions.Tests;

/// <summary>Records items and completes waiters whose condition an item meets, so tests wait on events, never on time.</summary>
internal sealed class Recorder<T>
{
    /// <summary>How long a test waits for an event before it fails: generous, because the machine may be busy.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<T, bool> Condition, TaskCompletionSource<T> Signal)> _waiters = [];

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }
    }

    public void Add(T item)
    {
        List<TaskCompletionSource<T>> completed = [];
        lock (_lock)
        {
            _items.Add(item);
            foreach (var waiter in _waiters.Where(waiter => waiter.Condition(item)).ToList())
            {
                _waiters.Remove(waiter);
                completed.Add(waiter.Signal);
            }
        }

        completed.ForEach(signal => signal.TrySetResult(item));
    }

    /// <summary>Returns the first item, recorded or to come, that meets the condition; fails after <see cref="Timeout"/>.</summary>
    public Task<T> WaitForAsync(Func<T, bool> condition)
    {
        lock (_lock)
        {
            if (_items.FirstOrDefault(condition) is { } found)
            {
                return Task.FromResult(found);
            }

            var signal = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, signal));
            return signal.Task.WaitAsync(Timeout);
        }
    }
}

/// <summary>A notifier for one channel that records what it delivers.</summary>
internal sealed class RecordingNotifier(string channel, ContactKind contact = ContactKind.Email) : INotifier
{
    public Recorder<NotificationDelivery> Deliveries { get; } = new();

    public string Channel => channel;

    public ContactKind Contact => contact;

    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        Deliveries.Add(delivery);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}

/// <summary>A notifier whose first attempt at every notification fails transiently; later attempts deliver.</summary>
internal sealed class FirstAttemptFailsNotifier(string channel, ContactKind contact = ContactKind.Email) : INotifier
{
    public Recorder<NotificationDelivery> Attempts { get; } = new();

    public string Channel => channel;

    public ContactKind Contact => contact;

    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        Attempts.Add(delivery);
        return ValueTask.FromResult(delivery.Attempt == 1 ? DeliveryResult.Transient("the provider is busy") : DeliveryResult.Delivered);
    }
}

/// <summary>The <c>Email</c> notifier of the tests, as a type the container creates.</summary>
internal sealed class EmailNotifier : INotifier
{
    public string Channel => "Email";

    public ContactKind Contact => ContactKind.Email;

    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken) => ValueTask.FromResult(DeliveryResult.Delivered);
}

/// <summary>The <c>SMS</c> notifier of the tests, as a type the container creates.</summary>
internal sealed class SmsNotifier : INotifier
{
    public string Channel => "SMS";

    public ContactKind Contact => ContactKind.Phone;

    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken) => ValueTask.FromResult(DeliveryResult.Delivered);
}

/// <summary>An enforcement handler that records the actions it carries out.</summary>
internal sealed class RecordingEnforcement : IEnforcementHandler
{
    public Recorder<EnforcementAction> Actions { get; } = new();

    public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
    {
        Actions.Add(action);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}

/// <summary>A store type for replacement tests: the in-memory store under another name.</summary>
internal sealed class OtherStore : IArrearsStore
{
    private readonly InMemoryArrearsStore _inner = new();

    public ValueTask<bool> AddAccountAsync(AccountRegistration account, NodaTime.Instant now, CancellationToken cancellationToken) => _inner.AddAccountAsync(account, now, cancellationToken);

    public ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken) => _inner.FindAccountAsync(account, cancellationToken);

    public ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, NodaTime.Instant recordedAt, CancellationToken cancellationToken) => _inner.AppendEntriesAsync(account, entries, recordedAt, cancellationToken);

    public ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<Billing.UsageRecord> usage, NodaTime.Instant dueAt, CancellationToken cancellationToken) => _inner.RecordUsageAsync(account, batch, usage, dueAt, cancellationToken);

    public ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, NodaTime.Instant recordedAt, CancellationToken cancellationToken) =>
        _inner.AddHoldFactsAsync(account, holds, revocations, recordedAt, cancellationToken);

    public ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken) => _inner.HoldsAsync(account, cancellationToken);

    public ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(NodaTime.Instant now, int max, NodaTime.Duration lease, CancellationToken cancellationToken) => _inner.ClaimDueAsync(now, max, lease, cancellationToken);

    public ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken) => _inner.CommitAsync(commit, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(NodaTime.Instant now, int max, NodaTime.Duration lease, CancellationToken cancellationToken) => _inner.ClaimOutboxAsync(now, max, lease, cancellationToken);

    public ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, NodaTime.Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken) => _inner.CompleteOutboxAsync(key, status, attempts, nextAttemptAt, lastError, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken) => _inner.QueryOutboxAsync(query, cancellationToken);

    public ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken) => _inner.ImportAsync(accounts, cancellationToken);

    public ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken) => _inner.HistoryAsync(account, cancellationToken);

    public ValueTask<NodaTime.Instant?> NextDueAsync(CancellationToken cancellationToken) => _inner.NextDueAsync(cancellationToken);
}

/// <summary>One log entry as a provider saw it.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>A logger provider that keeps every entry, at every level, and lets a test wait for one.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly Recorder<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.Items;

    public Task<LogEntry> WaitForAsync(int eventId) => _entries.WaitForAsync(entry => entry.EventId.Id == eventId);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, Recorder<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Add(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}

/// <summary>An empty in-memory store that always reports work due in the past, which no pass can claim.</summary>
internal sealed class AlwaysDueStore : IArrearsStore
{
    public static readonly Instant Due = TestHost.Start - Duration.FromHours(1);

    private readonly InMemoryArrearsStore _inner = new();

    public ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken) => _inner.AddAccountAsync(account, now, cancellationToken);

    public ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken) => _inner.FindAccountAsync(account, cancellationToken);

    public ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken) =>
        _inner.AppendEntriesAsync(account, entries, recordedAt, cancellationToken);

    public ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken) =>
        _inner.RecordUsageAsync(account, batch, usage, dueAt, cancellationToken);

    public ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, NodaTime.Instant recordedAt, CancellationToken cancellationToken) =>
        _inner.AddHoldFactsAsync(account, holds, revocations, recordedAt, cancellationToken);

    public ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken) => _inner.HoldsAsync(account, cancellationToken);

    public ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken) => _inner.ClaimDueAsync(now, max, lease, cancellationToken);

    public ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken) => _inner.CommitAsync(commit, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken) => _inner.ClaimOutboxAsync(now, max, lease, cancellationToken);

    public ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken) =>
        _inner.CompleteOutboxAsync(key, status, attempts, nextAttemptAt, lastError, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken) => _inner.QueryOutboxAsync(query, cancellationToken);

    public ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken) => _inner.ImportAsync(accounts, cancellationToken);

    public ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken) => _inner.HistoryAsync(account, cancellationToken);

    public ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Instant?>(Due);
}
