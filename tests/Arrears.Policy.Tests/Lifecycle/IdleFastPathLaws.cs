using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// The idle fast path (<see cref="LifecycleEngine.TryEvaluateIdle"/>) against the full walk of every instant
/// (<see cref="AccountPolicy.EvaluateFull"/>): whenever the fast path answers, its evaluation is the full walk's, field by
/// field (state, transitions, intents and their keys, next review, balance and its scale). The instants probed are aimed at
/// the boundaries: exactly at the next review and a tick either side, exactly at entry instants (an entry at <c>now</c>),
/// a tick after the last evaluation, and the generated instants; with one and two products (the second under another
/// policy), holds of every product or of one, entries known late (including at exactly the last evaluated instant), the
/// balance alarm, a <see cref="Ledger"/> and the compact ledger (the fast path reads them differently).
/// </summary>
[Properties(Arbitrary = [typeof(LawArbitraries)], MaxTest = 500)]
public sealed class IdleFastPathLaws
{
    [Property]
    public Property FastPath_AgreesWithTheFullWalk(LawCase c) => Check(c).Label(c.ToString());

    /// <summary>
    /// The law above is only worth something if the fast path answers often and declines often over the generated cases
    /// (a fast path that always declined would pass it vacuously; one that never declined would be wrong).
    /// </summary>
    [Fact]
    public void FastPath_IsTakenAndDeclinedOverTheGeneratedCases() => AnswersAndDeclinesOften(Idle, "the fast path");

    /// <summary>
    /// Intents format their keys when first read: every key equals the one the public <see cref="NotificationKey"/>
    /// functions build from the intent's own parts (a purge warning's offset being its purge instant minus its instant),
    /// for one product and for two named ones.
    /// </summary>
    [Property]
    public Property LazyKeys_AreTheKeysOfTheIntentsParts(LawCase c)
    {
        var account = c.Account();
        var policies = new[] { AccountPolicy.For(c.Policy()), new AccountPolicyBuilder().AddProduct("a/1", c.Policy()).AddProduct("b%", c.Policy()).Build() };
        var mismatches = new List<string>();
        var count = 0;
        foreach (var policy in policies)
        {
            foreach (var n in policy.Evaluate(account, c.Ledger(), c.HoldSet(), AccountState.Initial, c.Until).Notifications)
            {
                count++;
                var expected = n.Kind switch
                {
                    NotificationKind.PurgeWarning => NotificationKey.ForPurgeWarning(account.Id, n.Product, n.Episode, n.PurgeAt!.Value - n.At, n.PurgeAt.Value, n.Recipient, n.Channel),
                    NotificationKind.BalanceLow => NotificationKey.ForBalanceLow(account.Id, n.At, n.Recipient, n.Channel),
                    _ => NotificationKey.For(account.Id, n.Product, n.Episode, n.Kind, n.Recipient, n.Channel),
                };
                if (n.Key != expected || !string.Equals(n.Key.Value, n.Key.Value, StringComparison.Ordinal) || n.Key.Value.Length == 0)
                {
                    mismatches.Add($"{n.Key.Value} != {expected.Value}");
                }
            }
        }

        return (mismatches.Count == 0).Label(string.Join(Environment.NewLine, mismatches)).Classify(count > 0, "with notifications");
    }

