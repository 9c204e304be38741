using Arrears.Policy.Runtime;
using Arrears.Policy.Tests.Lifecycle;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Runtime;

/// <summary>
/// Host replay equals simulation: a generated account (daily usage rated in a zone with daylight saving, payments, an alarm)
/// fed through the runtime's host API as its facts happen, evaluated whenever the runtime is due and at random extra wakes
/// on a fake clock, ends with the transitions, notification keys and final status of one simulation.
/// </summary>
[Properties(Arbitrary = [typeof(RuntimeReplayLaws)], MaxTest = 200)]
public sealed class RuntimeReplayLaws
{
    public static Arbitrary<RuntimeCase> Cases() => Arb.From(
        from host in HostReplayLaws.Cases().Generator
        from wakes in Gen.Choose(1, 120).ListOf(8)
        select new RuntimeCase(host, [.. wakes.Select(hours => Duration.FromHours(hours) + Duration.FromMinutes(hours % 7 * 13))]));

    [Property]
    public Property Runtime_FedFactsAsTheyHappenOnRandomWakes_MatchesOneSimulation(RuntimeCase c) =>
        RunAsync(c).GetAwaiter().GetResult();

    private static async Task<Property> RunAsync(RuntimeCase c)
    {
        var scenario = c.Host.Scenario();
        var simulated = Simulator.Run(scenario);
        var until = scenario.Until;
        var facts = scenario.Usage.Where(u => u.At <= until).Select(u => (u.At, Usage: (UsageRecord?)u, Entry: (LedgerEntry?)null))
            .Concat(scenario.Entries.Where(e => e.At <= until).Select(e => (e.At, Usage: (UsageRecord?)null, Entry: (LedgerEntry?)e)))
            .OrderBy(f => f.At)
            .ToList();
        var start = Instant.Min(c.Host.Start, facts.Count > 0 ? facts[0].At : c.Host.Start) - Duration.FromHours(1);
        var wakes = c.Wakes.Select(offset => start + offset).Where(w => w < until).Order().ToList();

        var h = new RuntimeHarness(start: start, policies: new Dictionary<string, AccountPolicy> { ["p"] = AccountPolicy.For(scenario.Policy) });
        await h.Runtime.RegisterAsync(new AccountRegistration(scenario.Account, "p", scenario.Currency, scenario.TimeZone, scenario.OpeningBalance, scenario.Items), default);
        var passes = 0;
        while (true)
        {
            var now = h.Clock.GetCurrentInstant();
            var next = until;
            if (facts.Count > 0 && facts[0].At < next)
            {
                next = facts[0].At;
            }

            if (await h.Runtime.NextDueAsync(default) is { } due && due < next)
            {
                next = due;
            }

            if (wakes.FirstOrDefault(w => w > now) is var wake && wake > now && wake < next)
            {
                next = wake;
            }

            h.Clock.Reset(Instant.Max(next, now));
            while (facts.Count > 0 && facts[0].At <= h.Clock.GetCurrentInstant())
            {
                var fact = facts[0];
                facts.RemoveAt(0);
                if (fact.Usage is { } usage)
                {
                    await h.Runtime.RecordUsageAsync("acct-dst", $"u{usage.At}/{usage.Quantity}/{facts.Count}", [usage], default);
                }
                else
                {
                    await h.Runtime.AppendAsync("acct-dst", [fact.Entry!], default);
                }
            }

            await h.Runtime.RunOnceAsync(default);
            if (h.Clock.GetCurrentInstant() >= until || ++passes > 5_000)
            {
                break;
            }
        }

        var history = await h.Store.HistoryAsync("acct-dst", default);
        var outbox = (await h.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Delivered, max: 10_000), default))
            .Concat(await h.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.Pending, max: 10_000), default))
            .Concat(await h.Store.QueryOutboxAsync(new OutboxQuery(OutboxStatus.DeadLettered, max: 10_000), default))
            .Where(m => m.Kind == OutboxKind.Notification)
            .Select(m => m.Key)
            .Order(StringComparer.Ordinal);
        var stored = await h.Store.FindAccountAsync("acct-dst", default);

        var sameTransitions = simulated.Transitions.Count == history.Count && simulated.Transitions.Zip(history).All(p => p.Second.Describes(p.First));
        var sameKeys = simulated.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal).SequenceEqual(outbox, StringComparer.Ordinal);
        var sameFinal = simulated.Final.Status == stored!.State.LifecycleOf(null).Status;
        return (sameTransitions && sameKeys && sameFinal && passes <= 5_000)
            .Label($"simulated: {string.Join(" | ", simulated.Transitions)}{Environment.NewLine}runtime: {string.Join(" | ", history)}")
            .Classify(simulated.Transitions.Count > 0, "with transitions");
    }
}

/// <summary>A generated host case and extra instants at which the host wakes although nothing is due.</summary>
public sealed record RuntimeCase(HostCase Host, IReadOnlyList<Duration> Wakes)
{
    public override string ToString() => $"{Host}, wakes [{string.Join(", ", Wakes)}]";
}
