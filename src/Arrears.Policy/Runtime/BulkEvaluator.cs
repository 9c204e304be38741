using System.Diagnostics;
using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// Claims due accounts batch by batch, evaluates them in parallel (bounded), and commits the batch's decisions at once
/// (<see cref="IArrearsStore.CommitAsync(IReadOnlyList{EvaluationCommit}, CancellationToken)"/>): each account's new state,
/// transitions, rated charges and outbox messages are one unit of work, version-checked on its own; an account whose
/// commit was stale is reloaded and evaluated again.
/// </summary>
internal sealed class BulkEvaluator(IArrearsStore store, AccountPolicyRegistry policies, IClock clock, ArrearsRuntimeOptions options)
{
    public async Task<EvaluationSummary> RunAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var now = clock.GetCurrentInstant();
        var totals = new Totals();
        while (!cancellationToken.IsCancellationRequested)
        {
            using var activity = ArrearsTelemetry.Source.StartActivity("arrears.evaluate.batch");
            var batchWatch = Stopwatch.StartNew();
            var batch = await store.ClaimDueAsync(now, options.BatchSize, options.ClaimLease, cancellationToken).ConfigureAwait(false);
            ArrearsTelemetry.DueBacklog.Record(batch.Count);
            activity?.SetTag("arrears.accounts", batch.Count);
            if (batch.Count == 0)
            {
                break;
            }

            await EvaluateBatchAsync(batch, now, totals, cancellationToken).ConfigureAwait(false);
            ArrearsTelemetry.BatchDuration.Record(batchWatch.Elapsed.TotalSeconds);
            if (batch.Count < options.BatchSize)
            {
                break;
            }
        }

