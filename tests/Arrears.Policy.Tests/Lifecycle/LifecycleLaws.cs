using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// The laws of the lifecycle specification, as FsCheck properties over generated histories aimed at the deadline boundaries.
/// Most cases carry holds, known on time (every evaluation sees all of them), so every law here also holds with holds.
/// A failing case prints as a scenario of the simulate contract (and the evaluation instants), replayable with the CLI.
/// </summary>
[Properties(Arbitrary = [typeof(LawArbitraries)], MaxTest = 1000)]
public sealed class LifecycleLaws
{
    internal static Evaluation Once(LawCase c, Ledger? ledger = null, HoldSet? holds = null) =>
        AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger ?? c.Ledger(), holds ?? c.HoldSet(), AccountState.Initial, c.Until);

    internal static (List<Transition> Transitions, List<NotificationIntent> Notifications, AccountState State) Stepwise(LawCase c, IEnumerable<Instant> instants, Ledger? ledger = null)
    {
        var policy = c.Policy();
        var account = c.Account();
        var holds = c.HoldSet();
        ledger ??= c.Ledger();
        var state = AccountState.Initial;
        var transitions = new List<Transition>();
        var notifications = new List<NotificationIntent>();
        foreach (var instant in instants)
        {
            var evaluation = AccountPolicy.For(policy).Evaluate(account, ledger, holds, state, instant);
            state = evaluation.State;
            transitions.AddRange(evaluation.Transitions);
            notifications.AddRange(evaluation.Notifications);
        }

        return (transitions, notifications, state);
    }

    internal static string Show(IEnumerable<Transition> transitions) =>
        string.Join(" | ", transitions.Select(t => $"{t.At} {t.From}->{t.To} {t.Reason} #{t.Episode}{(t.IsLate ? " late" : string.Empty)}{(t.DeferredFrom is { } d ? $" from {d} by {string.Join(",", t.HeldBy)}" : string.Empty)}"));

    internal static ReferenceModel.Step StepOf(Transition t) =>
        new(t.At, t.From, t.To, t.Reason, t.Episode, t.DeferredFrom, string.Join(",", t.HeldBy));

    /// <summary>
    /// Laws 1, 5 and 6: boundaries, causality, deadlines that never move but for holds, and cures inside the window, against
    /// an independent model; deferred deadlines name the instant they would have acted at and the holds in force since.
    /// </summary>
    [Property]
    public Property Evaluate_AgreesWithTheEpisodeModel(LawCase c)
    {
        var actual = Once(c);
        var expected = ReferenceModel.Run(c);

        var transitionsAgree = expected.Transitions.SequenceEqual(actual.Transitions.Select(StepOf));
        var actualEvents = actual.Notifications.Select(n => (n.At, n.Kind, n.PurgeAt)).Distinct().Order().ToList();
        var eventsAgree = expected.Events.Order().SequenceEqual(actualEvents);
        return (transitionsAgree && eventsAgree).Label(
            $"expected {string.Join(" | ", expected.Transitions)}; events {string.Join(", ", expected.Events.Order())}{Environment.NewLine}" +
            $"actual   {Show(actual.Transitions)}; events {string.Join(", ", actualEvents)}")
            .Classify(c.Holds.Count > 0, "with holds")
            .Classify(actual.Transitions.Any(t => t.DeferredFrom is not null), "a deadline deferred");
    }

    /// <summary>Law 2: any increasing sequence of evaluations ending at T gives what one evaluation at T gives.</summary>
    [Property]
    public Property Evaluate_IsScheduleIndependent(LawCase c)
    {
        var single = Once(c);
        var stepwise = Stepwise(c, [.. c.Evaluations, c.Until]);

        var sameTransitions = single.Transitions.SequenceEqual(stepwise.Transitions);
        var sameKeys = single.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal)
            .SequenceEqual(stepwise.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        var sameState = single.State.Lifecycles[0] == stepwise.State.Lifecycles[0] && single.State.AlarmArmed == stepwise.State.AlarmArmed;
        return (sameTransitions && sameKeys && sameState).Label($"once: {Show(single.Transitions)}{Environment.NewLine}stepwise: {Show(stepwise.Transitions)}");
    }

    /// <summary>Law 3: evaluating twice at the same instant yields nothing new.</summary>
    [Property]
    public bool Evaluate_TwiceAtTheSameInstant_YieldsNothingNew(LawCase c)
    {
        var ledger = c.Ledger();
        var first = Once(c, ledger);
        var again = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger, c.HoldSet(), first.State, c.Until);
        return !again.HasChanges && again.State == first.State && again.NextReviewAt == first.NextReviewAt;
    }

    /// <summary>Law 4: Purged is absorbing, whatever entries follow.</summary>
    [Property]
    public Property Evaluate_PurgedIsAbsorbing(LawCase c)
    {
        var ledger = c.Ledger();
        var first = Once(c, ledger);
        if (first.State.Lifecycles[0].Status != LifecycleStatus.Purged)
        {
            return Prop.ToProperty(first.Transitions.All(t => t.From != LifecycleStatus.Purged)).Classify(true, "not purged");
        }

        ledger.Append(new LedgerEntry("after-pay", LedgerEntryKind.Payment, c.Until + Duration.FromHours(1), 1_000m));
        ledger.Append(new LedgerEntry("after-charge", LedgerEntryKind.Charge, c.Until + Duration.FromHours(2), 5_000m));
        var later = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger, c.HoldSet(), first.State, c.Until + Duration.FromDays(400));
        return (!later.HasChanges && later.State.Lifecycles[0].Status == LifecycleStatus.Purged && later.NextReviewAt is null).ToProperty().Classify(true, "purged");
    }

    /// <summary>
    /// Law 7: the arrival order of entries never matters. Entries arrive shuffled, in batches, each at some evaluation before
    /// the first one that passes its instant, with replays of what already arrived; the result is that of one evaluation.
    /// </summary>
    [Property]
    public Property Evaluate_ArrivalOrderNeverMatters(LawCase c, int seed)
    {
        var random = new Random(seed);
        var schedule = c.Evaluations.Append(c.Until).ToList();
        var pending = c.Entries.OrderBy(_ => random.Next()).ToList();
        var ledger = new Ledger(EngineHarness.Cny, c.Opening);
        var state = AccountState.Initial;
        var transitions = new List<Transition>();
        var keys = new List<string>();
        foreach (var instant in schedule)
        {
            // Everything due by this evaluation arrives now, plus a random share of what is due later, in random order.
            var arriving = pending.Where(e => e.At <= instant || random.Next(3) == 0).ToList();
            pending.RemoveAll(arriving.Contains);
            foreach (var batch in arriving.Chunk(Math.Max(1, random.Next(1, 4))))
            {
                ledger.Append(batch.Select(e => e.ToLedgerEntry()));
            }

            ledger.Append(ledger.Entries.Take(random.Next(0, ledger.Count + 1)).ToList());
            var evaluation = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger, c.HoldSet(), state, instant);
            state = evaluation.State;
            transitions.AddRange(evaluation.Transitions);
            keys.AddRange(evaluation.Notifications.Select(n => n.Key.Value));
        }

        var once = Once(c);
        return (once.Transitions.SequenceEqual(transitions) &&
                once.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal).SequenceEqual(keys.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            .Label($"once: {Show(once.Transitions)}{Environment.NewLine}arriving: {Show(transitions)}");
    }

    /// <summary>
    /// Late entries: decisions already taken are never rewritten; late transitions are stamped at the first instant the
    /// evaluation looks at, before any other; and the state afterwards agrees with the balance.
    /// </summary>
    [Property]
    public Property Evaluate_LateEntriesNeverRewriteDecisions(LawCase c, int seed)
    {
        var random = new Random(seed);
        var middle = c.Evaluations.Count > 0 ? c.Evaluations[random.Next(c.Evaluations.Count)] : LawCase.T0 + Duration.FromHours(12);
        var late = c.Entries.Skip(1).Where(_ => random.Next(2) == 0).ToHashSet();
        var ledger = new Ledger(EngineHarness.Cny, c.Opening);
        ledger.Append(c.Entries.Where(e => !late.Contains(e)).Select(e => e.ToLedgerEntry()));
        var policy = c.Policy();
        var account = c.Account();

        var holds = c.HoldSet();
        var first = AccountPolicy.For(policy).Evaluate(account, ledger, holds, AccountState.Initial, middle);
        ledger.Append(late.Select(e => e.ToLedgerEntry()));
        var until = c.Until > middle ? c.Until : middle + Duration.FromHours(1);
        var second = AccountPolicy.For(policy).Evaluate(account, ledger, holds, first.State, until);

        var lateOnes = second.Transitions.Where(t => t.IsLate).ToList();
        var allAfter = second.Transitions.All(t => t.At > middle);
        var lateFirst = lateOnes.Count == 0 ||
                        (lateOnes.All(t => t.At == lateOnes[0].At) && second.Transitions.TakeWhile(t => t.IsLate).Count() == lateOnes.Count);
        var anyLateEntry = late.Any(e => e.At <= middle);
        var lateOnlyWithLateEntries = anyLateEntry || lateOnes.Count == 0;
        var balance = ledger.BalanceAt(until);
        var s = second.State.Lifecycles[0];
        // The deadlines still ahead are the effective ones (a hold may hold a nominal deadline that has passed); none under a hold with no end.
        bool Ahead(HoldKind kind, Instant nominal) =>
            ReferenceModel.Defer(ReferenceModel.Windows(c.Holds, c.Revocations, kind), nominal).At is not { } effective || effective > until;
        var consistent = s.Status switch
        {
            LifecycleStatus.Active => balance >= -c.Tolerance,
            LifecycleStatus.Overdue => balance < -c.Tolerance && Ahead(HoldKind.Suspension, s.SuspendAt!.Value),
            LifecycleStatus.Suspended => (balance < -c.Tolerance || (c.ResumeMinimum is { } min && balance < min)) && Ahead(HoldKind.Purge, s.PurgeAt!.Value),
            _ => true,
        };
        // A deadline acted on in the second evaluation found the account still in arrears just before it, late entries included.
        bool Resumable(decimal b) => b >= -c.Tolerance && (c.ResumeMinimum is not { } m || b >= m);
        // (Unless the episode or the suspension began at that same instant: a zero grace or retention.)
        var deadlinesEarned = second.Transitions.All(t => t.Reason switch
        {
            TransitionReason.GraceExpired => ledger.BalanceAt(t.At - Duration.Epsilon) < -c.Tolerance ||
                                             second.Transitions.Any(o => o.At == t.At && o.Reason == TransitionReason.InArrears),
            TransitionReason.RetentionExpired => !Resumable(ledger.BalanceAt(t.At - Duration.Epsilon)) ||
                                                 second.Transitions.Any(o => o.At == t.At && o.Reason == TransitionReason.GraceExpired),
            _ => true,
        });
        return (allAfter && lateFirst && lateOnlyWithLateEntries && consistent && deadlinesEarned)
            .Label($"evaluated at {middle}, then {until}; late entries {string.Join(", ", late.Select(e => e.Id))}{Environment.NewLine}first: {Show(first.Transitions)}{Environment.NewLine}second: {Show(second.Transitions)}")
            .Classify(anyLateEntry, "with late entries");
    }

    /// <summary>Products are independent: each product's lifecycle is the one it would have on its own under its policy.</summary>
    [Property]
    public Property Evaluate_EachProductBehavesAsOnItsOwn(LawCase c, LawCase other)
    {
        var mine = c.Policy();
        var theirs = other.Policy();
        var products = new AccountPolicyBuilder().AddProduct("a", mine).AddProduct("b", theirs).Build();
        var ledger = c.Ledger();
        var holds = c.HoldSet();
        var both = products.Evaluate(c.Account(), ledger, holds, AccountState.Initial, c.Until);

        bool Same(string product, LifecyclePolicy policy)
        {
            var alone = AccountPolicy.For(policy).Evaluate(c.Account(), ledger, holds, AccountState.Initial, c.Until);
            var inBoth = both.Transitions.Where(t => t.Product == product).Select(t => (t.At, t.From, t.To, t.Reason, t.Episode, t.IsLate, StepOf(t)));
            var intents = both.Notifications.Where(n => n.Product == product).Select(n => (n.At, n.Kind, n.Recipient, n.Channel, Key: n.Key.Value.Replace($"/{product}/", "/", StringComparison.Ordinal)));
            return alone.Transitions.Select(t => (t.At, t.From, t.To, t.Reason, t.Episode, t.IsLate, StepOf(t))).SequenceEqual(inBoth) &&
                   alone.Notifications.Where(n => n.Kind != NotificationKind.BalanceLow).Select(n => (n.At, n.Kind, n.Recipient, n.Channel, n.Key.Value)).SequenceEqual(intents);
        }

        var alarmsOnce = both.Notifications.Where(n => n.Kind == NotificationKind.BalanceLow).All(n => n.Product is null);
        return (Same("a", mine) && Same("b", theirs) && alarmsOnce).Label(Show(both.Transitions));
    }

    /// <summary>Law 8: with no new entries nothing happens before the reported next review instant, and something does at it.</summary>
    [Property]
    public Property Evaluate_NothingChangesBeforeNextReviewAndSomethingDoesAtIt(LawCase c)
    {
        var ledger = c.Ledger();
        var holds = c.HoldSet();
        var first = Once(c, ledger);
        var lastEntry = ledger.Entries[^1].At;
        if (first.NextReviewAt is not { } next)
        {
            var muchLater = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger, holds, first.State, Instant.Max(c.Until, lastEntry) + Duration.FromDays(1000));
            return Prop.ToProperty(c.Until < lastEntry || !muchLater.HasChanges).Classify(true, "no review");
        }

        if (lastEntry > c.Until && lastEntry <= next)
        {
            return Prop.ToProperty(true).Classify(true, "entries ahead");
        }

        var justBefore = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger, holds, first.State, next - Duration.Epsilon);
        var at = AccountPolicy.For(c.Policy()).Evaluate(c.Account(), ledger, holds, justBefore.State, next);
        return (next > c.Until && !justBefore.HasChanges && justBefore.NextReviewAt == next && at.HasChanges && at.Transitions.Concat<object>(at.Notifications).Any())
            .Label($"next review {next}: before {Show(justBefore.Transitions)}; at {Show(at.Transitions)}")
            .Classify(true, "review");
    }

    /// <summary>Law 9: keys are unique, and each notifying transition fans out to exactly audience × channels intents.</summary>
    [Property]
    public Property Evaluate_KeysAreUniqueAndFanOutIsAudienceTimesChannels(LawCase c)
    {
        var stepwise = Stepwise(c, [.. c.Evaluations, c.Until]);
        var keysUnique = stepwise.Notifications.Select(n => n.Key.Value).Distinct(StringComparer.Ordinal).Count() == stepwise.Notifications.Count;
        const int audienceTimesChannels = 2 * 2;
        var fanOut = stepwise.Notifications
            .GroupBy(n => (n.At, n.Kind, n.Episode, Qualifier: n.Key.Value[..n.Key.Value.LastIndexOf('/', n.Key.Value.LastIndexOf('/') - 1)]))
            .All(g => g.Count() == audienceTimesChannels &&
                      g.Select(n => (n.Recipient, n.Channel)).Distinct().Count() == audienceTimesChannels);
        var notifying = stepwise.Transitions.Count(t => t.Reason != TransitionReason.Paid);
        var transitionIntents = stepwise.Notifications.Count(n => n.Kind is NotificationKind.Overdue or NotificationKind.Suspended or NotificationKind.Resumed or NotificationKind.Purged);
        return (keysUnique && fanOut && transitionIntents == notifying * audienceTimesChannels).Label($"{stepwise.Notifications.Count} intents");
    }
}
