using System.Globalization;
using Arrears.Policy.Text;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy;

/// <summary>
/// The pure lifecycle engine: policy + account + ledger + previous state + instant → new state, transitions, notification
/// intents and the next review instant. No I/O, no clock reads.
/// </summary>
/// <remarks>
/// <para>
/// The engine walks every instant between the previous evaluation (exclusive) and <c>now</c> (inclusive) at which something
/// can happen: each ledger entry instant, each deadline and purge warning, and <c>now</c> itself. At each instant it applies,
/// in order: (1) exclusive deadlines at that instant, (2) that instant's entries as one batch and the balance alarm,
/// (3) cure checks, (4) entering Overdue, (5) inclusive deadlines, purge warnings, and any deadline created during the
/// instant that is not in the future. A late evaluation therefore catches up on every missed transition, each stamped with
/// its own effective instant, and evaluating once or many times up to the same instant gives the same result.
/// </para>
/// <para>
/// Entries that become known after an evaluation already passed their instant count from their own instant for the
/// balance, but decisions already taken stand. Their effect lands at the first instant this evaluation looks at (the
/// evaluation instant, unless an entry or a deadline comes first), before anything else happens at that instant, so a
/// late payment made before a deadline that has not been acted on yet still prevents it, whatever the deadline's boundary.
/// The transitions they cause are marked <see cref="Transition.IsLate"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var policy = PolicyPresets.TencentApiGateway.Policy;
/// var account = new AccountProfile("acct-1", "owner@example.com");
/// var ledger = new Ledger(Currency.FromCode("CNY"));
/// ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 2, 1, 8, 30), 25m));
///
/// var result = LifecycleEngine.Evaluate(policy, account, ledger, AccountState.Initial(), Instant.FromUtc(2026, 2, 3, 0, 0));
/// // result.Transitions: Active → Overdue at 2026-02-01T08:30Z, Overdue → Suspended at 2026-02-02T08:30Z
/// // result.NextReviewAt: the first purge warning, 173 days after the suspension
/// </code>
/// </example>
public static class LifecycleEngine
{
    private const int MaxStackProducts = 16;

    /// <summary>Evaluates a single-product account at <paramref name="now"/>.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="account">The account.</param>
    /// <param name="ledger">The account's ledger as known at <paramref name="now"/>.</param>
    /// <param name="state">The state returned by the previous evaluation, or <see cref="AccountState.Initial"/>.</param>
    /// <param name="now">The evaluation instant.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentException">The state does not belong to a single-product account, or is inconsistent.</exception>
    public static Evaluation Evaluate(LifecyclePolicy policy, AccountProfile account, Ledger ledger, AccountState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var product = new ProductPolicy(null, policy);
        return Evaluate(new ReadOnlySpan<ProductPolicy>(in product), account, ledger, state, now);
    }

    /// <summary>Evaluates an account that uses several products, each under its own policy, all driven by its one balance.</summary>
    /// <param name="products">The products and their policies, in the order of <see cref="AccountState.Lifecycles"/>.</param>
    /// <param name="account">The account.</param>
    /// <param name="ledger">The account's ledger as known at <paramref name="now"/>.</param>
    /// <param name="state">The state returned by the previous evaluation, or <see cref="AccountState.Initial(int)"/>.</param>
    /// <param name="now">The evaluation instant.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentException">The products are empty or repeat a name, or the state does not match them or is inconsistent.</exception>
    public static Evaluation Evaluate(IReadOnlyList<ProductPolicy> products, AccountProfile account, Ledger ledger, AccountState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(products);

        // A host evaluating many accounts passes the same array each time: use it as it is, so an idle evaluation allocates nothing.
        var array = products as ProductPolicy[] ?? [.. products];
        for (var i = 0; i < array.Length; i++)
        {
            if (array[i].Policy is null)
            {
                throw new ArgumentException($"products[{i}].policy: must not be null", nameof(products));
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(array[j].Product, array[i].Product, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"products[{i}].product: duplicate product, got \"{array[i].Product}\"", nameof(products));
                }
            }
        }

