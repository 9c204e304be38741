using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// A thread-safe store in memory: for tests and single-process hosts, and the reference implementation that the store
/// contract holds the durable stores to. Nothing survives the process.
/// </summary>
/// <remarks>
/// <para>Every method takes one lock, so each is atomic and a commit is one unit of work.</para>
/// <para>
/// It is built for millions of accounts: accounts are rows in one array, found by id through one dictionary; ledgers are
/// kept compactly (instants and running balances in contiguous arrays, the rest of each entry as bytes) and handed to
/// evaluators as immutable snapshots, without copying; a due index (a heap ordered by due instant, and one by lease
/// expiry) means claiming due accounts and finding the next due instant never look at accounts that are not due; pending
/// outbox messages are indexed by account. What a commit replaces is written at the end of append-only storage rather
/// than into the account's row, so the collector's young collections stay short at that scale (decision 0018).
/// </para>
/// <para>
/// Accounts due at the same instant are claimed in the order they were registered (the durable stores take them by id).
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var store = new InMemoryArrearsStore();
/// var runtime = new ArrearsRuntime(store, policies, clock, [emailNotifier], enforcementHandler, RecipientsAreAddresses.Instance);
/// </code>
/// </example>
public sealed class InMemoryArrearsStore : IArrearsStore, IRecipientDirectory
{
    private const int MaxInternedLifecycles = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    // The outbox: a row of values per message, in write order (a message's position is its sequence less one), in chunks, so
    // growing never copies it and a message is no object of its own for the collector to promote; messages are built from
    // their rows when read. The keys are text in the key index, at the same positions, not strings (see OutboxKeyIndex).
    private readonly OutboxKeyIndex _outboxKeys = new();
    private readonly ChunkedList<OutboxRow> _outboxRows = new();

    // Each account's pending messages, as positions in the outbox (values: appending one to an old queue marks no card).
    // Found by hash on every commit that writes messages; the accounts' order (the order claims take them in) is kept apart,
    // changed only when an account's first message arrives or its last leaves (a sorted dictionary walked a tree of string
    // comparisons on every commit, a cache miss or two per level with a hundred thousand accounts pending).
    private readonly Dictionary<string, List<int>> _pending = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _pendingAccounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RecipientContact> _contacts = new(StringComparer.Ordinal);
    private readonly Dictionary<ProductLifecycle, ProductLifecycle[]> _lifecycles = [];
    private readonly Heap _due;
    private readonly Heap _leased;
    private Row[] _rows = new Row[16];

    // Each row's position in the due heap (not claimed) or the lease heap (claimed), or -1: apart from the rows, so the heap's
    // moves write into a dense array of 4 bytes a row rather than into rows of a hundred bytes scattered over memory.
    private int[] _heapSlots = new int[16];

    // The objects a commit or an append replaces (a row's ledger snapshot, its state's lifecycle array) are kept in slots written
    // only at the end, and a row holds their slot numbers: a reference to a new object stored into each old row would mark a card
    // per account for every young collection to scan (see AppendOnlySlots).
    private AppendOnlySlots<object> _ledgers;
    private AppendOnlySlots<ProductLifecycle[]> _lifecycleArrays;

    // Every account's audit trail in one append-only list (each record with the 1-based position of its account's record before,
    // 0 for none): a commit's records are appended at the end instead of into a list per account, so the references to new
    // records sit in the tail of one array rather than on a card of each account's old array, which every young collection
    // would scan (on 1M accounts a gen0 collection paused tens of milliseconds scanning those cards).
    private readonly ChunkedList<TransitionRecord> _transitions = new();
    private readonly List<int> _transitionBefore = [];
    private int _count;

    /// <summary>Initializes an empty store.</summary>
    public InMemoryArrearsStore()
        : this(compactAbove: 1 << 16)
    {
    }

    /// <summary>Initializes an empty store whose slots are compacted once more than <paramref name="compactAbove"/> are cleared (tests set it low).</summary>
    internal InMemoryArrearsStore(int compactAbove)
    {
        _ledgers = new AppendOnlySlots<object>(compactAbove);
        _lifecycleArrays = new AppendOnlySlots<ProductLifecycle[]>(compactAbove);
        _due = new Heap(this, leases: false);
        _leased = new Heap(this, leases: true);
    }