        return totals.ToSummary(Duration.FromTimeSpan(stopwatch.Elapsed));
    }

    /// <summary>
    /// Decides every account of a claimed batch (in parallel: evaluation is pure and CPU-bound), saves the decisions in one
    /// batched commit, then evaluates the accounts whose commit was stale again, one by one, with their new facts.
    /// </summary>
    private async Task EvaluateBatchAsync(IReadOnlyList<StoredAccount> batch, Instant now, Totals totals, CancellationToken cancellationToken)
    {
        var decided = new EvaluationCommit?[batch.Count];
        Parallel.For(
            0,
            batch.Count,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
            i =>
            {
                try
                {
                    decided[i] = Decide(batch[i], now);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The account stays due and claimed until its lease expires; then it is evaluated again.
                    totals.Fail($"account \"{batch[i].Registration.Id}\": {ex.GetType().Name}: {ex.Message}");
                }
            });

        var commits = new List<EvaluationCommit>(batch.Count);
        foreach (var commit in decided)
        {
            if (commit is not null)
            {
                commits.Add(commit);
            }
        }

        if (commits.Count == 0)
        {
            return;
        }

        IReadOnlyList<CommitResult> results;
        try
        {
            results = await store.CommitAsync(commits, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing of the batch is known to be saved: every account stays claimed until its lease expires.
            foreach (var commit in commits)
            {
                totals.Fail($"account \"{commit.Account}\": {ex.GetType().Name}: {ex.Message}");
            }

            return;
        }

        List<string>? stale = null;
        for (var i = 0; i < commits.Count; i++)
        {
            var commit = commits[i];
            switch (results[i].Outcome)
            {
                case CommitOutcome.Saved:
                    totals.Add(commit);
                    break;
                case CommitOutcome.Stale:
                    totals.Conflict();
                    (stale ??= []).Add(commit.Account);
                    break;
                default:
                    var error = results[i].Error;
                    totals.Fail($"account \"{commit.Account}\": {error?.GetType().Name}: {error?.Message}");
                    break;
            }
        }

        if (stale is not null)
        {
            await Parallel.ForEachAsync(
                stale,
                new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
                async (account, token) => await RetryAsync(account, now, totals, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>Evaluates again an account whose commit was stale (it changed since it was claimed), reloading it each time.</summary>
    private async Task RetryAsync(string id, Instant now, Totals totals, CancellationToken cancellationToken)
    {
        try
        {
            // Attempt 0 was the batch's, and stale.
            for (var attempt = 0; ; attempt++)
            {
                if (attempt >= options.MaxConflictRetries)
                {
                    totals.Fail($"account \"{id}\": still changing after {attempt + 1} attempts; it is evaluated again when its claim expires");
                    return;
                }

                var account = await store.FindAccountAsync(id, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"account \"{id}\" disappeared while it was being evaluated");
                if (account.State.LastEvaluatedAt is { } last && last > now)
                {
                    // Another evaluator already decided a later instant: evaluating an earlier one changes nothing.
                    return;
                }

                var commit = Decide(account, now);
                if (await store.CommitAsync(commit, cancellationToken).ConfigureAwait(false))
                {
                    totals.Add(commit);
                    return;
                }

                totals.Conflict();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The account stays due and claimed until its lease expires; then it is evaluated again.
            totals.Fail($"account \"{id}\": {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Evaluates one account at <paramref name="now"/>: a pure function of the stored account.</summary>
    internal EvaluationCommit Decide(StoredAccount account, Instant now)
    {
        var registration = account.Registration;
        var policy = policies[registration.Policy];
        var balances = account.Balances;

        // Usage becomes charges when its cycle closes (plus the settlement delay); each charge has the id simulate gives it.
        List<LedgerEntry>? charges = null;
        Instant? nextClose = null;
        if (registration.Items.Count > 0 && account.Usage.Count > 0)
        {
            var ratedThrough = account.RatedThrough;
            var usage = UsageToRate(registration, account.Usage, ratedThrough);
            if (usage.Count > 0)
            {
                foreach (var charge in Rating.Rate(registration.Items, usage, registration.Currency, registration.TimeZone))
                {
                    if (charge.At > now)
                    {
                        nextClose = nextClose is { } close && close < charge.At ? close : charge.At;
                    }
                    else if ((ratedThrough is not { } rated || charge.At > rated) && !account.HasEntry(charge.Id))
                    {
                        (charges ??= []).Add(charge.ToLedgerEntry());
                    }
                }
            }

            if (charges is not null)
            {
                var ledger = account.MutableLedger();
                ledger.Append(charges);
                balances = ledger;
            }
        }

        // Only the holds recorded by now: a fact recorded later must not change what this evaluation decides.
        var holds = account.HoldsKnownAt(now);
        var evaluation = policy.Evaluate(registration.Profile, balances, holds, account.State, now);
        Instant? due = evaluation.NextReviewAt;
        if (balances.TryGetNextEntryInstant(now, out var nextEntry) && (due is null || nextEntry < due))
        {
            due = nextEntry;
        }

        if (nextClose is { } pending && (due is null || pending < due))
        {
            due = pending;
        }

        if (account.State.LastEvaluatedAt is { } last && now <= last)
        {
            // Evaluating at an instant already evaluated changes nothing (specification section 4), yet facts recorded at
            // that instant since (an entry at the very instant of the last evaluation, a host whose clock lags another's)
            // are why the account was due: they take effect, late, at the first evaluation after it, so it stays due then.
            var after = last + Duration.Epsilon;
            if (due is null || after < due)
            {
                due = after;
            }
        }

        // A hold fact recorded after now (an import's) is seen by the first evaluation at or after its instant.
        if (account.NextHoldRecordedAfter(now) is { } recorded && (due is null || recorded < due))
        {
            due = recorded;
        }

        var transitions = new TransitionRecord[evaluation.Transitions.Count];
        for (var i = 0; i < transitions.Length; i++)
        {
            transitions[i] = TransitionRecord.Of(evaluation.Transitions[i], now);
        }

        return new EvaluationCommit(registration.Id, account.Version, evaluation.State, now, transitions, (IReadOnlyList<LedgerEntry>?)charges ?? [], Outbox(registration, policy, evaluation, holds), due, evaluation.NextReviewAt)
        {
            RatedThrough = now,
        };
    }

    /// <summary>
    /// The usage whose cycles may close after <paramref name="ratedThrough"/> (with, for tiered items, the rest of their
    /// tier month): cycles that closed by then were rated and their charges committed, so only the newer ones are rated again.
    /// </summary>
    internal static IReadOnlyList<UsageRecord> UsageToRate(AccountRegistration registration, IReadOnlyList<UsageRecord> usage, Instant? ratedThrough)
    {
        if (ratedThrough is not { } rated)
        {
            return usage;
        }

        List<UsageRecord>? kept = null;
        for (var i = 0; i < usage.Count; i++)
        {
            var record = usage[i];
            var item = registration.FindItem(record.Item);

            // A record's cycle closes at most one cycle length plus the settlement delay after it; a tiered cycle's
            // price depends on the earlier cycles of its month, so those are kept a month longer.
            var reach = item is null ? Duration.MaxValue : LongestCycle(item.Cycle) + item.SettlementDelay + (item.Tiers.Count > 0 ? TierMonth : Duration.Zero);
            var stale = reach != Duration.MaxValue && record.At < rated - reach;
            if (stale && kept is null)
            {
                kept = new List<UsageRecord>(usage.Count - i);
                for (var j = 0; j < i; j++)
                {
                    kept.Add(usage[j]);
                }
            }
            else if (!stale)
            {
                kept?.Add(record);
            }
        }

        return (IReadOnlyList<UsageRecord>?)kept ?? usage;
    }

    private static readonly Duration TierMonth = Duration.FromDays(33);

    private static Duration LongestCycle(BillingCycle cycle) => cycle.Kind switch
    {
        BillingCycleKind.None => Duration.Zero,
        BillingCycleKind.Fixed => cycle.Length!.Value,
        BillingCycleKind.Day => Duration.FromDays(3),
        BillingCycleKind.Week => Duration.FromDays(9),
        _ => Duration.FromDays(33),
    };

    /// <summary>The effects of an evaluation in the order they happened: at one instant, a transition's action before the notifications.</summary>
    private static List<OutboxMessage> Outbox(AccountRegistration registration, AccountPolicy policy, Evaluation evaluation, HoldSet holds)
    {
        var messages = new List<OutboxMessage>(evaluation.Transitions.Count + evaluation.Notifications.Count);
        var transitions = evaluation.Transitions;
        var notifications = new Notices(evaluation.Notifications);
        var t = 0;
        var more = notifications.MoveNext();
        while (t < transitions.Count || more)
        {
            if (t < transitions.Count && (!more || transitions[t].At <= notifications.At))
            {
                var transition = transitions[t++];
                if (EnforcementAction.For(transition) is { } kind)
                {
                    var action = new EnforcementAction(registration.Id, transition.Product, transition.Episode, kind, transition.At);
                    messages.Add(new OutboxMessage
                    {
                        Key = action.Key,
                        Account = registration.Id,
                        Kind = OutboxKind.Enforcement,
                        Enforcement = kind,
                        Product = transition.Product,
                        Episode = transition.Episode,
                        At = transition.At,
                        Currency = registration.Currency.Code,
                        TimeZone = registration.TimeZone.Id,
                    });
                }

                continue;
            }

            messages.Add(new OutboxMessage
            {
                Key = notifications.Key,
                Account = registration.Id,
                Kind = OutboxKind.Notification,
                Notification = notifications.Kind,
                Product = notifications.Product,
                Episode = notifications.Episode,
                At = notifications.At,
                Balance = notifications.Balance,
                Recipient = notifications.Recipient,
                Channel = notifications.Channel,
                NextDeadline = NextDeadline(policy, evaluation.State, notifications.Kind, notifications.Product, notifications.Episode, notifications.At, notifications.PurgeAt, holds),
                Currency = registration.Currency.Code,
                TimeZone = registration.TimeZone.Id,
            });
            more = notifications.MoveNext();
        }

        return messages;
    }

    /// <summary>
    /// An evaluation's notification intents one by one: read from the engine's events where it gave them (no intent is
    /// built), else from the intents.
    /// </summary>
    private struct Notices
    {
        private readonly IReadOnlyList<NotificationIntent> _intents;
        private NotificationList.PartEnumerator _parts;
        private readonly bool _fromParts;
        private int _index;

        public Notices(IReadOnlyList<NotificationIntent> intents)
        {
            _intents = intents;
            _fromParts = intents is NotificationList;
            _parts = _fromParts ? ((NotificationList)intents).Parts() : default;
            _index = -1;
        }

        public readonly Instant At => _fromParts ? _parts.Event.At : _intents[_index].At;

        public readonly NotificationKind Kind => _fromParts ? _parts.Event.Kind : _intents[_index].Kind;

        public readonly string? Product => _fromParts ? _parts.Event.Product : _intents[_index].Product;

        public readonly int Episode => _fromParts ? _parts.Event.Episode : _intents[_index].Episode;

        public readonly decimal Balance => _fromParts ? _parts.Event.Balance : _intents[_index].Balance;

        public readonly Instant? PurgeAt => _fromParts ? _parts.Event.PurgeAt : _intents[_index].PurgeAt;

        public readonly string Recipient => _fromParts ? _parts.Recipient : _intents[_index].Recipient;

        public readonly string Channel => _fromParts ? _parts.Channel : _intents[_index].Channel;

        /// <summary>The key, as <see cref="NotificationIntent.Key"/> formats it.</summary>
        public readonly string Key => _fromParts
            ? NotificationKey.Complete(_parts.Event.Scope, _parts.Recipient, _parts.Channel).Value
            : _intents[_index].Key.Value;

        public bool MoveNext() => _fromParts ? _parts.MoveNext() : ++_index < _intents.Count;
    }

    /// <summary>
    /// The deadline a notice tells of, as the holds known at the evaluation make it (the end of a hold that defers it;
    /// none under an open-ended hold): the suspension for <c>Overdue</c>, the purge for <c>Suspended</c> and a purge warning.
    /// </summary>
    private static Instant? NextDeadline(AccountPolicy policy, AccountState state, NotificationKind kind, string? productName, int episode, Instant at, Instant? purgeAt, HoldSet holds)
    {
        // A loop, not FirstOrDefault with a lambda: that captured the notice, two objects for every message of a bulk pass.
        ProductPolicy? product = null;
        var products = policy.Products;
        for (var i = 0; i < products.Count && product is null; i++)
        {
            if (string.Equals(products[i].Name, productName, StringComparison.Ordinal))
            {
                product = products[i];
            }
        }

        if (product is null)
        {
            return null;
        }

        return kind switch
        {
            NotificationKind.Overdue => holds.IsEmpty ? at + product.Policy.Grace : holds.Effective(HoldKind.Suspension, productName, at + product.Policy.Grace),
            NotificationKind.Suspended => holds.IsEmpty ? at + product.Policy.Retention : holds.Effective(HoldKind.Purge, productName, at + product.Policy.Retention),
            // The purge the warning warns of: the effective one, after any hold that deferred it (the state keeps the nominal one).
            NotificationKind.PurgeWarning => purgeAt ?? (state.LifecycleOf(productName) is var lifecycle && lifecycle.Episode == episode ? lifecycle.PurgeAt : null),
            _ => null,
        };
    }

    /// <summary>The <c>to</c> tag of <c>arrears.transitions</c> by status, formatted once (an enum's ToString boxes and allocates).</summary>
    private static readonly string[] StatusNames = [.. Enum.GetValues<LifecycleStatus>().OrderBy(status => status).Select(status => status.ToString())];

    /// <summary>
    /// The name of a status, as its <see cref="Enum.ToString()"/> gives it, without allocating: the statuses are numbered
    /// from 0 without gaps, so the names in value order are indexed by the value.
    /// </summary>
    internal static string StatusTag(LifecycleStatus status) => (uint)status < (uint)StatusNames.Length ? StatusNames[(int)status] : status.ToString();

    private sealed class Totals
    {
        private readonly Lock _lock = new();
        private const int MaxErrors = 20;
        private readonly Dictionary<LifecycleStatus, int> _transitions = [];
        private readonly List<string> _errors = [];
        private int _accounts;
        private int _intents;
        private int _actions;
        private int _conflicts;
        private int _failures;

        // Indexed loops over the lists: a foreach over an IReadOnlyList allocates an enumerator, and this runs for every
        // account a bulk pass saves.
        public void Add(EvaluationCommit commit)
        {
            var outbox = commit.Outbox;
            var actions = 0;
            for (var i = 0; i < outbox.Count; i++)
            {
                if (outbox[i].Kind == OutboxKind.Enforcement)
                {
                    actions++;
                }
            }

            var intents = outbox.Count - actions;
            var transitions = commit.Transitions;
            lock (_lock)
            {
                _accounts++;
                _intents += intents;
                _actions += actions;
                for (var i = 0; i < transitions.Count; i++)
                {
                    var to = transitions[i].To;
                    _transitions[to] = _transitions.GetValueOrDefault(to) + 1;
                }
            }

            ArrearsTelemetry.Evaluations.Add(1);
            ArrearsTelemetry.Intents.Add(intents);
            ArrearsTelemetry.Enforcements.Add(actions);
            for (var i = 0; i < transitions.Count && ArrearsTelemetry.Transitions.Enabled; i++)
            {
                ArrearsTelemetry.Transitions.Add(1, new KeyValuePair<string, object?>("to", StatusTag(transitions[i].To)));
            }
        }

        public void Conflict()
        {
            Interlocked.Increment(ref _conflicts);
            ArrearsTelemetry.Conflicts.Add(1);
        }

        public void Fail(string error)
        {
            lock (_lock)
            {
                _failures++;
                if (_errors.Count < MaxErrors)
                {
                    _errors.Add(error);
                }
            }
        }

        public EvaluationSummary ToSummary(Duration elapsed)
        {
            lock (_lock)
            {
                return new EvaluationSummary(_accounts, new Dictionary<LifecycleStatus, int>(_transitions), _intents, _actions, _conflicts, _failures, [.. _errors], elapsed);
            }
        }
    }
}