        return Evaluate(array.AsSpan(), account, ledger, state, now);
    }

    private static Evaluation Evaluate(ReadOnlySpan<ProductPolicy> products, AccountProfile account, Ledger ledger, AccountState state, Instant now)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(ledger);
        if (products.IsEmpty)
        {
            throw new ArgumentException("products: at least one product is required", nameof(products));
        }

        var previous = state.LifecycleArray ?? throw new ArgumentException("state: use AccountState.Initial() for a new account", nameof(state));
        if (previous.Length != products.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"state.lifecycles: expected {products.Length} lifecycle(s), one per product, got {previous.Length}"),
                nameof(state));
        }

        Span<LifecycleState> lifecycles = products.Length <= MaxStackProducts
            ? stackalloc LifecycleState[products.Length]
            : new LifecycleState[products.Length];
        for (var i = 0; i < lifecycles.Length; i++)
        {
            lifecycles[i] = previous[i];
            CheckConsistent(lifecycles[i], state.LastEvaluatedAt, i);
        }

        if (state.LastEvaluatedAt is { } last && now <= last)
        {
            // Evaluating again at (or, with clock skew between hosts, before) an instant already evaluated: nothing new.
            return new Evaluation(state, Array.Empty<Transition>(), Array.Empty<NotificationIntent>(), NextReview(products, lifecycles, last), ledger.BalanceAt(now));
        }

        var run = new Run(products, account, ledger);
        run.AlarmArmed = state.LastEvaluatedAt is null
            ? account.BalanceAlarm is { } alarm && ledger.OpeningBalance >= alarm
            : state.AlarmArmed;

        Instant? cursor = state.LastEvaluatedAt;
        var firstInstant = true;
        while (true)
        {
            var t = now;
            if (cursor is null)
            {
                if (ledger.Count > 0 && ledger.Entries[0].At < t)
                {
                    t = ledger.Entries[0].At;
                }
            }
            else if (ledger.TryGetNextEntryInstant(cursor.Value, out var nextEntry) && nextEntry < t)
            {
                t = nextEntry;
            }

            for (var i = 0; i < lifecycles.Length; i++)
            {
                if (NextDeadline(products[i].Policy, lifecycles[i], cursor) is { } deadline && deadline < t)
                {
                    t = deadline;
                }
            }

            if (firstInstant && state.LastEvaluatedAt is { } previousInstant)
            {
                // 0. Entries that became known after the previous evaluation had passed their instants: their effect lands
                // at the first instant this evaluation looks at, before anything else happens there.
                run.ApplyLateEntries(t, ledger.BalanceAt(previousInstant), lifecycles);
            }

            run.Process(t, lifecycles);
            if (t == now)
            {
                break;
            }

            cursor = t;
            firstInstant = false;
        }

        var changed = false;
        for (var i = 0; i < lifecycles.Length && !changed; i++)
        {
            changed = lifecycles[i] != previous[i];
        }

        var newState = AccountState.Wrap(changed ? lifecycles.ToArray() : previous, run.AlarmArmed, now);
        return new Evaluation(
            newState,
            (IReadOnlyList<Transition>?)run.Transitions ?? Array.Empty<Transition>(),
            (IReadOnlyList<NotificationIntent>?)run.Notifications ?? Array.Empty<NotificationIntent>(),
            NextReview(products, lifecycles, now),
            ledger.BalanceAt(now));
    }

    private static void CheckConsistent(in LifecycleState state, Instant? lastEvaluatedAt, int index)
    {
        var ok = state.Status switch
        {
            AccountStatus.Active => state.Episode >= 0,
            AccountStatus.Overdue => state.Episode > 0 && state.OverdueSince is not null && state.SuspendAt is { } suspendAt &&
                                     (lastEvaluatedAt is null || suspendAt > lastEvaluatedAt),
            AccountStatus.Suspended => state.Episode > 0 && state.SuspendAt is not null && state.PurgeAt is { } purgeAt &&
                                       (lastEvaluatedAt is null || purgeAt > lastEvaluatedAt),
            AccountStatus.Purged => state.Episode > 0,
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"state.lifecycles[{index}]: inconsistent state, got {state}"), nameof(state));
        }
    }

    /// <summary>The next deadline or warning of a lifecycle strictly after <paramref name="after"/>.</summary>
    private static Instant? NextDeadline(LifecyclePolicy policy, in LifecycleState s, Instant? after)
    {
        switch (s.Status)
        {
            case AccountStatus.Overdue:
                return s.SuspendAt;
            case AccountStatus.Suspended:
                var purgeAt = s.PurgeAt!.Value;
                var suspendAt = s.SuspendAt!.Value;
                Instant? next = purgeAt;
                var warnings = policy.RouteFor(NotificationKind.PurgeWarning).Audience == Audience.None ? [] : policy.PurgeWarnings;
                for (var w = 0; w < warnings.Count; w++)
                {
                    var warnAt = purgeAt - warnings[w];
                    if (warnAt > suspendAt && (after is null || warnAt > after.Value) && warnAt < next)
                    {
                        next = warnAt;
                    }
                }

                return next;
            default:
                return null;
        }
    }

    private static Instant? NextReview(ReadOnlySpan<ProductPolicy> products, ReadOnlySpan<LifecycleState> lifecycles, Instant after)
    {
        Instant? next = null;
        for (var i = 0; i < lifecycles.Length; i++)
        {
            if (NextDeadline(products[i].Policy, lifecycles[i], after) is { } deadline && deadline > after && (next is null || deadline < next))
            {
                next = deadline;
            }
        }

        return next;
    }

    /// <summary>The mutable working set of one evaluation.</summary>
    private ref struct Run
    {
        private readonly ReadOnlySpan<ProductPolicy> _products;
        private readonly AccountProfile _account;
        private readonly Ledger _ledger;
        private decimal _balance;

        public Run(ReadOnlySpan<ProductPolicy> products, AccountProfile account, Ledger ledger)
        {
            _products = products;
            _account = account;
            _ledger = ledger;
        }

        public bool AlarmArmed { get; set; }

        public List<Transition>? Transitions { get; private set; }

        public List<NotificationIntent>? Notifications { get; private set; }

        /// <summary>
        /// Step 0: with the balance the previous evaluation would have seen had it known every entry, applies the cure checks
        /// and entering Overdue at <paramref name="t"/>, the first instant this evaluation looks at. With entries known on
        /// time the state already agrees with that balance and nothing happens; otherwise the transitions are late.
        /// </summary>
        public void ApplyLateEntries(Instant t, decimal balanceSeenLate, scoped Span<LifecycleState> lifecycles)
        {
            _balance = balanceSeenLate;
            CureAndEnter(t, lifecycles, isLate: true);
        }

        public void Process(Instant t, scoped Span<LifecycleState> lifecycles)
        {
            _balance = _ledger.BalanceAt(t);

            // 1. Exclusive deadlines equal to t fire before the instant's entries.
            for (var i = 0; i < lifecycles.Length; i++)
            {
                var policy = _products[i].Policy;
                ref var s = ref lifecycles[i];
                if (s.Status == AccountStatus.Overdue && policy.GraceBoundary == DeadlineBoundary.Exclusive && s.SuspendAt == t)
                {
                    Suspend(ref s, i, t);
                }

                if (s.Status == AccountStatus.Suspended && policy.RetentionBoundary == DeadlineBoundary.Exclusive && s.PurgeAt == t)
                {
                    Purge(ref s, i, t);
                }
            }

            // 2. The instant's entries, as one batch (BalanceAt already nets them), and the account's balance alarm.
            if (_account.BalanceAlarm is { } alarm && !AllPurged(lifecycles))
            {
                if (AlarmArmed && _balance < alarm)
                {
                    AlarmArmed = false;
                    Notify(NotificationKind.BalanceLow, t, productIndex: -1, episode: 0, warning: null);
                }
                else if (!AlarmArmed && _balance >= alarm)
                {
                    AlarmArmed = true;
                }
            }

            // 3. and 4. Cure checks, then entering Overdue.
            CureAndEnter(t, lifecycles, isLate: false);

            // 5. Inclusive deadlines, purge warnings, and deadlines created during this instant that are not in the future.
            for (var i = 0; i < lifecycles.Length; i++)
            {
                var policy = _products[i].Policy;
                ref var s = ref lifecycles[i];
                if (s.Status == AccountStatus.Overdue && s.SuspendAt <= t)
                {
                    Suspend(ref s, i, t);
                }

                if (s.Status == AccountStatus.Suspended)
                {
                    var warnings = policy.PurgeWarnings;
                    for (var w = 0; w < warnings.Count; w++)
                    {
                        var warnAt = s.PurgeAt!.Value - warnings[w];
                        if (warnAt == t && warnAt > s.SuspendAt!.Value)
                        {
                            Notify(NotificationKind.PurgeWarning, t, i, s.Episode, warnings[w]);
                        }
                    }

                    if (s.PurgeAt <= t)
                    {
                        Purge(ref s, i, t);
                    }
                }
            }
        }

        private void CureAndEnter(Instant t, scoped Span<LifecycleState> lifecycles, bool isLate)
        {
            // 3. Cure checks.
            for (var i = 0; i < lifecycles.Length; i++)
            {
                var policy = _products[i].Policy;
                ref var s = ref lifecycles[i];
                var inArrears = _balance < -policy.Tolerance;
                if (s.Status == AccountStatus.Overdue && !inArrears)
                {
                    Record(i, t, AccountStatus.Overdue, AccountStatus.Active, TransitionReason.Paid, s.Episode, isLate);
                    s = new LifecycleState(AccountStatus.Active, s.Episode, null, null, null);
                }
                else if (s.Status == AccountStatus.Suspended && !inArrears &&
                         (policy.ResumeMinimumBalance is not { } minimum || _balance >= minimum))
                {
                    Record(i, t, AccountStatus.Suspended, AccountStatus.Active, TransitionReason.Resumed, s.Episode, isLate);
                    s = new LifecycleState(AccountStatus.Active, s.Episode, null, null, null);
                    Notify(NotificationKind.Resumed, t, i, s.Episode, warning: null);
                }
            }

            // 4. Entering Overdue starts a new episode with a fresh grace period.
            for (var i = 0; i < lifecycles.Length; i++)
            {
                var policy = _products[i].Policy;
                ref var s = ref lifecycles[i];
                if (s.Status == AccountStatus.Active && _balance < -policy.Tolerance)
                {
                    var episode = s.Episode + 1;
                    s = new LifecycleState(AccountStatus.Overdue, episode, t, t + policy.Grace, null);
                    Record(i, t, AccountStatus.Active, AccountStatus.Overdue, TransitionReason.InArrears, episode, isLate);
                    Notify(NotificationKind.Overdue, t, i, episode, warning: null);
                }
            }
        }

        /// <summary>
        /// Escapes one segment of a notification key, so that distinct parts never join into the same key: <c>%</c> becomes
        /// <c>%25</c> and <c>/</c> becomes <c>%2F</c>. Segments without either (the usual case) are returned as they are.
        /// </summary>
        private static string KeyPart(string part) =>
            part.AsSpan().IndexOfAny('/', '%') < 0 ? part : part.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal);

        private static bool AllPurged(ReadOnlySpan<LifecycleState> lifecycles)
        {
            foreach (ref readonly var s in lifecycles)
            {
                if (s.Status != AccountStatus.Purged)
                {
                    return false;
                }
            }

            return true;
        }

        private void Suspend(ref LifecycleState s, int index, Instant t)
        {
            var policy = _products[index].Policy;
            s = new LifecycleState(AccountStatus.Suspended, s.Episode, s.OverdueSince, t, t + policy.Retention);
            Record(index, t, AccountStatus.Overdue, AccountStatus.Suspended, TransitionReason.GraceExpired, s.Episode, isLate: false);
            Notify(NotificationKind.Suspended, t, index, s.Episode, warning: null);
        }

        private void Purge(ref LifecycleState s, int index, Instant t)
        {
            s = s with { Status = AccountStatus.Purged };
            Record(index, t, AccountStatus.Suspended, AccountStatus.Purged, TransitionReason.RetentionExpired, s.Episode, isLate: false);
            Notify(NotificationKind.Purged, t, index, s.Episode, warning: null);
        }

        private void Record(int index, Instant t, AccountStatus from, AccountStatus to, TransitionReason reason, int episode, bool isLate)
        {
            Transitions ??= [];
            Transitions.Add(new Transition(t, from, to, reason, episode, _products[index].Product, isLate));
        }

        private void Notify(NotificationKind kind, Instant t, int productIndex, int episode, Duration? warning)
        {
            // The account-level balance alarm follows the first product's routing.
            var policy = _products[Math.Max(productIndex, 0)].Policy;
            var route = policy.RouteFor(kind);
            if (route.Audience == Audience.None)
            {
                return;
            }

            var product = productIndex >= 0 ? _products[productIndex].Product : null;
            var scope = product is null ? KeyPart(_account.Id) : KeyPart(_account.Id) + "/" + KeyPart(product);
            var qualifier = kind switch
            {
                NotificationKind.PurgeWarning => $"{scope}/{episode.ToString(CultureInfo.InvariantCulture)}/PurgeWarning/{IsoDurationPattern.Instance.Format(warning!.Value)}",
                NotificationKind.BalanceLow => $"{scope}/BalanceLow/{InstantPattern.ExtendedIso.Format(t)}",
                _ => $"{scope}/{episode.ToString(CultureInfo.InvariantCulture)}/{kind}",
            };

            Notifications ??= [];
            if ((route.Audience & Audience.Creator) != 0)
            {
                Fan(kind, t, qualifier, _account.Creator, route.Channels, episode, product);
            }

            if ((route.Audience & Audience.Collaborators) != 0)
            {
                foreach (var collaborator in _account.Collaborators)
                {
                    Fan(kind, t, qualifier, collaborator, route.Channels, episode, product);
                }
            }
        }

        private void Fan(NotificationKind kind, Instant t, string qualifier, string recipient, IReadOnlyList<string> channels, int episode, string? product)
        {
            foreach (var channel in channels)
            {
                Notifications!.Add(new NotificationIntent(t, kind, recipient, channel, $"{qualifier}/{KeyPart(recipient)}/{KeyPart(channel)}", episode, product, _balance));
            }
        }
    }
}
