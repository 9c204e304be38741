using Arrears.Policy.Benchmarks.Bulk;

namespace Arrears.Policy.Benchmarks.Tests;

/// <summary>
/// The baseline of the bulk benchmarks (a Stateless machine per account, LINQ sums) must decide what the engine decides,
/// or the ratio the benchmarks report would compare different work. Over 1,000 accounts of the benchmark population
/// (every transitioning one among them), through hourly passes with the benchmarks' facts and then six-hourly passes for
/// 40 days with payments that cure, resume and fall short of the resume minimum, after every pass each account has the
/// same status, episode and deadlines in the baseline, in the engine's compact working set and in the runtime over the
/// in-memory store, and in the end the same transitions.
/// </summary>
public sealed class BaselineAgreementTests
{
    private const int Accounts = 1_000;

    [Fact]
    public async Task Baseline_BenchmarkPopulationOverFortyDays_DecidesWhatTheEngineDecides()
    {
        var baseline = new BaselineWorkingSet(Accounts);
        var engine = new EngineWorkingSet(Accounts);
        var runtime = new RuntimeWorkingSet(Accounts, threads: 1);
        AssertAgree(baseline, engine, runtime, 0);

        var passes = Enumerable.Range(1, 48).Concat(Enumerable.Range(9, 152).Select(p => p * 6)).ToList();
        foreach (var pass in passes)
        {
            if (pass <= 48)
            {
                baseline.Arrive(pass);
                engine.Arrive(pass);
                runtime.Arrive(pass);
            }

            if (pass == 300)
            {
                // Some overdue accounts pay (cured); some suspended ones pay enough to resume, others not enough.
                for (var i = 0; i < Accounts; i++)
                {
                    var payment = Population.MixOf(i) switch
                    {
                        Mix.Overdue when i % 3 == 0 => 100m,
                        Mix.Suspended when i % 2 == 1 => 300m,
                        Mix.Suspended => 60m,
                        _ => 0m,
                    };
                    if (payment > 0)
                    {
                        var entry = new LedgerEntry($"rescue-{i}", LedgerEntryKind.Payment, Population.PassAt(pass) - Duration.FromHours(2), payment);
                        baseline.Append(i, entry);
                        engine.Append(i, entry);
                        runtime.Append(i, entry);
                    }
                }
            }

            var now = Population.PassAt(pass);
            var expected = baseline.Pass(now, threads: 1);
            Assert.Equal(expected, engine.PassDue(now, threads: 1));
            var summary = runtime.Pass(now);
            Assert.Equal((expected, 0), (summary.TransitionsTo.Values.Sum(), summary.Failures));
            AssertAgree(baseline, engine, runtime, pass);
        }

        var reasons = new HashSet<TransitionReason>();
        for (var i = 0; i < Accounts; i++)
        {
            var history = await runtime.Store.HistoryAsync($"acct-{i}", default);
            Assert.Equal(
                baseline.Accounts[i].Transitions.Select(t => (t.At, t.From, t.To, t.Reason, t.Episode)),
                history.Select(t => (t.At, t.From, t.To, t.Reason, t.Episode)));
            reasons.UnionWith(history.Select(t => t.Reason));
        }

        // Every rule was exercised, so agreement means something.
        Assert.Equal(Enum.GetValues<TransitionReason>().ToHashSet(), reasons);
    }

    [Fact]
    public void Population_Mix_IsTheIssuesShares()
    {
        var mixes = Enumerable.Range(0, 10_000).Select(Population.MixOf).GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal((9_000, 700, 200, 100), (mixes[Mix.Healthy], mixes[Mix.Overdue], mixes[Mix.Suspended], mixes[Mix.Transitioning]));
        Assert.All(Enumerable.Range(0, 1_000).Select(Population.Account), a => Assert.InRange(a.Entries.Length, 20, 50));
    }

    private static void AssertAgree(BaselineWorkingSet baseline, EngineWorkingSet engine, RuntimeWorkingSet runtime, int pass)
    {
        for (var i = 0; i < Accounts; i++)
        {
            var naive = baseline.Accounts[i];
            var expected = (naive.Status, naive.Episode, Relevant(naive.Status, naive.OverdueSince, naive.SuspendAt, naive.PurgeAt));
            var stored = runtime.Store.FindAccountAsync($"acct-{i}", default).AsTask().GetAwaiter().GetResult()!;
            foreach (var state in new[] { engine.StateOf(i), stored.State })
            {
                var lifecycle = state.LifecycleOf(null);
                var actual = (lifecycle.Status, lifecycle.Episode, Relevant(lifecycle.Status, lifecycle.OverdueSince, lifecycle.SuspendAt, lifecycle.PurgeAt));
                Assert.True(expected == actual, $"pass {pass}, account {i} ({Population.MixOf(i)}): baseline {expected}, engine {actual}");
            }
        }
    }

    /// <summary>The deadlines that mean something in a status (a purged lifecycle keeps only its purge instant).</summary>
    private static (Instant?, Instant?, Instant?) Relevant(LifecycleStatus status, Instant? since, Instant? suspendAt, Instant? purgeAt) => status switch
    {
        LifecycleStatus.Overdue => (since, suspendAt, null),
        LifecycleStatus.Suspended => (since, suspendAt, purgeAt),
        LifecycleStatus.Purged => (null, null, purgeAt),
        _ => (null, null, null),
    };
}
