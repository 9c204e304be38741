using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// A thread-safe store in memory: for tests and small single-process hosts, and the reference implementation that a
/// store contract will hold the durable stores to. Nothing survives the process.
/// </summary>
/// <remarks>Every method takes one lock, so each is atomic and a commit is one unit of work.</remarks>
/// <example>
/// <code>
/// var store = new InMemoryArrearsStore();
/// var runtime = new ArrearsRuntime(store, policies, clock, [emailNotifier], enforcementHandler, RecipientsAreAddresses.Instance);
/// </code>
/// </example>
public sealed class InMemoryArrearsStore : IArrearsStore, IRecipientDirectory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Row> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Outbox> _outbox = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RecipientContact> _contacts = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>Initializes an empty store.</summary>
    public InMemoryArrearsStore()
    {
    }

    /// <inheritdoc />
    public ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        lock (_lock)
        {
            if (_accounts.TryGetValue(account.Id, out var existing))
            {
                return existing.Registration.SameAs(account)
                    ? ValueTask.FromResult(false)
                    : throw new ArgumentException($"account.id: an account \"{account.Id}\" already exists with a different registration", nameof(account));
            }

            _accounts.Add(account.Id, new Row(account, now));
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_accounts.TryGetValue(account, out var row) ? row.Snapshot() : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_lock)
        {
            var row = Find(account);
            var result = row.Ledger.Append(entries);
            if (result.Added > 0)
            {
                row.Version++;
                row.DueAt = Earliest(row.DueAt, recordedAt);
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(batch);
        ArgumentNullException.ThrowIfNull(usage);
        lock (_lock)
        {
            var row = Find(account);
            if (row.Batches.TryGetValue(batch, out var recorded))
            {
                return recorded.SequenceEqual(usage)
                    ? ValueTask.FromResult(false)
                    : throw new ArgumentException($"batch: usage batch \"{batch}\" of account \"{account}\" was already recorded with other records", nameof(batch));
            }

            row.Batches.Add(batch, [.. usage]);
            if (usage.Count > 0)
            {
                row.Usage.AddRange(usage);
                row.Version++;
                row.DueAt = Earliest(row.DueAt, dueAt);
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredAccount>> ClaimDueAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_lock)
        {
            var claimed = _accounts.Values
                .Where(row => row.DueAt is { } due && due <= now && (row.ClaimedUntil is not { } until || until <= now) &&
                    (row.State.LastEvaluatedAt is not { } last || last <= now))
                .OrderBy(row => row.DueAt!.Value)
                .ThenBy(row => row.Registration.Id, StringComparer.Ordinal)
                .Take(max)
                .ToList();
            foreach (var row in claimed)
            {
                row.ClaimedUntil = now + lease;
            }

            return ValueTask.FromResult<IReadOnlyList<StoredAccount>>([.. claimed.Select(row => row.Snapshot())]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        lock (_lock)
        {
            var row = Find(commit.Account);
            if (row.Version != commit.ExpectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            // Validate everything before changing anything: the charges must fit the ledger.
            row.Ledger.Append(commit.Charges);
            row.State = commit.State;
            row.Transitions.AddRange(commit.Transitions);
            foreach (var message in commit.Outbox)
            {
                if (!_outbox.ContainsKey(message.Key))
                {
                    _outbox.Add(message.Key, new Outbox(new OutboxMessage
                    {
                        Key = message.Key,
                        Account = message.Account,
                        Sequence = ++_sequence,
                        Kind = message.Kind,
                        Notification = message.Notification,
                        Enforcement = message.Enforcement,
                        Product = message.Product,
                        Episode = message.Episode,
                        At = message.At,
                        Balance = message.Balance,
                        Recipient = message.Recipient,
                        Channel = message.Channel,
                        NextDeadline = message.NextDeadline,
                        Currency = message.Currency,
                        TimeZone = message.TimeZone,
                        Status = OutboxStatus.Pending,
                        NextAttemptAt = commit.EvaluatedAt,
                    }));
                }
            }

            row.Version++;
            row.DueAt = commit.DueAt;
            row.NextReviewAt = commit.NextReviewAt;
            row.ClaimedUntil = null;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_lock)
        {
            // An account's messages go in order: one that is not due yet, or held by another dispatcher, holds back the later ones.
            var claimed = new List<Outbox>();
            foreach (var group in _outbox.Values.Where(o => o.Message.Status == OutboxStatus.Pending).GroupBy(o => o.Message.Account, StringComparer.Ordinal))
            {
                foreach (var item in group.OrderBy(o => o.Message.Sequence))
                {
                    if (item.Message.NextAttemptAt > now || (item.ClaimedUntil is { } until && until > now))
                    {
                        break;
                    }

                    claimed.Add(item);
                }
            }

            var result = claimed.OrderBy(o => o.Message.Account, StringComparer.Ordinal).ThenBy(o => o.Message.Sequence).Take(max).ToList();
            foreach (var item in result)
            {
                item.ClaimedUntil = now + lease;
            }

            return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>([.. result.Select(o => o.Message)]);
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_outbox.TryGetValue(key, out var item))
            {
                throw new ArgumentException($"key: no outbox message with key \"{key}\"", nameof(key));
            }

            item.Message = new OutboxMessage
            {
                Key = item.Message.Key,
                Account = item.Message.Account,
                Sequence = item.Message.Sequence,
                Kind = item.Message.Kind,
                Notification = item.Message.Notification,
                Enforcement = item.Message.Enforcement,
                Product = item.Message.Product,
                Episode = item.Message.Episode,
                At = item.Message.At,
                Balance = item.Message.Balance,
                Recipient = item.Message.Recipient,
                Channel = item.Message.Channel,
                NextDeadline = item.Message.NextDeadline,
                Currency = item.Message.Currency,
                TimeZone = item.Message.TimeZone,
                Status = status,
                Attempts = attempts,
                NextAttemptAt = nextAttemptAt,
                LastError = lastError,
            };
            item.ClaimedUntil = null;
            return ValueTask.CompletedTask;
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(
                [.. _outbox.Values.Select(o => o.Message).Where(query.Matches).OrderBy(m => m.Sequence).Take(query.Max)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<TransitionRecord>>([.. Find(account).Transitions]);
        }
    }

    /// <inheritdoc />
    public ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        lock (_lock)
        {
            // Check everything before changing anything, so a bad import applies nothing.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var import in accounts)
            {
                ArgumentNullException.ThrowIfNull(import, nameof(accounts));
                var id = import.Registration.Id;
                if (!seen.Add(id))
                {
                    throw new ArgumentException($"accounts: account \"{id}\" appears more than once", nameof(accounts));
                }

                if (!_accounts.TryGetValue(id, out var row))
                {
                    continue;
                }

                foreach (var entry in import.Entries)
                {
                    if (row.Ledger.TryGetEntry(entry.Id, out var existing) && !existing.Equals(entry))
                    {
                        throw new ArgumentException($"account \"{id}\": entries: entry \"{entry.Id}\" already exists with other content", nameof(accounts));
                    }
                }

                if (import.UsageBatch is { } batch && row.Batches.TryGetValue(batch, out var recorded) && !recorded.SequenceEqual(import.Usage))
                {
                    throw new ArgumentException($"account \"{id}\": usage: batch \"{batch}\" was already recorded with other records", nameof(accounts));
                }

                if (!import.Registration.Currency.Equals(row.Registration.Currency) || import.Registration.OpeningBalance != row.Registration.OpeningBalance)
                {
                    throw new ArgumentException($"account \"{id}\": account.currency and account.openingBalance cannot change once the ledger exists", nameof(accounts));
                }
            }

            int created = 0, updated = 0, entries = 0, usage = 0;
            foreach (var import in accounts)
            {
                var id = import.Registration.Id;
                var isNew = !_accounts.TryGetValue(id, out var row);
                if (row is null)
                {
                    row = new Row(import.Registration, import.DueAt);
                    _accounts.Add(id, row);
                }

                var changed = !row.Registration.SameAs(import.Registration);
                row.Registration = import.Registration;
                var added = row.Ledger.Append(import.Entries).Added;
                entries += added;
                changed |= added > 0;
                if (import.UsageBatch is { } batch && row.Batches.TryAdd(batch, [.. import.Usage]))
                {
                    row.Usage.AddRange(import.Usage);
                    usage += import.Usage.Count;
                    changed = true;
                }

                foreach (var (recipient, contact) in import.Contacts)
                {
                    changed |= !_contacts.TryGetValue(recipient, out var old) || old.Email != contact.Email || old.Phone != contact.Phone;
                    _contacts[recipient] = contact;
                }

                if (isNew)
                {
                    created++;
                }
                else if (changed)
                {
                    updated++;
                    row.Version++;
                    row.DueAt = Earliest(row.DueAt, import.DueAt);
                }
            }

            return ValueTask.FromResult(new ImportResult(created, updated, entries, usage));
        }
    }

    /// <inheritdoc />
    public ValueTask<RecipientContact?> FindAsync(string recipient, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_contacts.GetValueOrDefault(recipient));
        }
    }

    /// <inheritdoc />
    public ValueTask<Instant?> NextDueAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Instant? next = null;
            foreach (var row in _accounts.Values)
            {
                if (row.DueAt is { } due)
                {
                    next = Earliest(next, row.ClaimedUntil is { } until && until > due ? until : due);
                }
            }

            // Only an account's first pending message can be attempted next: the later ones wait behind it.
            foreach (var group in _outbox.Values.Where(o => o.Message.Status == OutboxStatus.Pending).GroupBy(o => o.Message.Account, StringComparer.Ordinal))
            {
                var first = group.MinBy(o => o.Message.Sequence)!;
                var at = first.ClaimedUntil is { } until && until > first.Message.NextAttemptAt ? until : first.Message.NextAttemptAt;
                next = Earliest(next, at);
            }

            return ValueTask.FromResult(next);
        }
    }

    private static Instant Earliest(Instant? a, Instant b) => a is { } value && value < b ? value : b;

    private Row Find(string account) =>
        _accounts.TryGetValue(account, out var row) ? row : throw new ArgumentException($"account: no account \"{account}\"", nameof(account));

    private sealed class Row(AccountRegistration registration, Instant now)
    {
        public AccountRegistration Registration { get; set; } = registration;

        public Ledger Ledger { get; } = new(registration.Currency, registration.OpeningBalance);

        public List<UsageRecord> Usage { get; } = [];

        public Dictionary<string, UsageRecord[]> Batches { get; } = new(StringComparer.Ordinal);

        public List<TransitionRecord> Transitions { get; } = [];

        public AccountState State { get; set; }

        public long Version { get; set; } = 1;

        public Instant? DueAt { get; set; } = now;

        public Instant? ClaimedUntil { get; set; }

        public Instant? NextReviewAt { get; set; }

        public StoredAccount Snapshot()
        {
            var copy = new Ledger(Registration.Currency, Registration.OpeningBalance);
            copy.Append(Ledger.Entries);
            return new StoredAccount(Registration, State, Version, DueAt, copy, [.. Usage], NextReviewAt);
        }
    }

    private sealed class Outbox(OutboxMessage message)
    {
        public OutboxMessage Message { get; set; } = message;

        public Instant? ClaimedUntil { get; set; }
    }
}
