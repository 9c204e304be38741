using System.Runtime.CompilerServices;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// The pure lifecycle engine behind <see cref="AccountPolicy.Evaluate(AccountProfile, IBalanceHistory, HoldSet, AccountState, Instant)"/>: account policy + account + balance history + holds +
/// previous state + instant → new state, transitions, notification intents and the next review instant. No I/O, no clock
/// reads.
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
/// Entries that become known after an evaluation already passed their instants count from their own instant for the
/// balance, but decisions already taken stand. Their effect lands at the first instant this evaluation looks at (the
/// evaluation instant, unless an entry or a deadline comes first), before anything else happens at that instant, so a
/// late payment made before a deadline that has not been acted on yet still prevents it, whatever the deadline's boundary.
/// The transitions they cause are marked <see cref="Transition.IsLate"/>.
/// </para>
/// <para>
/// Holds (specification section 9) defer deadlines: a suspension or purge deadline that falls in the window of a hold of
/// its kind acts at the end of that window (of the chain of windows that overlap or touch), with its own boundary, and not
/// at all under an open-ended hold. Saved states keep the nominal deadlines; the effective ones are computed from the hold
/// set at every evaluation, so a revocation takes effect without touching the state. A deadline whose effective instant
/// is at or before the previous evaluation (a revocation that became known late ended the hold that deferred it) acts in
/// step 0, after the late cure checks, and is marked late too.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal static class LifecycleEngine
{
    /// <summary>Evaluates an account whose previous lifecycles are already matched to the products, in their order.</summary>
    /// <param name="policy">The account policy.</param>
    /// <param name="products">The account policy's products.</param>
    /// <param name="account">The account.</param>
    /// <param name="balances">The balance history.</param>
    /// <param name="holds">The holds known at <paramref name="now"/>, already checked against the policy.</param>
    /// <param name="state">The previous state.</param>
    /// <param name="reusable">Whether the previous state's lifecycle array is in the products' order, so it can be reused when nothing changes.</param>
    /// <param name="lifecycles">The previous lifecycles in the products' order; updated in place.</param>
    /// <param name="now">The evaluation instant.</param>
    // Not inlined into the caller, whose frame would then hold the zeroed temporaries of both (measured slower for a
    // transition to Overdue); [SkipLocalsInit] on the class spares the zeroing of the temporaries without references.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Evaluation Evaluate(
        AccountPolicy policy,
        ReadOnlySpan<ProductPolicy> products,
        AccountProfile account,
        IBalanceHistory balances,
        HoldSet holds,
        AccountState state,
        bool reusable,
        Span<ProductLifecycle> lifecycles,
        Instant now)
    {
        if (state.LastEvaluatedAt is { } last && now <= last)
        {
            // Evaluating again at (or, with clock skew between hosts, before) an instant already evaluated: nothing new.
            return new Evaluation(state, Array.Empty<Transition>(), Array.Empty<NotificationIntent>(), NextReview(products, lifecycles, holds, last), balances.BalanceAt(now));
        }

        var run = new Run(policy, products, account, balances, holds);
        run.AlarmArmed = state.LastEvaluatedAt is null
            ? account.BalanceAlarm is { } alarm && balances.OpeningBalance >= alarm
            : state.AlarmArmed;

        Instant? cursor = state.LastEvaluatedAt;
        var firstInstant = true;
        while (true)
        {
            var t = now;
            bool entryAtT;
            if (cursor is null)
            {
                entryAtT = balances.TryGetFirstEntryInstant(out var firstEntry) && firstEntry <= t;
                if (entryAtT)
                {
                    t = firstEntry;
                }
            }
            else
            {
                entryAtT = balances.TryGetNextEntryInstant(cursor.Value, out var nextEntry) && nextEntry <= t;
                if (entryAtT)
                {
                    t = nextEntry;
                }
            }

            for (var i = 0; i < lifecycles.Length; i++)
            {
                if (NextDeadline(products[i].Policy, lifecycles[i], holds, cursor) is { } deadline && deadline < t)
                {
                    t = deadline;
                    entryAtT = false;
                }
            }

            // With no entry at t, the balance at t is the balance at the previous instant looked at (none lies between them).
            decimal? balanceBefore = null;
            if (firstInstant && state.LastEvaluatedAt is { } previousInstant)
            {
                // 0. Entries (and revocations) that became known after the previous evaluation had passed their instants:
                // their effect lands at the first instant this evaluation looks at, before anything else happens there.
                balanceBefore = balances.BalanceAt(previousInstant);
                run.ApplyLateFacts(t, previousInstant, balanceBefore.Value, lifecycles);
            }
            else if (!firstInstant)
            {
                balanceBefore = run.Balance;
            }

            run.Process(t, lifecycles, entryAtT ? null : balanceBefore);
            if (t == now)
            {
                break;
            }

            cursor = t;
            firstInstant = false;
        }

        return Finish(ref run, products, holds, in state, reusable, lifecycles, now);
    }

    /// <summary>
    /// The evaluation a walk ends with: the state (the previous one's lifecycle array reused when nothing changed and it
    /// is <paramref name="reusable"/>), the transitions, the intents, the next review and the balance.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // one copy for both walks, out of their frames
    private static Evaluation Finish(scoped ref Run run, ReadOnlySpan<ProductPolicy> products, HoldSet holds, in AccountState state, bool reusable, scoped ReadOnlySpan<ProductLifecycle> lifecycles, Instant now)
    {
        // A transition always changes a lifecycle (its status, or its episode when it comes back to the same status), so
        // only an evaluation without one compares the lifecycles to reuse the array.
        var previous = state.LifecycleSpan;
        var changed = !reusable || run.Transitions.Count > 0;
        for (var i = 0; i < lifecycles.Length && !changed; i++)
        {
            changed = lifecycles[i] != previous[i];
        }

        var newState = changed
            ? AccountState.Wrap(Copy(lifecycles), run.AlarmArmed, now)
            : state.WithEvaluation(run.AlarmArmed, now);
        return new Evaluation(
            newState,
            run.Transitions.ToReadOnlyList(),
            run.NotificationList(),
            NextReview(products, lifecycles, holds, now),
            run.Balance);
    }

    /// <summary>The lifecycles as a new array, element by element (cheaper than a span's bulk copy for one or two).</summary>
    private static ProductLifecycle[] Copy(ReadOnlySpan<ProductLifecycle> lifecycles)
    {
        var array = new ProductLifecycle[lifecycles.Length];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = lifecycles[i];
        }

        return array;
    }

    /// <summary>
    /// The idle fast path: evaluates, without walking the instants, an account evaluated before at <paramref name="last"/>
    /// for which nothing can happen in <c>(last, now]</c>, and returns <see langword="false"/> (leaving the work to
    /// <see cref="Evaluate"/>, and <paramref name="evaluation"/> unspecified) whenever something could. Its result is the one <see cref="Evaluate"/> gives.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Nothing happens when: the previous lifecycles are in the products' order (so the state's array is reused); no entry
    /// lies in <c>(last, now]</c>, so the balance at every instant looked at is the balance at <paramref name="last"/>;
    /// with that balance, no cure check and no entry into Overdue applies (step 0 and steps 3 and 4 agree with the saved
    /// statuses); no deadline's effective instant is at or before <paramref name="now"/> (step 0 acts on those at or
    /// before <paramref name="last"/>, steps 1 and 5 on those in between); no purge warning that is an instant to look at
    /// (its route reaches someone, as <see cref="NextDeadline"/> counts them) lies in <c>(last, now]</c>; and the balance
    /// alarm neither fires nor re-arms. Then the only instant looked at is <paramref name="now"/>, where nothing changes,
    /// and the next review after <paramref name="now"/> is the earliest deadline or warning after <paramref name="last"/>,
    /// none lying in between.
    /// </para>
    /// </remarks>
    public static bool TryEvaluateIdle(
        ReadOnlySpan<ProductPolicy> products,
        AccountProfile account,
        IBalanceHistory balances,
        HoldSet holds,
        in AccountState state,
        Instant last,
        Instant now,
        out Evaluation evaluation)
    {
        if (TryIdle(products, account, balances, holds, in state, last, now, out var review, out var balance))
        {
            evaluation = new Evaluation(state.WithEvaluation(state.AlarmArmed, now), review, balance);
            return true;
        }

        evaluation = default;
        return false;
    }

    /// <summary>
    /// The idle fast path's decision (<see cref="TryEvaluateIdle"/>) without building the evaluation: the next review and the
    /// balance, values without references, so the caller builds the <see cref="Evaluation"/> in its own return buffer (a
    /// struct with references written through an <see langword="out"/> parameter costs write barriers and a block copy).
    /// It is inlined into <see cref="AccountPolicy.Evaluate(AccountProfile, IBalanceHistory, HoldSet, AccountState, Instant)"/>,
    /// so its answers stay in registers: read back from memory, the <see langword="out"/> <see cref="Nullable{T}"/> was
    /// loaded wider than it had been stored, which the processor cannot forward from the stores.
    /// </summary>
    /// <param name="products">The policy's products.</param>
    /// <param name="account">The account.</param>
    /// <param name="balances">The account's balance history.</param>
    /// <param name="holds">The account's holds.</param>
    /// <param name="state">The state evaluated at <paramref name="last"/>.</param>
    /// <param name="last">The last evaluation instant.</param>
    /// <param name="now">The evaluation instant.</param>
    /// <param name="nextReviewAt">The next review, when idle.</param>
    /// <param name="balance">The balance, when idle.</param>
    /// <returns>Whether nothing happens in <c>(last, now]</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryIdle(
        ReadOnlySpan<ProductPolicy> products,
        AccountProfile account,
        IBalanceHistory balances,
        HoldSet holds,
        in AccountState state,
        Instant last,
        Instant now,
        out Instant? nextReviewAt,
        out decimal balance)
    {
        // Written only on success (the caller reads them only then): no zeroing on every call.
        Unsafe.SkipInit(out nextReviewAt);
        Unsafe.SkipInit(out balance);

        // Read first, though used last: at a million accounts the profile, the state and the ledger are each a cache miss
        // away, and loading them together overlaps their misses (a due account's later steps then find the profile cached).
        var alarmThreshold = account.BalanceAlarm;
        var lifecycles = state.LifecycleSpan;
        if (lifecycles.Length != products.Length || now <= last)
        {
            return false;
        }

        bool hasNext;
        Instant nextEntry;
        if (balances is CompactLedger compact)
        {
            hasNext = compact.BalanceAtAndNextEntry(last, out balance, out nextEntry);
        }
        else if (balances is Ledger ledger)
        {
            hasNext = ledger.BalanceAtAndNextEntry(last, out balance, out nextEntry);
        }
        else
        {
            hasNext = balances.TryGetNextEntryInstant(last, out nextEntry);
            balance = hasNext && nextEntry <= now ? 0m : balances.BalanceAt(last);
        }

        if (hasNext && nextEntry <= now)
        {
            return false;
        }

        // The hot loop handles Active and an Overdue lifecycle without holds; the rest is out of line, so this frame stays small.
        var hasReview = false;
        var review = default(Instant);
        var allPurged = true;
        for (var i = 0; i < lifecycles.Length; i++)
        {
            ref readonly var s = ref lifecycles[i];
            var product = products[i];
            if (!ReferenceEquals(s.Product, product.Name) && !string.Equals(s.Product, product.Name, StringComparison.Ordinal))
            {
                return false;
            }

            var policy = product.Policy;
            var inArrears = DecimalOrder.LessThan(balance, policy.ArrearsThreshold);
            Instant deadline;
            switch (s.Status)
            {
                case LifecycleStatus.Active:
                    if (inArrears)
                    {
                        return false;
                    }

                    allPurged = false;
                    continue;
                case LifecycleStatus.Overdue when holds.IsEmpty:
                    if (!inArrears)
                    {
                        return false;
                    }

                    allPurged = false;
                    deadline = s.SuspendAtOfEpisode;
                    break;
                case LifecycleStatus.Purged:
                    continue;
                default:
                    allPurged = false;
                    switch (IdleDeadline(policy, in s, holds, balance, inArrears, last, now, out deadline))
                    {
                        case IdleOutcome.Busy:
                            return false;
                        case IdleOutcome.NoDeadline:
                            continue;
                    }

                    break;
            }

            // Any effective deadline acts at or before now unless later.
            if (deadline <= now)
            {
                return false;
            }

            if (!hasReview || deadline < review)
            {
                review = deadline;
                hasReview = true;
            }
        }

        // An armed alarm fires below its threshold; a fired one re-arms at or above it. Either declines.
        if (alarmThreshold is { } alarm && !allPurged && DecimalOrder.LessThan(balance, alarm) == state.AlarmArmed)
        {
            return false;
        }

        nextReviewAt = hasReview ? review : null;
        return true;
    }

    /// <summary>
    /// The entries walk: evaluates an account whose only instants to act at since its last evaluation (<c>last</c>), in
    /// <c>(last, now]</c>, are its new entries' (the common due account: a charge that takes it into arrears, a payment that
    /// cures it), walking those instants with one ledger search each, and returns <see langword="false"/> (before changing
    /// anything, leaving the work to <see cref="Evaluate"/>) whenever a deadline, a purge warning, a hold or a late fact
    /// could act. Its result is the one <see cref="Evaluate"/> gives.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The walk of every instant does nothing more here, step by step. With no holds, every deadline is nominal. Step 0
    /// acts on nothing: every status agrees with the balance at <c>last</c> (no cure or entry into Overdue is
    /// due there) and no deadline is at or before <paramref name="now"/>. Steps 1 and 5 act on nothing at any instant up
    /// to <paramref name="now"/>: the saved deadlines and the purge warnings that reach someone lie after it, and a deadline
    /// created in the walk at <c>t &gt; last</c> is <c>t + grace</c>, after <paramref name="now"/> because every product's
    /// grace is at least <c>now - last</c>. At <paramref name="now"/>, when no entry lies there, the balance is the last
    /// entry instant's, with which the alarm and the statuses already agree. So the instants that matter are the entries',
    /// and at each of them steps 2 to 4 (<see cref="Run.ProcessEntries"/>), the same code as the full walk's.
    /// </para>
    /// </remarks>
    /// <param name="policy">The account policy.</param>
    /// <param name="products">The account policy's products.</param>
    /// <param name="account">The account.</param>
    /// <param name="balances">The balance history.</param>
    /// <param name="state">The previous state (its lifecycles in the products' order, or the walk declines).</param>
    /// <param name="now">The evaluation instant.</param>
    /// <param name="evaluation">The evaluation, when the walk answers.</param>
    /// <returns>Whether the walk answered.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool TryEvaluateEntries(
        AccountPolicy policy,
        ReadOnlySpan<ProductPolicy> products,
        AccountProfile account,
        IBalanceHistory balances,
        in AccountState state,
        Instant now,
        out Evaluation evaluation)
    {
        Unsafe.SkipInit(out evaluation);
        var previous = state.LifecycleSpan;
        if (!state.TryGetLastEvaluatedAt(out var last) || now <= last || previous.Length != products.Length || products.Length > EntriesWalkProducts ||
            !NextStep(balances, last, out var balance, out var t) || t > now)
        {
            return false;
        }

        var window = now - last;
        for (var i = 0; i < previous.Length; i++)
        {
            var product = products[i];
            var productPolicy = product.Policy;
            ref readonly var s = ref previous[i];
            if (!ReferenceEquals(s.Product, product.Name) && !string.Equals(s.Product, product.Name, StringComparison.Ordinal))
            {
                return false;
            }

            if (productPolicy.Grace < window)
            {
                return false;
            }

            var inArrears = balance < productPolicy.ArrearsThreshold;
            switch (s.Status)
            {
                case LifecycleStatus.Active when !inArrears:
                case LifecycleStatus.Purged:
                    break;
                case LifecycleStatus.Overdue when inArrears && s.SuspendAtOfEpisode > now:
                    break;
                case LifecycleStatus.Suspended when (inArrears || (productPolicy.ResumeMinimumBalance is { } minimum && balance < minimum)) &&
                                                    s.PurgeAt!.Value > now &&
                                                    !(NextDeadline(productPolicy, in s, HoldSet.Empty, last) <= now):
                    break;
                default:
                    return false;
            }
        }

        // The working lifecycles, on the stack, element by element (a span copy of structs with references is slower for one or two).
        var buffer = default(SmallLifecycleBuffer);
        var lifecycles = ((Span<ProductLifecycle>)buffer)[..previous.Length];
        for (var i = 0; i < previous.Length; i++)
        {
            lifecycles[i] = previous[i];
        }

        var run = new Run(policy, products, account, balances, HoldSet.Empty)
        {
            AlarmArmed = state.AlarmArmed,
        };

        while (true)
        {
            var more = NextStep(balances, t, out balance, out var next);
            run.ProcessEntries(t, lifecycles, balance);
            if (!more || next > now)
            {
                break;
            }

            t = next;
        }

        evaluation = Finish(ref run, products, HoldSet.Empty, in state, reusable: true, lifecycles, now);
        return true;
    }

    /// <summary>The most products the entries walk takes (its stack buffer's room); accounts with more are walked in full.</summary>
    internal const int EntriesWalkProducts = 2;

    /// <summary>The balance at <paramref name="at"/> (its entries included) and the next entry instant after it, with one search where the history allows.</summary>
    private static bool NextStep(IBalanceHistory balances, Instant at, out decimal balance, out Instant next)
    {
        if (balances is CompactLedger compact)
        {
            return compact.BalanceAtAndNextEntry(at, out balance, out next);
        }

        if (balances is Ledger ledger)
        {
            return ledger.BalanceAtAndNextEntry(at, out balance, out next);
        }

        balance = balances.BalanceAt(at);
        return balances.TryGetNextEntryInstant(at, out next);
    }

    private enum IdleOutcome
    {
        Deadline,
        NoDeadline,
        Busy,
    }

    /// <summary>
    /// The idle fast path's rarer lifecycles (Overdue under holds, Suspended): whether something happens in
    /// <c>(last, now]</c> (<see cref="IdleOutcome.Busy"/>), else the earliest effective deadline or purge warning after
    /// <paramref name="last"/>, or none (an open-ended hold defers the deadline with no end).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IdleOutcome IdleDeadline(LifecyclePolicy policy, in ProductLifecycle s, HoldSet holds, decimal balance, bool inArrears, Instant last, Instant now, out Instant deadline)
    {
        deadline = default;
        switch (s.Status)
        {
            case LifecycleStatus.Overdue:
                if (!inArrears)
                {
                    return IdleOutcome.Busy;
                }

                if (holds.Effective(HoldKind.Suspension, s.Product, s.SuspendAt!.Value) is not { } suspendAt)
                {
                    return IdleOutcome.NoDeadline;
                }

                deadline = suspendAt;
                return IdleOutcome.Deadline;
            case LifecycleStatus.Suspended:
                if (!inArrears && (policy.ResumeMinimumBalance is not { } minimum || balance >= minimum))
                {
                    return IdleOutcome.Busy;
                }

                if ((holds.IsEmpty ? s.PurgeAt!.Value : holds.Effective(HoldKind.Purge, s.Product, s.PurgeAt!.Value)) is not { } purgeAt)
                {
                    return IdleOutcome.NoDeadline;
                }

                if (purgeAt <= now)
                {
                    return IdleOutcome.Busy;
                }

                var next = purgeAt;
                var suspendedAt = s.SuspendAt!.Value;
                var warnings = policy.RouteFor(NotificationKind.PurgeWarning).Audience == Audience.None ? [] : policy.PurgeWarnings;
                for (var w = 0; w < warnings.Count; w++)
                {
                    var warnAt = purgeAt - warnings[w];
                    // A warning in (last, now] becomes the earliest candidate, at or before now, and declines in the caller.
                    if (warnAt > suspendedAt && warnAt > last && warnAt < next)
                    {
                        next = warnAt;
                    }
                }

                deadline = next;
                return IdleOutcome.Deadline;
            default:
                return IdleOutcome.Busy;
        }
    }

    /// <summary>
    /// The next effective deadline or warning of a lifecycle strictly after <paramref name="after"/>, or <see langword="null"/>
    /// when none (an open-ended hold defers a deadline with no end, and then its warnings too). A deadline whose effective
    /// instant is not after <paramref name="after"/> is step 0's to act on.
    /// </summary>
    private static Instant? NextDeadline(LifecyclePolicy policy, in ProductLifecycle s, HoldSet holds, Instant? after)
    {
        switch (s.Status)
        {
            case LifecycleStatus.Overdue:
                var suspendAt = holds.Effective(HoldKind.Suspension, s.Product, s.SuspendAt!.Value);
                return suspendAt is { } suspension && (after is null || suspension > after.Value) ? suspension : null;
            case LifecycleStatus.Suspended:
                if (holds.Effective(HoldKind.Purge, s.Product, s.PurgeAt!.Value) is not { } purgeAt)
                {
                    return null;
                }

                var suspendedAt = s.SuspendAt!.Value;
                Instant? next = after is null || purgeAt > after.Value ? purgeAt : null;
                var warnings = policy.RouteFor(NotificationKind.PurgeWarning).Audience == Audience.None ? [] : policy.PurgeWarnings;
                for (var w = 0; w < warnings.Count; w++)
                {
                    var warnAt = purgeAt - warnings[w];
                    if (warnAt > suspendedAt && (after is null || warnAt > after.Value) && (next is null || warnAt < next))
                    {
                        next = warnAt;
                    }
                }

                return next;
            default:
                return null;
        }
    }

    private static Instant? NextReview(ReadOnlySpan<ProductPolicy> products, ReadOnlySpan<ProductLifecycle> lifecycles, HoldSet holds, Instant after)
    {
        Instant? next = null;
        for (var i = 0; i < lifecycles.Length; i++)
        {
            if (NextDeadline(products[i].Policy, lifecycles[i], holds, after) is { } deadline && (next is null || deadline < next))
            {
                next = deadline;
            }
        }

        return next;
    }

    /// <summary>The mutable working set of one evaluation.</summary>
    private ref struct Run
    {
        private readonly AccountPolicy _policy;
        private readonly ReadOnlySpan<ProductPolicy> _products;
        private readonly AccountProfile _account;
        private readonly IBalanceHistory _balances;
        private readonly HoldSet _holds;
        private decimal _balance;

        public Run(AccountPolicy policy, ReadOnlySpan<ProductPolicy> products, AccountProfile account, IBalanceHistory balances, HoldSet holds)
        {
            _policy = policy;
            _products = products;
            _account = account;
            _balances = balances;
            _holds = holds;
        }

        public bool AlarmArmed { get; set; }

        /// <summary>The transitions so far, in order (a field, so adding to it changes the run's own copy).</summary>
        public Collector<Transition> Transitions;

        /// <summary>The notification events so far, in order (each with at least one intent).</summary>
        public Collector<NotificationEvent> Events;

        /// <summary>How many intents the events make.</summary>
        private int _intentCount;

        /// <summary>The intents of the events so far, built when first read (<see cref="Policy.NotificationList"/>).</summary>
        public readonly IReadOnlyList<NotificationIntent> NotificationList() => _intentCount == 0
            ? Array.Empty<NotificationIntent>()
            : Events.Count == 1
                ? new NotificationList(Events.First, _account, _intentCount)
                : new NotificationList(Events.ToArray(), _account, _intentCount);

        /// <summary>
        /// Step 0: with the balance the previous evaluation would have seen had it known every entry, applies the cure checks
        /// and entering Overdue at <paramref name="t"/>, the first instant this evaluation looks at; then acts on every deadline
        /// whose effective instant is not after the previous evaluation (a hold that deferred it was revoked by a fact that
        /// became known late). With facts known on time nothing happens here; otherwise the transitions are late.
        /// </summary>
        public void ApplyLateFacts(Instant t, Instant previous, decimal balanceSeenLate, scoped Span<ProductLifecycle> lifecycles)
        {
            _balance = balanceSeenLate;
            CureAndEnter(t, lifecycles, isLate: true);
            for (var i = 0; i < lifecycles.Length; i++)
            {
                ref var s = ref lifecycles[i];
                if (s.Status == LifecycleStatus.Overdue &&
                    _holds.Effective(HoldKind.Suspension, s.Product, s.SuspendAt!.Value) is { } suspendAt && suspendAt <= previous)
                {
                    Suspend(ref s, i, t, suspendAt, isLate: true);
                }

                if (s.Status == LifecycleStatus.Suspended &&
                    _holds.Effective(HoldKind.Purge, s.Product, s.PurgeAt!.Value) is { } purgeAt && purgeAt <= previous)
                {
                    Purge(ref s, i, t, purgeAt, isLate: true);
                }
            }
        }

        /// <summary>Gets the balance at the instant processed last (after <see cref="Process"/>: at that instant, its entries included).</summary>
        public readonly decimal Balance => _balance;

        /// <summary>Applies steps 1 to 5 at <paramref name="t"/>.</summary>
        /// <param name="t">The instant.</param>
        /// <param name="lifecycles">The lifecycles, updated in place.</param>
        /// <param name="balance">The balance at <paramref name="t"/> when the caller knows it (no entry lies between the previous instant looked at and <paramref name="t"/>, inclusive); otherwise it is read from the history.</param>
        public void Process(Instant t, scoped Span<ProductLifecycle> lifecycles, decimal? balance)
        {
            _balance = balance ?? _balances.BalanceAt(t);

            // 1. Exclusive deadlines whose effective instant is t fire before the instant's entries.
            for (var i = 0; i < lifecycles.Length; i++)
            {
                var policy = _products[i].Policy;
                ref var s = ref lifecycles[i];
                if (s.Status == LifecycleStatus.Overdue && policy.GraceBoundary == DeadlineBoundary.Exclusive &&
                    _holds.Effective(HoldKind.Suspension, s.Product, s.SuspendAt!.Value) == t)
                {
                    Suspend(ref s, i, t, t, isLate: false);
                }

                if (s.Status == LifecycleStatus.Suspended && policy.RetentionBoundary == DeadlineBoundary.Exclusive &&
                    _holds.Effective(HoldKind.Purge, s.Product, s.PurgeAt!.Value) == t)
                {
                    Purge(ref s, i, t, t, isLate: false);
                }
            }

            // 2. The instant's entries, as one batch (BalanceAt already nets them), and the account's balance alarm.
            Alarm(t, lifecycles);

            // 3. and 4. Cure checks, then entering Overdue.
            CureAndEnter(t, lifecycles, isLate: false);

            // 5. Inclusive deadlines, purge warnings, and deadlines created during this instant that are not in the future,
            // each at its effective instant (after the holds that defer it).
            for (var i = 0; i < lifecycles.Length; i++)
            {
                var policy = _products[i].Policy;
                ref var s = ref lifecycles[i];
                if (s.Status == LifecycleStatus.Overdue &&
                    _holds.Effective(HoldKind.Suspension, s.Product, s.SuspendAt!.Value) is { } suspendAt && suspendAt <= t)
                {
                    Suspend(ref s, i, t, suspendAt, isLate: false);
                }

                if (s.Status == LifecycleStatus.Suspended && _holds.Effective(HoldKind.Purge, s.Product, s.PurgeAt!.Value) is { } purgeAt)
                {
                    var warnings = policy.PurgeWarnings;
                    for (var w = 0; w < warnings.Count; w++)
                    {
                        var warnAt = purgeAt - warnings[w];
                        if (warnAt == t && warnAt > s.SuspendAt!.Value)
                        {
                            Notify(NotificationKind.PurgeWarning, t, i, s.Episode, purgeAt);
                        }
                    }

                    if (purgeAt <= t)
                    {
                        Purge(ref s, i, t, purgeAt, isLate: false);
                    }
                }
            }
        }

        /// <summary>
        /// Steps 2 to 4 at an entry instant <paramref name="t"/> whose balance (after its entries) is
        /// <paramref name="balance"/>, for the entries walk (<see cref="TryEvaluateEntries"/>), whose precondition makes
        /// steps 0, 1 and 5 act on nothing.
        /// </summary>
        public void ProcessEntries(Instant t, scoped Span<ProductLifecycle> lifecycles, decimal balance)
        {
            _balance = balance;
            Alarm(t, lifecycles);
            CureAndEnter(t, lifecycles, isLate: false);
        }

        /// <summary>Step 2's balance alarm: an armed alarm fires below its threshold, a fired one re-arms at or above it.</summary>
        private void Alarm(Instant t, scoped ReadOnlySpan<ProductLifecycle> lifecycles)
        {
            if (_account.BalanceAlarm is { } alarm && !AllPurged(lifecycles))
            {
                if (AlarmArmed && _balance < alarm)
                {
                    AlarmArmed = false;
                    Notify(NotificationKind.BalanceLow, t, productIndex: -1, episode: 0);
                }
                else if (!AlarmArmed && _balance >= alarm)
                {
                    AlarmArmed = true;
                }
            }
        }

        private void CureAndEnter(Instant t, scoped Span<ProductLifecycle> lifecycles, bool isLate)
        {
            // 3. Cure checks.
            for (var i = 0; i < lifecycles.Length; i++)
            {
                var policy = _products[i].Policy;
                ref var s = ref lifecycles[i];
                var inArrears = _balance < policy.ArrearsThreshold;
                if (s.Status == LifecycleStatus.Overdue && !inArrears)
                {
                    Cure(ref s, i, t, TransitionReason.Paid, isLate);
                }
                else if (s.Status == LifecycleStatus.Suspended && !inArrears &&
                         (policy.ResumeMinimumBalance is not { } minimum || _balance >= minimum))
                {
                    Cure(ref s, i, t, TransitionReason.Resumed, isLate);
                }
            }

            // 4. Entering Overdue starts a new episode with a fresh grace period.
            for (var i = 0; i < lifecycles.Length; i++)
            {
                ref var s = ref lifecycles[i];
                if (s.Status == LifecycleStatus.Active && _balance < _products[i].Policy.ArrearsThreshold)
                {
                    EnterOverdue(ref s, i, t, isLate);
                }
            }
        }

        /// <summary>Returns an Overdue (<see cref="TransitionReason.Paid"/>) or Suspended (<see cref="TransitionReason.Resumed"/>) product to Active.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // out of the callers' frames, whose temporaries the runtime zeroes on every call
        private void Cure(ref ProductLifecycle s, int index, Instant t, TransitionReason reason, bool isLate)
        {
            var from = s.Status;
            Record(index, t, from, LifecycleStatus.Active, reason, s.Episode, isLate);
            s = ProductLifecycle.Active(s.Product, s.Episode);
            if (reason == TransitionReason.Resumed)
            {
                Notify(NotificationKind.Resumed, t, index, s.Episode);
            }
        }

        /// <summary>Starts a new episode of an Active product, with a fresh grace period.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // out of the callers' frames, whose temporaries the runtime zeroes on every call
        private void EnterOverdue(ref ProductLifecycle s, int index, Instant t, bool isLate)
        {
            var episode = s.Episode + 1;
            s = ProductLifecycle.Overdue(s.Product, episode, t, t + _products[index].Policy.Grace);
            Record(index, t, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, episode, isLate);
            Notify(NotificationKind.Overdue, t, index, episode);
        }

        private static bool AllPurged(ReadOnlySpan<ProductLifecycle> lifecycles)
        {
            foreach (ref readonly var s in lifecycles)
            {
                if (s.Status != LifecycleStatus.Purged)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Suspends at <paramref name="t"/> a product whose suspension deadline took effect at <paramref name="effective"/>
        /// (its nominal deadline, or the end of the holds that deferred it); retention starts at <paramref name="t"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // out of the callers' frames, whose temporaries the runtime zeroes on every call
        private void Suspend(ref ProductLifecycle s, int index, Instant t, Instant effective, bool isLate)
        {
            var policy = _products[index].Policy;
            var nominal = s.SuspendAt!.Value;
            s = ProductLifecycle.Suspended(s.Product, s.Episode, s.OverdueSince, t, t + policy.Retention);
            Record(index, t, LifecycleStatus.Overdue, LifecycleStatus.Suspended, TransitionReason.GraceExpired, s.Episode, isLate, HoldKind.Suspension, nominal, effective);
            Notify(NotificationKind.Suspended, t, index, s.Episode);
        }

        /// <summary>Purges at <paramref name="t"/> a product whose purge deadline took effect at <paramref name="effective"/>.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // out of the callers' frames, whose temporaries the runtime zeroes on every call
        private void Purge(ref ProductLifecycle s, int index, Instant t, Instant effective, bool isLate)
        {
            var nominal = s.PurgeAt!.Value;
            s = s.ToPurged();
            Record(index, t, LifecycleStatus.Suspended, LifecycleStatus.Purged, TransitionReason.RetentionExpired, s.Episode, isLate, HoldKind.Purge, nominal, effective);
            Notify(NotificationKind.Purged, t, index, s.Episode);
        }

        private void Record(int index, Instant t, LifecycleStatus from, LifecycleStatus to, TransitionReason reason, int episode, bool isLate)
        {
            Transitions.Add(new Transition(t, from, to, reason, episode, _products[index].Name, isLate));
        }

        /// <summary>Records a deadline's transition, naming the nominal deadline and the holds that deferred it when it acted later.</summary>
        private void Record(
            int index, Instant t, LifecycleStatus from, LifecycleStatus to, TransitionReason reason, int episode, bool isLate, HoldKind kind, Instant nominal, Instant effective)
        {
            if (t == nominal)
            {
                Record(index, t, from, to, reason, episode, isLate);
                return;
            }

            var product = _products[index].Name;
            var heldBy = effective > nominal ? _holds.HeldBy(kind, product, nominal, effective) : [];
            Transitions.Add(new Transition(t, from, to, reason, episode, product, isLate, nominal, heldBy));
        }

        [MethodImpl(MethodImplOptions.NoInlining)] // out of the callers' frames, whose temporaries the runtime zeroes on every call
        private void Notify(NotificationKind kind, Instant t, int productIndex, int episode, Instant? purgeAt = null)
        {
            // The account-level balance alarm (productIndex -1) follows the account policy's alarm route.
            var route = productIndex >= 0 ? _products[productIndex].Policy.RouteFor(kind) : _policy.BalanceAlarmRoute;
            if (route.Audience == Audience.None)
            {
                return;
            }

            var count = Policy.NotificationList.CountOf(route, _account);
            if (count == 0)
            {
                return;
            }

            // Every intent of the event is built from it when the list is first read.
            var product = productIndex >= 0 ? _products[productIndex].Name : null;
            Events.Add(new NotificationEvent(t, kind, _account.Id, episode, product, _balance, purgeAt, route));
            _intentCount += count;
        }
    }

    /// <summary>
    /// Collects an evaluation's transitions or notification events in order: the first eight in a buffer inside the run (on the stack),
    /// handed out as an array of exactly their number, where a list would allocate itself and a larger array; past the
    /// buffer's capacity they move to a list, which is handed out as it is.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    private struct Collector<T>
        where T : class
    {
        private const int Capacity = 8;
        private Buffer _buffer;
        private int _count;
        private List<T>? _overflow;

        public void Add(T item)
        {
            if (_overflow is not null)
            {
                _overflow.Add(item);
            }
            else if (_count < Capacity)
            {
                _buffer[_count++] = item;
            }
            else
            {
                _overflow = new List<T>(Capacity * 2);
                _overflow.AddRange(_buffer);
                _overflow.Add(item);
            }
        }

        /// <summary>Gets how many items were added.</summary>
        public readonly int Count => _overflow?.Count ?? _count;

        /// <summary>Gets the first item (there is one).</summary>
        public readonly T First => _overflow is { } overflow ? overflow[0] : _buffer[0]!;

        /// <summary>The items as a new exact-size array.</summary>
        public readonly T[] ToArray()
        {
            if (_overflow is not null)
            {
                return [.. _overflow];
            }

            var items = new T[_count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = _buffer[i];
            }

            return items;
        }

        /// <summary>The items as an exact-size array (a shared empty one for none), or the overflow list.</summary>
        public readonly IReadOnlyList<T> ToReadOnlyList() => (IReadOnlyList<T>?)_overflow ?? (_count == 0 ? Array.Empty<T>() : ToArray());

        /// <summary>Room for eight references (a whole episode caught up in one evaluation is three transitions and six events).</summary>
        [InlineArray(Capacity)]
        private struct Buffer
        {
            private T _element;
        }
    }
}
