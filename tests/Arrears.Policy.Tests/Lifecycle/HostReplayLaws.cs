using System.Globalization;
using Arrears.Policy.PropertyTesting;
using Arrears.Policy.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// Billing and the lifecycle together, across daylight-saving changes in real zones: a host that rates daily usage in the
/// account's zone, appends each charge when it settles and evaluates every hour from the previous state ends up with the
/// timeline of one simulation.
/// </summary>
[Properties(Arbitrary = [typeof(HostReplayLaws)], MaxTest = 1000)]
public sealed class HostReplayLaws
{
    private static readonly Currency Cny = Currency.FromCode("CNY");

    public static Arbitrary<HostCase> Cases() => Arb.From(
        from zone in Generators.ZonesWithDst
        from year in Gen.Choose(2026, 2035)
        from dayOfYear in Gen.Choose(0, 364)
        let probe = Instant.FromUtc(year, 1, 1, 0, 0) + Duration.FromDays(dayOfYear)
        let interval = zone.GetZoneInterval(probe)
        where interval.HasEnd && interval.End < Instant.FromUtc(2090, 1, 1, 0, 0)
        let change = interval.End
        from grace in Gen.Elements(Duration.Zero, Duration.FromHours(2), Duration.FromHours(24))
        from boundary in Gen.Elements(DeadlineBoundary.Inclusive, DeadlineBoundary.Exclusive)
        from delay in Gen.Elements(Duration.Zero, Duration.FromMinutes(30))
        from opening in Gen.Elements(0m, 1.00m, 5.00m)
        from usage in (from at in Generators.InstantNear(change) from quantity in Gen.Choose(0, 12) select (at, quantity)).ListOf(6)
        from payments in (from at in Generators.InstantNear(change + Duration.FromHours(6)) from cents in Gen.Choose(1, 800) select (at, cents)).ListOf(2)
        select new HostCase(zone, change, grace, boundary, delay, opening, [.. usage], [.. payments]));

    /// <summary>Rating in a zone with daylight saving and evaluating hour by hour agrees with one simulation.</summary>
    [Property]
    public Property Host_DailyUsageAcrossDaylightSaving_MatchesOneSimulation(HostCase c)
    {
        var scenario = c.Scenario();
        var simulated = Simulator.Run(scenario);

        var charges = Rating.Rate(scenario.Items, scenario.Usage.Where(u => u.At <= scenario.Until).ToList(), Cny, c.Zone)
            .Select(charge => charge.ToLedgerEntry());
        var pending = scenario.Entries.Concat(charges).Where(e => e.At <= scenario.Until).OrderBy(e => e.At).ToList();
        var ledger = new Ledger(Cny, c.Opening);
        var state = AccountState.Initial;
        var transitions = new List<Transition>();
        var keys = new List<string>();
        for (var now = c.Start; ; now = Instant.Min(now + Duration.FromHours(1), scenario.Until))
        {
            ledger.Append(pending.TakeWhile(e => e.At <= now).ToList());
            pending.RemoveAll(e => e.At <= now);
            var evaluation = AccountPolicy.For(scenario.Policy).Evaluate(scenario.Account, ledger, state, now);
            state = evaluation.State;
            transitions.AddRange(evaluation.Transitions);
            keys.AddRange(evaluation.Notifications.Select(n => n.Key.Value));
            if (now == scenario.Until)
            {
                break;
            }
        }

        var sameTransitions = simulated.Transitions.SequenceEqual(transitions);
        var sameKeys = simulated.Notifications.Select(n => n.Key.Value).Order(StringComparer.Ordinal).SequenceEqual(keys.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        var daysAreLocal = simulated.Charges.All(charge =>
            charge.CycleStart.InZone(c.Zone).LocalDateTime.TimeOfDay == c.Zone.AtStartOfDay(charge.CycleStart.InZone(c.Zone).Date).LocalDateTime.TimeOfDay &&
            charge.CycleEnd == c.Zone.AtStartOfDay(charge.CycleStart.InZone(c.Zone).Date.PlusDays(1)).ToInstant());
        return (sameTransitions && sameKeys && daysAreLocal)
            .Label($"simulated: {string.Join(" | ", simulated.Transitions)}{Environment.NewLine}hourly: {string.Join(" | ", transitions)}")
            .Classify(simulated.Charges.Any(ch => ch.CycleEnd - ch.CycleStart != Duration.FromHours(24)), "a day of other than 24 hours");
    }
}

/// <summary>A generated account billed daily in a zone with daylight saving, around one of its offset changes.</summary>
public sealed record HostCase(
    DateTimeZone Zone,
    Instant Change,
    Duration Grace,
    DeadlineBoundary GraceBoundary,
    Duration SettlementDelay,
    decimal Opening,
    IReadOnlyList<(Instant At, int Quantity)> Usage,
    IReadOnlyList<(Instant At, int Cents)> Payments)
{
    public Instant Start => Change - Duration.FromDays(2);

    public Scenario Scenario()
    {
        var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
        options.Grace = Grace;
        options.GraceBoundary = GraceBoundary;
        options.Retention = Duration.FromDays(1);
        var item = new BillingItem("storage", 1m, 0.25m, BillingCycle.Day, settlementDelay: SettlementDelay);
        return new Scenario(LifecyclePolicy.Create(options), new AccountProfile("acct-dst", "owner@example.com", balanceAlarm: 0.50m), Currency.FromCode("CNY"), Change + Duration.FromDays(3), openingBalance: Opening, timeZone: Zone, items: [item], usage: [.. Usage.Where(u => u.At >= Start).Select(u => new UsageRecord("storage", u.At, u.Quantity))], entries: [.. Payments.Select((p, i) => new LedgerEntry($"p{i}", LedgerEntryKind.Payment, p.At, p.Cents / 100m))]);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"zone {Zone.Id}, change at {InstantPattern.ExtendedIso.Format(Change)}, grace {IsoDurationPattern.Instance.Format(Grace)} {GraceBoundary}, delay {IsoDurationPattern.Instance.Format(SettlementDelay)}, opening {Opening}, usage [{string.Join(", ", Usage)}], payments [{string.Join(", ", Payments)}]");
}