    /// <summary>Gets the number of accounts.</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Makes room for <paramref name="accounts"/> accounts in all (for hosts and benchmarks that load many at once).</summary>
    internal void Reserve(int accounts)
    {
        lock (_lock)
        {
            if (_rows.Length < accounts)
            {
                Array.Resize(ref _rows, accounts);
                Array.Resize(ref _heapSlots, accounts);
            }

            _ids.EnsureCapacity(accounts);
            _due.Reserve(accounts);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AddAccountAsync(AccountRegistration account, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        lock (_lock)
        {
            if (_ids.TryGetValue(account.Id, out var existing))
            {
                return _rows[existing].Registration.SameAs(account)
                    ? ValueTask.FromResult(false)
                    : throw new ArgumentException($"account.id: an account \"{account.Id}\" already exists with a different registration", nameof(account));
            }

            Add(account, now);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<StoredAccount?> FindAccountAsync(string account, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_ids.TryGetValue(account, out var index) ? Snapshot(index) : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<AppendResult> AppendEntriesAsync(string account, IReadOnlyList<LedgerEntry> entries, Instant recordedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_lock)
        {
            var index = Find(account);
            var result = Append(ref _rows[index], entries);
            if (result.Added > 0)
            {
                _rows[index].Version++;
                MakeDue(index, recordedAt);
                CompactSlots();
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, Instant recordedAt, CancellationToken cancellationToken)
    {
        var records = Stores.HoldFacts.Records(holds, revocations, recordedAt);
        lock (_lock)
        {
            var index = Find(account);
            ref var row = ref _rows[index];
            var added = Stores.HoldFacts.New(account, row.Extras?.HoldRecords ?? [], records);
            if (added.Count == 0)
            {
                return ValueTask.FromResult(default(HoldFactsResult));
            }

            (row.Extras ??= new Extras()).AddHolds(added);
            row.Version++;
            MakeDue(index, recordedAt);
            var granted = added.Count(r => r.Hold is not null);
            return ValueTask.FromResult(new HoldFactsResult(granted, added.Count - granted));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<HoldRecord>>(_rows[Find(account)].Extras?.HoldRecords ?? []);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RecordUsageAsync(string account, string batch, IReadOnlyList<UsageRecord> usage, Instant dueAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(batch);
        ArgumentNullException.ThrowIfNull(usage);
        lock (_lock)
        {
            var index = Find(account);
            ref var row = ref _rows[index];
            if (row.Extras?.Batches.TryGetValue(batch, out var recorded) == true)
            {
                return recorded.SequenceEqual(usage)
                    ? ValueTask.FromResult(false)
                    : throw new ArgumentException($"batch: usage batch \"{batch}\" of account \"{account}\" was already recorded with other records", nameof(batch));
            }

            var extras = row.Extras ??= new Extras();
            extras.Batches.Add(batch, [.. usage]);
            if (usage.Count > 0)
            {
                extras.AddUsage(usage);

                // Usage for a cycle that closed before the last rating must be rated again from the start.
                if (extras.RatedThrough is { } rated && dueAt <= rated)
                {
                    extras.RatedThrough = null;
                }

                row.Version++;
                MakeDue(index, dueAt);
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
            // Claims whose lease expired go back to the due index.
            while (_leased.Count > 0 && _leased.PeekInstant() <= now)
            {
                var index = _leased.Pop();
                _rows[index].ClaimedUntil = null;
                _due.Push(index);
            }

            List<int>? evaluatedLater = null;
            var claimed = new List<StoredAccount>(Math.Min(max, _due.Count));
            while (claimed.Count < max && _due.Count > 0 && _due.PeekInstant() <= now)
            {
                var index = _due.Pop();
                ref var row = ref _rows[index];
                if (row.LastEvaluatedAt is { } last && last > now)
                {
                    (evaluatedLater ??= []).Add(index);
                    continue;
                }

                row.ClaimedUntil = now + lease;
                _leased.Push(index);
                claimed.Add(Snapshot(index));
            }

            foreach (var index in evaluatedLater ?? [])
            {
                _due.Push(index);
            }

            return ValueTask.FromResult<IReadOnlyList<StoredAccount>>(claimed);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CommitAsync(EvaluationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        lock (_lock)
        {
            return ValueTask.FromResult(Commit(commit));
        }
    }

    /// <inheritdoc />
    /// <remarks>The whole batch is saved under the store's one lock, taken once.</remarks>
    public ValueTask<IReadOnlyList<CommitResult>> CommitAsync(IReadOnlyList<EvaluationCommit> commits, CancellationToken cancellationToken)
    {
        StoreBatches.Check(commits);
        var results = new CommitResult[commits.Count];
        lock (_lock)
        {
            for (var i = 0; i < results.Length; i++)
            {
                try
                {
                    results[i] = Commit(commits[i]) ? CommitResult.Saved : CommitResult.Stale;
                }
                catch (ArgumentException ex)
                {
                    // Nothing of this commit was applied (it is checked before anything changes); the others go on.
                    results[i] = CommitResult.Failed(ex);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<CommitResult>>(results);
    }

    /// <summary>Saves one commit under the lock: checks everything first, so a refused commit changes nothing.</summary>
    private bool Commit(EvaluationCommit commit)
    {
        var index = Find(commit.Account);
        ref var row = ref _rows[index];
        if (row.Version != commit.ExpectedVersion)
        {
            return false;
        }

        // Validate everything before changing anything: the charges must fit the ledger.
        Append(ref row, commit.Charges);
        SetState(ref row, commit.State);
        if (commit.Transitions.Count > 0)
        {
            // An account with a transition keeps what the commit rated through (below), as when its trail lived in its extras.
            row.Extras ??= new Extras();
            var transitions = commit.Transitions;
            for (var i = 0; i < transitions.Count; i++)
            {
                _transitionBefore.Add(row.LastTransition);
                _transitions.Add(transitions[i]);
                row.LastTransition = _transitions.Count;
            }
        }

        if (row.Extras is { } extras)
        {
            extras.RatedThrough = commit.RatedThrough;
        }

        // One lookup of the account's pending queue per commit (its messages are all the account's), one of each key.
        List<int>? queue = null;
        var outbox = commit.Outbox;
        for (var m = 0; m < outbox.Count; m++)
        {
            var message = outbox[m];
            if (_outboxKeys.TryAdd(message.Key, out var position))
            {
                var added = _outboxRows.Add(new OutboxRow(message, commit.EvaluatedAt));
                System.Diagnostics.Debug.Assert(added == position, "the outbox's rows and keys share their positions");
                AddPending(message.Account, position, ref queue);
            }
        }

        row.Version++;
        row.NextReviewAt = commit.NextReviewAt;
        if (row.ClaimedUntil is not null)
        {
            _leased.Remove(index);
            row.ClaimedUntil = null;
        }
        else
        {
            _due.Remove(index);
        }

        row.DueAt = commit.DueAt;
        if (row.DueAt is not null)
        {
            _due.Push(index);
        }

        CompactSlots();
        return true;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(Instant now, int max, Duration lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_lock)
        {
            // By account, then in each account's order: one that is not due yet, or held by another dispatcher, holds back the later ones.
            var claimed = new List<OutboxMessage>();
            foreach (var account in _pendingAccounts)
            {
                foreach (var position in _pending[account])
                {
                    ref var row = ref _outboxRows[position];
                    if (row.NextAttemptAt > now || (row.ClaimedUntil is { } until && until > now))
                    {
                        break;
                    }

                    row.ClaimedUntil = now + lease;
                    claimed.Add(row.ToMessage(position, _outboxKeys.KeyAt(position)));
                    if (claimed.Count == max)
                    {
                        return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(claimed);
                    }
                }
            }

            return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(claimed);
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteOutboxAsync(string key, OutboxStatus status, int attempts, Instant nextAttemptAt, string? lastError, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var position = _outboxKeys.Find(key);
            if (position < 0)
            {
                throw new ArgumentException($"key: no outbox message with key \"{key}\"", nameof(key));
            }

            ref var row = ref _outboxRows[position];
            var wasPending = row.Status == OutboxStatus.Pending;
            row.Status = status;
            row.Attempts = attempts;
            row.NextAttemptAt = nextAttemptAt;
            row.LastError = lastError;
            row.ClaimedUntil = null;
            if (wasPending && status != OutboxStatus.Pending)
            {
                RemovePending(row.Account, position);
            }
            else if (!wasPending && status == OutboxStatus.Pending)
            {
                List<int>? queue = null;
                AddPending(row.Account, position, ref queue);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(OutboxQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            // Kept in write order, so the page starts after the first message past the position.
            var result = new List<OutboxMessage>();
            var start = FirstAfter(query.After);
            for (var i = start; i < _outboxRows.Count && result.Count < query.Max; i++)
            {
                // The query's status and account are checked on the row first, so only the messages returned are built.
                ref readonly var row = ref _outboxRows[i];
                if ((query.Status is { } status && row.Status != status) ||
                    (query.Account is not null && !string.Equals(row.Account, query.Account, StringComparison.Ordinal)))
                {
                    continue;
                }

                var message = row.ToMessage(i, _outboxKeys.KeyAt(i));
                if (query.Matches(message))
                {
                    result.Add(message);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TransitionRecord>> HistoryAsync(string account, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var last = _rows[Find(account)].LastTransition;
            var count = 0;
            for (var at = last; at > 0; at = _transitionBefore[at - 1])
            {
                count++;
            }

            var history = new TransitionRecord[count];
            for (var at = last; at > 0; at = _transitionBefore[at - 1])
            {
                history[--count] = _transitions[at - 1];
            }

            return ValueTask.FromResult<IReadOnlyList<TransitionRecord>>(history);
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

                if (!_ids.TryGetValue(id, out var index))
                {
                    continue;
                }

                ref var row = ref _rows[index];
                foreach (var entry in import.Entries)
                {
                    if (TryGetEntry(_ledgers[row.Ledger], entry.Id, out var existing) && !existing.Equals(entry))
                    {
                        throw new ArgumentException($"account \"{id}\": entries: entry \"{entry.Id}\" already exists with other content", nameof(accounts));
                    }
                }

                if (import.UsageBatch is { } batch && row.Extras?.Batches.TryGetValue(batch, out var recorded) == true && !recorded.SequenceEqual(import.Usage))
                {
                    throw new ArgumentException($"account \"{id}\": usage: batch \"{batch}\" was already recorded with other records", nameof(accounts));
                }

                if (!import.Registration.Currency.Equals(row.Registration.Currency) || import.Registration.OpeningBalance != row.Registration.OpeningBalance)
                {
                    throw new ArgumentException($"account \"{id}\": account.currency and account.openingBalance cannot change once the ledger exists", nameof(accounts));
                }
            }

            // Hold facts, checked for every account (a new account's revocations must name its own holds).
            var newHolds = new List<HoldRecord>?[accounts.Count];
            for (var i = 0; i < accounts.Count; i++)
            {
                var import = accounts[i];
                if (import.Holds.Count > 0)
                {
                    var stored = _ids.TryGetValue(import.Registration.Id, out var index) ? _rows[index].Extras?.HoldRecords ?? [] : [];
                    newHolds[i] = Stores.HoldFacts.New(import.Registration.Id, stored, import.Holds, import: true);
                }
            }

            int created = 0, updated = 0, entries = 0, usage = 0, holds = 0;
            for (var i = 0; i < accounts.Count; i++)
            {
                var import = accounts[i];
                var id = import.Registration.Id;
                var isNew = !_ids.TryGetValue(id, out var index);
                if (isNew)
                {
                    index = Add(import.Registration, import.DueAt);
                }

                ref var row = ref _rows[index];
                var changed = !row.Registration.SameAs(import.Registration);
                row.Registration = import.Registration;
                var added = Append(ref row, import.Entries).Added;
                entries += added;
                changed |= added > 0;
                if (import.UsageBatch is { } batch && row.Extras?.Batches.ContainsKey(batch) != true)
                {
                    var extras = row.Extras ??= new Extras();
                    extras.Batches.Add(batch, [.. import.Usage]);
                    extras.AddUsage(import.Usage);
                    extras.RatedThrough = null;
                    usage += import.Usage.Count;
                    changed = true;
                }

                if (newHolds[i] is { Count: > 0 } newRecords)
                {
                    (row.Extras ??= new Extras()).AddHolds(newRecords);
                    holds += newRecords.Count;
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
                    MakeDue(index, import.DueAt);
                }
            }

            CompactSlots();
            return ValueTask.FromResult(new ImportResult(created, updated, entries, usage, holds));
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
            if (_due.Count > 0)
            {
                next = _rows[_due.Peek()].DueAt;
            }

            if (_leased.Count > 0)
            {
                // A claimed account is due again when its lease expires (its due instant is never later than that).
                ref var row = ref _rows[_leased.Peek()];
                var until = row.ClaimedUntil!.Value;
                next = Earliest(next, row.DueAt is { } due && due > until ? due : until);
            }

            // Only an account's first pending message can be attempted next: the later ones wait behind it.
            foreach (var queue in _pending.Values)
            {
                ref var first = ref _outboxRows[queue[0]];
                var at = first.ClaimedUntil is { } until && until > first.NextAttemptAt ? until : first.NextAttemptAt;
                next = Earliest(next, at);
            }

            return ValueTask.FromResult(next);
        }
    }

    /// <summary>Returns the managed bytes the accounts' rows and ledgers take, for footprint reports (not counting registrations).</summary>
    internal long LedgerBytes()
    {
        lock (_lock)
        {
            long bytes = 0;
            for (var i = 0; i < _count; i++)
            {
                bytes += _ledgers[_rows[i].Ledger] is CompactLedger compact ? compact.ArrayBytes : 0;
            }

            return bytes;
        }
    }

    private static Instant Earliest(Instant? a, Instant b) => a is { } value && value < b ? value : b;

    private static bool TryGetEntry(object ledger, string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LedgerEntry? entry) =>
        ledger is CompactLedger compact ? compact.TryGetEntry(id, out entry) : ((Ledger)ledger).TryGetEntry(id, out entry);

    /// <summary>Appends to a row's ledger; a ledger whose entries do not fit the compact layout becomes a <see cref="Ledger"/>.</summary>
    private AppendResult Append(ref Row row, IReadOnlyList<LedgerEntry> entries)
    {
        if (entries.Count == 0)
        {
            return default;
        }

        var ledger = _ledgers[row.Ledger];
        if (ledger is CompactLedger compact)
        {
            if (compact.Append(entries, out var result) is { } next)
            {
                row.Ledger = _ledgers.Replace(row.Ledger, next);
                return result;
            }

            var wide = compact.ToLedger();
            result = wide.Append(entries);
            row.Ledger = _ledgers.Replace(row.Ledger, wide);
            return result;
        }

        return ((Ledger)ledger).Append(entries);
    }

    /// <summary>The state a row holds.</summary>
    private AccountState StateOf(ref readonly Row row) => row.Lifecycles >= 0
        ? AccountState.Wrap(_lifecycleArrays[row.Lifecycles], row.AlarmArmed, row.LastEvaluatedAt)
        : row.AlarmArmed || row.LastEvaluatedAt is not null ? AccountState.Wrap([], row.AlarmArmed, row.LastEvaluatedAt) : AccountState.Initial;

    /// <summary>Saves a state into a row: its lifecycle array (shared when it is one Active lifecycle) in a slot, the rest in the row.</summary>
    private void SetState(ref Row row, AccountState state)
    {
        var lifecycles = Intern(state.LifecycleArray);
        if (lifecycles.Length == 0)
        {
            if (row.Lifecycles >= 0)
            {
                _lifecycleArrays.Clear(row.Lifecycles);
                row.Lifecycles = -1;
            }
        }
        else
        {
            row.Lifecycles = row.Lifecycles < 0 ? _lifecycleArrays.Add(lifecycles) : _lifecycleArrays.Replace(row.Lifecycles, lifecycles);
        }

        row.AlarmArmed = state.AlarmArmed;
        row.LastEvaluatedAt = state.LastEvaluatedAt;
    }

    /// <summary>
    /// Moves the live ledgers and lifecycle arrays to new slots when more than half of either's are cleared, renumbering the rows
    /// (after a pass that replaced many, for example): the cleared slots cost 8 bytes each until then.
    /// </summary>
    private void CompactSlots()
    {
        if (_ledgers.NeedsCompaction)
        {
            var fresh = new AppendOnlySlots<object>(_ledgers.CompactAbove);
            for (var i = 0; i < _count; i++)
            {
                _rows[i].Ledger = fresh.Add(_ledgers[_rows[i].Ledger]);
            }

            _ledgers = fresh;
        }

        if (_lifecycleArrays.NeedsCompaction)
        {
            var fresh = new AppendOnlySlots<ProductLifecycle[]>(_lifecycleArrays.CompactAbove);
            for (var i = 0; i < _count; i++)
            {
                if (_rows[i].Lifecycles >= 0)
                {
                    _rows[i].Lifecycles = fresh.Add(_lifecycleArrays[_rows[i].Lifecycles]);
                }
            }

            _lifecycleArrays = fresh;
        }
    }

    private int Add(AccountRegistration registration, Instant dueAt)
    {
        if (_count == _rows.Length)
        {
            Array.Resize(ref _rows, _rows.Length * 2);
            Array.Resize(ref _heapSlots, _rows.Length);
        }

        var index = _count++;
        _heapSlots[index] = -1;
        _rows[index] = new Row
        {
            Registration = registration,
            Ledger = _ledgers.Add(CompactLedger.Empty(registration.Currency, registration.OpeningBalance)),
            Lifecycles = -1,
            Version = 1,
            DueAt = dueAt,
        };
        _ids.Add(registration.Id, index);
        _due.Push(index);
        return index;
    }

    /// <summary>Makes an account due no later than <paramref name="at"/>, keeping the due index in step.</summary>
    private void MakeDue(int index, Instant at)
    {
        ref var row = ref _rows[index];
        if (row.DueAt is { } due && due <= at)
        {
            return;
        }

        var wasDue = row.DueAt is not null;
        row.DueAt = at;
        if (row.ClaimedUntil is not null)
        {
            return;
        }

        if (wasDue)
        {
            _due.MovedEarlier(index);
        }
        else
        {
            _due.Push(index);
        }
    }

    private StoredAccount Snapshot(int index)
    {
        ref var row = ref _rows[index];
        var extras = row.Extras;
        var usage = extras is { UsageCount: > 0 } ? new ArraySegment<UsageRecord>(extras.Usage, 0, extras.UsageCount) : (IReadOnlyList<UsageRecord>)Array.Empty<UsageRecord>();
        var state = StateOf(in row);
        var stored = _ledgers[row.Ledger];
        if (stored is CompactLedger compact)
        {
            // The hold set is built once when the holds change and shared by every snapshot: an account without holds passes
            // HoldSet.Empty and allocates nothing for them.
            return extras is { HoldRecords.Length: > 0 }
                ? new StoredAccount(row.Registration, state, row.Version, row.DueAt, compact, usage, row.NextReviewAt, extras.RatedThrough, extras.Holds, extras.HoldRecords, extras.LastHoldRecordedAt)
                : new StoredAccount(row.Registration, state, row.Version, row.DueAt, compact, usage, row.NextReviewAt, extras?.RatedThrough, HoldSet.Empty, [], null);
        }

        var ledger = (Ledger)stored;
        var copy = new Ledger(row.Registration.Currency, row.Registration.OpeningBalance);
        copy.Append(ledger.Entries);
        return new StoredAccount(row.Registration, state, row.Version, row.DueAt, copy, usage, row.NextReviewAt, extras?.HoldRecords);
    }

    /// <summary>Shares one lifecycle array among the many states that hold the same single Active lifecycle.</summary>
    private ProductLifecycle[] Intern(ProductLifecycle[] lifecycles)
    {
        if (lifecycles.Length != 1 || lifecycles[0].Status != LifecycleStatus.Active)
        {
            return lifecycles;
        }

        if (!_lifecycles.TryGetValue(lifecycles[0], out var shared))
        {
            if (_lifecycles.Count >= MaxInternedLifecycles)
            {
                return lifecycles;
            }

            shared = [lifecycles[0]];
            _lifecycles.Add(lifecycles[0], shared);
        }

        return shared;
    }

    /// <summary>Adds the message at <paramref name="position"/> to its account's pending queue, <paramref name="queue"/> if already looked up.</summary>
    private void AddPending(string account, int position, ref List<int>? queue)
    {
        if (queue is null && !_pending.TryGetValue(account, out queue))
        {
            queue = [];
            _pending.Add(account, queue);
            _pendingAccounts.Add(account);
        }

        // Positions (and sequences) only grow, so appending keeps each account's queue in order; a message pending again is put back in place.
        var at = queue.Count;
        while (at > 0 && queue[at - 1] > position)
        {
            at--;
        }

        queue.Insert(at, position);
    }

    private void RemovePending(string account, int position)
    {
        var queue = _pending[account];
        queue.Remove(position);
        if (queue.Count == 0)
        {
            _pending.Remove(account);
            _pendingAccounts.Remove(account);
        }
    }

    /// <summary>The position of the first message whose sequence is after <paramref name="sequence"/>: sequences number positions from 1.</summary>
    private int FirstAfter(long sequence) => (int)Math.Clamp(sequence, 0, _outboxRows.Count);

    private int Find(string account) =>
        _ids.TryGetValue(account, out var index) ? index : throw new ArgumentException($"account: no account \"{account}\"", nameof(account));

    /// <summary>One account: a struct in the store's array of rows.</summary>
    private struct Row
    {
        public AccountRegistration Registration;

        /// <summary>
        /// The slot in the store's ledgers of a <see cref="CompactLedger"/> (the immutable current snapshot), or of a
        /// <see cref="Policy.Ledger"/> when the entries do not fit it.
        /// </summary>
        public int Ledger;

        /// <summary>The slot in the store's lifecycle arrays of the state's lifecycles, or -1 before the first evaluation.</summary>
        public int Lifecycles;

        /// <summary>The state's <see cref="AccountState.LastEvaluatedAt"/>.</summary>
        public Instant? LastEvaluatedAt;

        /// <summary>The state's <see cref="AccountState.AlarmArmed"/>.</summary>
        public bool AlarmArmed;

        public long Version;

        public Instant? DueAt;

        public Instant? ClaimedUntil;

        public Instant? NextReviewAt;

        /// <summary>The 1-based position of the account's newest record in the store's audit trail, or 0 for none.</summary>
        public int LastTransition;

        /// <summary>What only some accounts have (usage, the audit trail), created when first needed.</summary>
        public Extras? Extras;
    }

    private sealed class Extras
    {
        public Dictionary<string, UsageRecord[]> Batches { get; } = new(StringComparer.Ordinal);

        /// <summary>The usage, appended only: snapshots share the array and read their own count.</summary>
        public UsageRecord[] Usage { get; private set; } = [];

        public int UsageCount { get; private set; }

        /// <summary>The instant through which every closed cycle's charges are in the ledger (the last evaluator commit), or <see langword="null"/>.</summary>
        public Instant? RatedThrough { get; set; }

        /// <summary>The hold facts in the order recorded: replaced, never changed, so snapshots share it.</summary>
        public HoldRecord[] HoldRecords { get; private set; } = [];

        /// <summary>The hold set of <see cref="HoldRecords"/>, built when they change.</summary>
        public HoldSet Holds { get; private set; } = HoldSet.Empty;

        /// <summary>The latest <see cref="HoldRecord.RecordedAt"/> of <see cref="HoldRecords"/>.</summary>
        public Instant? LastHoldRecordedAt { get; private set; }

        public void AddHolds(IReadOnlyList<HoldRecord> records)
        {
            HoldRecord[] all = [.. HoldRecords, .. records];
            Holds = HoldRecord.ToSet(all);
            HoldRecords = all;
            LastHoldRecordedAt = all.Max(record => record.RecordedAt);
        }

        public void AddUsage(IReadOnlyList<UsageRecord> usage)
        {
            if (UsageCount + usage.Count > Usage.Length)
            {
                var grown = new UsageRecord[Math.Max(UsageCount + usage.Count, Usage.Length * 2)];
                Array.Copy(Usage, grown, UsageCount);
                Usage = grown;
            }

            foreach (var record in usage)
            {
                Usage[UsageCount++] = record;
            }
        }
    }

    /// <summary>
    /// One outbox message as values (the strings it holds are the registration's and the policy's), and its claim; its key is
    /// in the key index, at the same position.
    /// </summary>
    private struct OutboxRow(OutboxMessage message, Instant nextAttemptAt)
    {
        public readonly string Account = message.Account;
        public readonly string? Product = message.Product;
        public readonly string? Recipient = message.Recipient;
        public readonly string? Channel = message.Channel;
        public readonly string Currency = message.Currency;
        public readonly string TimeZone = message.TimeZone;
        public readonly Instant At = message.At;
        public readonly Instant? NextDeadline = message.NextDeadline;
        public readonly decimal Balance = message.Balance;
        public readonly int Episode = message.Episode;
        public readonly OutboxKind Kind = message.Kind;
        public readonly NotificationKind Notification = message.Notification;
        public readonly EnforcementKind Enforcement = message.Enforcement;
        public OutboxStatus Status = OutboxStatus.Pending;
        public int Attempts;
        public Instant NextAttemptAt = nextAttemptAt;
        public string? LastError;
        public Instant? ClaimedUntil;

        /// <summary>The message, with its key and its sequence (its position plus one).</summary>
        public readonly OutboxMessage ToMessage(int position, string key) => new()
        {
            Key = key,
            Account = Account,
            Sequence = position + 1L,
            Kind = Kind,
            Notification = Notification,
            Enforcement = Enforcement,
            Product = Product,
            Episode = Episode,
            At = At,
            Balance = Balance,
            Recipient = Recipient,
            Channel = Channel,
            NextDeadline = NextDeadline,
            Currency = Currency,
            TimeZone = TimeZone,
            Status = Status,
            Attempts = Attempts,
            NextAttemptAt = NextAttemptAt,
            LastError = LastError,
        };
    }

    /// <summary>
    /// An indexed 4-ary min-heap of row indices: the due index orders accounts by due instant and then by registration (the
    /// order claims hand them out in), the lease index by lease expiry. Each row's slot is kept, so a row moves or leaves in
    /// O(log n).
    /// </summary>
    /// <remarks>
    /// Each item carries its row's instant, and a row's index is its place in registration order, so a comparison reads the
    /// heap's own array alone (its upper levels stay in cache). On a million rows, comparing through the rows took a cache
    /// miss or more per comparison, and breaking the many ties by id (the durable stores' order) read two strings scattered
    /// over the heap: half the time of a claim (decision 0018). Four children a node halve the levels a claim walks (each a
    /// cache miss or two on a large heap) for the same number of comparisons.
    /// </remarks>
    private sealed class Heap(InMemoryArrearsStore store, bool leases)
    {
        private Item[] _items = new Item[16];

        public int Count { get; private set; }

        public void Reserve(int capacity)
        {
            if (_items.Length < capacity)
            {
                Array.Resize(ref _items, capacity);
            }
        }

        /// <summary>The first row.</summary>
        public int Peek() => _items[0].Row;

        /// <summary>The first row's instant (due, or lease expiry).</summary>
        public Instant PeekInstant() => _items[0].At;

        public void Push(int row)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }

            _items[Count] = new Item(InstantOf(row), row);
            store._heapSlots[row] = Count;
            Count++;
            Up(Count - 1);
        }

        public int Pop()
        {
            var top = _items[0].Row;
            RemoveAt(0);
            return top;
        }

        /// <summary>Removes a row if it is in this heap.</summary>
        public void Remove(int row)
        {
            var slot = store._heapSlots[row];
            if (slot >= 0 && slot < Count && _items[slot].Row == row)
            {
                RemoveAt(slot);
            }
        }

        /// <summary>Moves a row whose instant became earlier.</summary>
        public void MovedEarlier(int row)
        {
            var slot = store._heapSlots[row];
            _items[slot] = new Item(InstantOf(row), row);
            Up(slot);
        }

        private Instant InstantOf(int row)
        {
            ref var x = ref store._rows[row];
            return leases ? x.ClaimedUntil!.Value : x.DueAt!.Value;
        }

        private void RemoveAt(int slot)
        {
            var removed = _items[slot].Row;
            store._heapSlots[removed] = -1;
            Count--;
            if (slot == Count)
            {
                return;
            }

            _items[slot] = _items[Count];
            store._heapSlots[_items[slot].Row] = slot;
            if (!Up(slot))
            {
                Down(slot);
            }
        }

        private bool Up(int slot)
        {
            var moved = false;
            var item = _items[slot];
            while (slot > 0)
            {
                var parent = (slot - 1) >> 2;
                if (!Less(in item, in _items[parent]))
                {
                    break;
                }

                _items[slot] = _items[parent];
                store._heapSlots[_items[slot].Row] = slot;
                slot = parent;
                moved = true;
            }

            _items[slot] = item;
            store._heapSlots[item.Row] = slot;
            return moved;
        }

        private void Down(int slot)
        {
            var item = _items[slot];
            while (true)
            {
                var first = (4 * slot) + 1;
                if (first >= Count)
                {
                    break;
                }

                var child = first;
                var last = Math.Min(first + 4, Count);
                for (var c = first + 1; c < last; c++)
                {
                    if (Less(in _items[c], in _items[child]))
                    {
                        child = c;
                    }
                }

                if (!Less(in _items[child], in item))
                {
                    break;
                }

                _items[slot] = _items[child];
                store._heapSlots[_items[slot].Row] = slot;
                slot = child;
            }

            _items[slot] = item;
            store._heapSlots[item.Row] = slot;
        }

        private static bool Less(in Item a, in Item b)
        {
            var byInstant = a.At.CompareTo(b.At);
            return byInstant != 0 ? byInstant < 0 : a.Row < b.Row;
        }

        /// <summary>A row and its instant: values only, so the heap's array holds no reference for a collection to scan.</summary>
        private readonly record struct Item(Instant At, int Row);
    }
}