    [Theory]
    [InlineData(DeadlineBoundary.Inclusive)]
    [InlineData(DeadlineBoundary.Exclusive)]
    public void FastPath_DeclinesAtTheSuspensionDeadlineAndAnswersBefore(DeadlineBoundary boundary)
    {
        var policy = AccountPolicy.For(LifecyclePolicy.Create(new LifecyclePolicyOptions { Name = "p", Grace = Duration.FromHours(24), GraceBoundary = boundary }));
        var account = new AccountProfile("acct", "owner@example.com");
        var ledger = new Ledger(EngineHarness.Cny);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, LawCase.T0, 5m));
        var state = policy.Evaluate(account, ledger, AccountState.Initial, LawCase.T0).State;
        var deadline = LawCase.T0 + Duration.FromHours(24);

        Assert.True(LifecycleEngine.TryEvaluateIdle([.. policy.Products], account, ledger, HoldSet.Empty, state, LawCase.T0, deadline - Duration.Epsilon, out var before));
        Assert.Equal(deadline, before.NextReviewAt);
        Assert.False(LifecycleEngine.TryEvaluateIdle([.. policy.Products], account, ledger, HoldSet.Empty, state, LawCase.T0, deadline, out _));
        Assert.Single(policy.Evaluate(account, ledger, state, deadline).Transitions);
    }

    [Fact]
    public void FastPath_DeclinesAnEntryAtNowOrOneKnownLateAtTheLastEvaluation()
    {
        var policy = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
        var account = new AccountProfile("acct", "owner@example.com");
        var ledger = new Ledger(EngineHarness.Cny, 10m);
        var last = LawCase.T0;
        var state = policy.Evaluate(account, ledger, AccountState.Initial, last).State;
        var now = last + Duration.FromHours(1);
        Assert.True(LifecycleEngine.TryEvaluateIdle([.. policy.Products], account, ledger, HoldSet.Empty, state, last, now, out _));

        ledger.Append(new LedgerEntry("at-now", LedgerEntryKind.Charge, now, 1m));
        Assert.False(LifecycleEngine.TryEvaluateIdle([.. policy.Products], account, ledger, HoldSet.Empty, state, last, now, out _));

        var late = new Ledger(EngineHarness.Cny, 10m);
        late.Append(new LedgerEntry("at-last", LedgerEntryKind.Charge, last, 20m));
        Assert.False(LifecycleEngine.TryEvaluateIdle([.. policy.Products], account, late, HoldSet.Empty, state, last, now, out _));
        var evaluation = policy.Evaluate(account, late, state, now);
        Assert.True(Assert.Single(evaluation.Transitions).IsLate);
    }

    [Fact]
    public void FastPath_DeclinesWhenTheAlarmWouldFireOrRearm()
    {
        var policy = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
        var ledger = new Ledger(EngineHarness.Cny, 10m);
        var last = LawCase.T0;
        var now = last + Duration.FromHours(1);
        var armed = new AccountProfile("acct", "owner@example.com", balanceAlarm: 5m);
        var state = policy.Evaluate(armed, ledger, AccountState.Initial, last).State;
        Assert.True(state.AlarmArmed);
        Assert.True(LifecycleEngine.TryEvaluateIdle([.. policy.Products], armed, ledger, HoldSet.Empty, state, last, now, out _));

        // The same state under a higher threshold: the balance is now below it, so the alarm fires at now.
        var higher = new AccountProfile("acct", "owner@example.com", balanceAlarm: 20m);
        Assert.False(LifecycleEngine.TryEvaluateIdle([.. policy.Products], higher, ledger, HoldSet.Empty, state, last, now, out _));

        // A disarmed alarm with the balance back above the threshold re-arms (a state change, no notification).
        var disarmed = new AccountState(state.Lifecycles, alarmArmed: false, last);
        Assert.False(LifecycleEngine.TryEvaluateIdle([.. policy.Products], armed, ledger, HoldSet.Empty, disarmed, last, now, out _));
        Assert.True(policy.Evaluate(armed, ledger, disarmed, now).State.AlarmArmed);
    }

    private static Property Check(LawCase c) => Agrees(c, Idle, "fast path");

    /// <summary>The law that <paramref name="fastPath"/>, whenever it answers, answers as the full walk does (<see cref="Probe(LawCase, FastPath, Action{LifecyclePolicyOptions}?)"/>).</summary>
    internal static Property Agrees(LawCase c, FastPath fastPath, string name, Action<LifecyclePolicyOptions>? configure = null)
    {
        var outcome = Probe(c, fastPath, configure);
        return (outcome.Mismatch is null).Label(outcome.Mismatch ?? string.Empty)
            .Classify(outcome.Taken > 0, $"{name} taken")
            .Classify(outcome.Declined > 0, $"{name} declined");
    }

    /// <summary>
    /// Such a law is only worth something if the fast path answers often and declines often over the generated cases (one
    /// that always declined would pass it vacuously; one that never declined would be wrong).
    /// </summary>
    internal static void AnswersAndDeclinesOften(FastPath fastPath, string name)
    {
        var taken = 0;
        var declined = 0;
        foreach (var c in LawArbitraries.CaseGen().Sample(200, 10))
        {
            var outcome = Probe(c, fastPath);
            Assert.True(outcome.Mismatch is null, outcome.Mismatch + Environment.NewLine + c);
            taken += outcome.Taken;
            declined += outcome.Declined;
        }

        Assert.True(taken > 100, $"{name} answered {taken} probes");
        Assert.True(declined > 100, $"{name} declined {declined} probes");
    }

    internal sealed record Outcome(int Taken, int Declined, string? Mismatch);

    /// <summary>A fast path under test: its evaluation of the account at <c>now</c>, or null when it declines.</summary>
    internal delegate Evaluation? FastPath(AccountPolicy policy, AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant last, Instant now);

    private static Outcome Probe(LawCase c) => Probe(c, Idle);

    private static Evaluation? Idle(AccountPolicy policy, AccountProfile account, IBalanceHistory balances, HoldSet holds, AccountState state, Instant last, Instant now) =>
        LifecycleEngine.TryEvaluateIdle([.. policy.Products], account, balances, holds, state, last, now, out var fast) ? fast : null;

    /// <summary>
    /// Evaluates the case's accounts on a schedule and, after each evaluation, probes <paramref name="fastPath"/> at the
    /// boundary instants against the full walk, with entries known on time, all entries, and the compact ledger;
    /// <paramref name="configure"/> changes both products' policy options (their routes, for example).
    /// </summary>
    internal static Outcome Probe(LawCase c, FastPath fastPath, Action<LifecyclePolicyOptions>? configure = null)
    {
        var taken = 0;
        var declined = 0;
        var policy = c.Policy(configure);
        var otherOptions = new LifecyclePolicyOptions
        {
            Name = "other",
            Grace = c.Grace + Duration.FromHours(1),
            GraceBoundary = c.GraceBoundary == DeadlineBoundary.Inclusive ? DeadlineBoundary.Exclusive : DeadlineBoundary.Inclusive,
            Retention = c.Retention,
            RetentionBoundary = c.RetentionBoundary,
            Tolerance = c.Tolerance + 1m,
        };
        configure?.Invoke(otherOptions);
        var other = LifecyclePolicy.Create(otherOptions);
        var single = AccountPolicy.For(policy);
        var two = new AccountPolicyBuilder().AddProduct("a", policy).AddProduct("b", other).Build();
        var account = c.Account();

        // Entries known on time, and all of them (every third one arriving late, after evaluations passed its instant).
        var onTime = c.Ledger(c.Entries.Where((_, i) => i % 3 != 2));
        var all = c.Ledger();
        var compact = CompactLedger.Empty(EngineHarness.Cny, c.Opening).Append([.. all.Entries], out _)!;
        var entryInstants = c.Entries.Select(e => e.At).Distinct().Order().ToList();
        var schedule = c.Evaluations.Concat(entryInstants).Append(c.Until).Distinct().Order().ToList();

        foreach (var (accountPolicy, holds) in new[] { (single, c.HoldSet()), (two, c.HoldSet()), (two, c.HoldSet("a")) })
        {
            var state = AccountState.Initial;
            foreach (var instant in schedule)
            {
                var evaluation = accountPolicy.EvaluateFull(account, onTime, holds, state, instant);
                state = evaluation.State;
                var last = instant;
                var probes = new List<Instant> { last + Duration.Epsilon, last + Duration.FromHours(1), c.Until, c.Until + Duration.FromDays(400) };
                if (evaluation.NextReviewAt is { } review)
                {
                    probes.AddRange([review - Duration.Epsilon, review, review + Duration.Epsilon]);
                }

                probes.AddRange(entryInstants.Where(at => at > last).SelectMany(at => new[] { at - Duration.Epsilon, at }));
                foreach (var now in probes.Where(p => p > last).Distinct())
                {
                    foreach (IBalanceHistory balances in new IBalanceHistory[] { onTime, all, compact })
                    {
                        var full = accountPolicy.EvaluateFull(account, balances, holds, state, now);
                        if (fastPath(accountPolicy, account, balances, holds, state, last, now) is not { } fast)
                        {
                            declined++;
                            continue;
                        }

                        taken++;
                        if (Differences(fast, full) is { } difference)
                        {
                            return new Outcome(taken, declined, string.Create(CultureInfo.InvariantCulture,
                                $"{(accountPolicy == single ? "one product" : "two products")}, holds {holds}, {(balances == compact ? "compact" : balances == all ? "all entries" : "on-time entries")}, last {last}, now {now}: {difference}"));
                        }

                        // The public entry point answers as the full walk does too (through the fast path here).
                        if (Differences(accountPolicy.Evaluate(account, balances, holds, state, now), full) is { } publicDifference)
                        {
                            return new Outcome(taken, declined, $"Evaluate, last {last}, now {now}: {publicDifference}");
                        }
                    }
                }
            }
        }

        return new Outcome(taken, declined, null);
    }

    /// <summary>Every observable difference between two evaluations, or null when there is none.</summary>
    internal static string? Differences(Evaluation actual, Evaluation expected)
    {
        var problems = new List<string>();
        if (actual.State != expected.State)
        {
            problems.Add($"state {actual.State} != {expected.State}");
        }

        if (!actual.Transitions.SequenceEqual(expected.Transitions))
        {
            problems.Add($"transitions {LifecycleLaws.Show(actual.Transitions)} != {LifecycleLaws.Show(expected.Transitions)}");
        }

        if (!actual.Notifications.SequenceEqual(expected.Notifications) ||
            !actual.Notifications.Select(n => n.Key.Value).SequenceEqual(expected.Notifications.Select(n => n.Key.Value), StringComparer.Ordinal))
        {
            problems.Add($"notifications {string.Join(", ", actual.Notifications)} != {string.Join(", ", expected.Notifications)}");
        }

        if (actual.NextReviewAt != expected.NextReviewAt)
        {
            problems.Add($"next review {actual.NextReviewAt} != {expected.NextReviewAt}");
        }

        // The same value with the same scale (10.00 is not 10.0 when printed).
        if (!decimal.GetBits(actual.Balance).AsSpan().SequenceEqual(decimal.GetBits(expected.Balance)))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"balance {actual.Balance} != {expected.Balance}"));
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
