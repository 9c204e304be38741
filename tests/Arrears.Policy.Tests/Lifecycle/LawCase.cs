using System.Globalization;
using System.Text;
using Arrears.Policy.Text;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>One generated account history for the lifecycle laws. Its ToString is a replayable scenario.</summary>
public sealed record LawCase(
    Duration Grace,
    DeadlineBoundary GraceBoundary,
    Duration Retention,
    DeadlineBoundary RetentionBoundary,
    decimal Tolerance,
    decimal? ResumeMinimum,
    IReadOnlyList<Duration> Warnings,
    decimal Opening,
    decimal? Alarm,
    IReadOnlyList<LawEntry> Entries,
    IReadOnlyList<Instant> Evaluations,
    Instant Until,
    IReadOnlyList<LawHold> Holds,
    IReadOnlyList<LawRevocation> Revocations)
{
    public static readonly Instant T0 = Instant.FromUtc(2026, 3, 28, 12, 0);

    /// <summary>The case's holds and revocations, every hold of the given product (every product when null).</summary>
    public HoldSet HoldSet(string? product = null) =>
        new([.. Holds.Select(h => h.ToHold(product))], [.. Revocations.Select(r => r.ToRevocation())]);

    /// <summary>The case's lifecycle policy, with <paramref name="configure"/> applied to its options last (routes, for example).</summary>
    public LifecyclePolicy Policy(Action<LifecyclePolicyOptions>? configure = null)
    {
        var options = new LifecyclePolicyOptions
        {
            Name = "law",
            Grace = Grace,
            GraceBoundary = GraceBoundary,
            Retention = Retention,
            RetentionBoundary = RetentionBoundary,
            Tolerance = Tolerance,
            ResumeMinimumBalance = ResumeMinimum,
        };
        options.PurgeWarnings.ReplaceWith(Warnings);
        configure?.Invoke(options);

        return LifecyclePolicy.Create(options);
    }

    public AccountProfile Account() => new("acct-law", "owner@example.com", collaborators: ["dev@example.com"], balanceAlarm: Alarm);

    public Ledger Ledger(IEnumerable<LawEntry>? order = null)
    {
        var ledger = new Ledger(EngineHarness.Cny, Opening);
        foreach (var entry in order ?? Entries)
        {
            ledger.Append(entry.ToLedgerEntry());
        }

        return ledger;
    }

    /// <summary>The case as a scenario of the simulate contract (plus the evaluation instants), to replay with the CLI.</summary>
    public override string ToString()
    {
        static string I(Instant instant) => InstantPattern.ExtendedIso.Format(instant);
        static string M(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("{\"policy\":{")
          .Append(CultureInfo.InvariantCulture, $"\"grace\":\"{IsoDurationPattern.Instance.Format(Grace)}\",\"graceBoundary\":\"{GraceBoundary}\",")
          .Append(CultureInfo.InvariantCulture, $"\"retention\":\"{IsoDurationPattern.Instance.Format(Retention)}\",\"retentionBoundary\":\"{RetentionBoundary}\",")
          .Append(CultureInfo.InvariantCulture, $"\"tolerance\":\"{M(Tolerance)}\",\"resumeMinimumBalance\":{(ResumeMinimum is { } r ? $"\"{M(r)}\"" : "null")},")
          .Append("\"purgeWarnings\":[").AppendJoin(',', Warnings.Select(w => $"\"{IsoDurationPattern.Instance.Format(w)}\"")).Append("],")
          .Append("\"channels\":[\"Email\",\"SMS\"]},")
          .Append(CultureInfo.InvariantCulture, $"\"account\":{{\"id\":\"acct-law\",\"currency\":\"CNY\",\"openingBalance\":\"{M(Opening)}\",")
          .Append("\"creator\":\"owner@example.com\",\"collaborators\":[\"dev@example.com\"]")
          .Append(Alarm is { } a ? $",\"balanceAlarm\":\"{M(a)}\"" : string.Empty).Append("},")
          .Append("\"entries\":[")
          .AppendJoin(',', Entries.Select(e => $"{{\"id\":\"{e.Id}\",\"kind\":\"{e.Kind.ToString().ToLowerInvariant()}\",\"at\":\"{I(e.At)}\",\"amount\":\"{M(e.Amount)}\"}}"))
          .Append(']')
          .Append(Holds.Count == 0 ? string.Empty : ",\"holds\":[" + string.Join(',', Holds.Select(h =>
              $"{{\"id\":\"{h.Id}\",\"kind\":\"{h.Kind.ToString().ToLowerInvariant()}\",\"from\":\"{I(h.From)}\"{(h.Until is { } u ? $",\"until\":\"{I(u)}\"" : string.Empty)},\"by\":\"agent-7\",\"reason\":\"law\"}}")) + "]")
          .Append(Revocations.Count == 0 ? string.Empty : ",\"revocations\":[" + string.Join(',', Revocations.Select(r =>
              $"{{\"id\":\"{r.Id}\",\"revokes\":\"{r.Revokes}\",\"at\":\"{I(r.At)}\",\"by\":\"agent-7\",\"reason\":\"law\"}}")) + "]")
          .Append(CultureInfo.InvariantCulture, $",\"until\":\"{I(Until)}\"}}");
        return $"scenario: {sb}{Environment.NewLine}evaluated at: [{string.Join(", ", Evaluations.Select(I))}]";
    }
}

public sealed record LawEntry(string Id, LedgerEntryKind Kind, Instant At, decimal Amount)
{
    public LedgerEntry ToLedgerEntry() => new(Id, Kind, At, Amount);
}

/// <summary>A generated hold: every product's unless <see cref="ToHold"/> is given one.</summary>
public sealed record LawHold(string Id, HoldKind Kind, Instant From, Instant? Until)
{
    public Hold ToHold(string? product = null) => new(Id, Kind, From, Until, "agent-7", "law", product);
}

public sealed record LawRevocation(string Id, string Revokes, Instant At)
{
    public HoldRevocation ToRevocation() => new(Id, Revokes, At, "agent-7", "law");
}

/// <summary>Generators aimed at the boundaries: instants at, one tick and one second around each deadline and warning.</summary>
public static class LawArbitraries
{
    private static readonly Duration[] GraceChoices = [Duration.Zero, Duration.FromHours(1), Duration.FromHours(24)];
    private static readonly Duration[] RetentionChoices = [Duration.Zero, Duration.FromHours(2), Duration.FromDays(3)];
    private static readonly Duration[] WarningChoices = [Duration.FromMinutes(30), Duration.FromHours(1), Duration.FromHours(2), Duration.FromDays(1), Duration.FromDays(3)];
    private static readonly Duration[] Nudges = [Duration.Zero, Duration.Zero, Duration.Zero, Duration.Epsilon, -Duration.Epsilon, Duration.FromSeconds(1), -Duration.FromSeconds(1)];

    public static Arbitrary<LawCase> Cases() => Arb.From(CaseGen(), Shrink);

    public static Gen<LawCase> CaseGen() =>
        from grace in Gen.Elements(GraceChoices)
        from graceBoundary in Gen.Elements(DeadlineBoundary.Inclusive, DeadlineBoundary.Exclusive)
        from retention in Gen.Elements(RetentionChoices)
        from retentionBoundary in Gen.Elements(DeadlineBoundary.Inclusive, DeadlineBoundary.Exclusive)
        from tolerance in Gen.Elements(0m, 0m, 1.00m)
        from resumeMinimum in Gen.Elements<decimal?>(null, null, 0m, 5.00m)
        from warnings in Gen.SubListOf(WarningChoices)
        from opening in Gen.Elements(0m, 0m, 10.00m)
        from alarm in Gen.Elements<decimal?>(null, 5.00m, 0m, -3.00m)
        from firstCharge in Gen.Elements(1.00m, 10.01m, 25.00m)
        let boundaries = Boundaries(grace, retention, warnings)
        from count in Gen.Choose(0, 7)
        from rest in EntryGen(boundaries, firstCharge, tolerance).ListOf(count)
        from evaluationCount in Gen.Choose(0, 6)
        from evaluations in InstantGen(boundaries).ListOf(evaluationCount)
        from tail in Gen.Elements(Duration.Zero, Duration.FromHours(1), Duration.FromDays(5))
        from holdCount in Gen.Frequency((4, Gen.Constant(0)), (3, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(3)))
        from holds in HoldGen(boundaries).ListOf(holdCount)
        from revocations in RevocationGen(boundaries, holds.Count)
        let entries = Number([new LawEntry("e", LedgerEntryKind.Charge, LawCase.T0, firstCharge), .. rest])
        let numbered = holds.Select((h, i) => h with { Id = "h" + i.ToString(CultureInfo.InvariantCulture) }).ToList()
        let revoked = revocations.Select((r, i) => r with { Id = "r" + i.ToString(CultureInfo.InvariantCulture), Revokes = numbered[int.Parse(r.Revokes, CultureInfo.InvariantCulture)].Id }).ToList()
        let until = Max(entries.Max(e => e.At), evaluations.DefaultIfEmpty(LawCase.T0).Max()) + tail
        select new LawCase(grace, graceBoundary, retention, retentionBoundary, tolerance, resumeMinimum, [.. warnings], opening, alarm,
            entries, [.. evaluations.Where(e => e < until).Distinct().Order()], until, numbered, revoked);

    /// <summary>Cases with at least one hold, for the laws about holds.</summary>
    public static Gen<LawCase> WithHolds() =>
        from c in CaseGen()
        from count in Gen.Choose(1, 3)
        from holds in HoldGen(Boundaries(c.Grace, c.Retention, c.Warnings)).ListOf(count)
        let numbered = holds.Select((h, i) => h with { Id = "h" + i.ToString(CultureInfo.InvariantCulture) }).ToList()
        select c with { Holds = numbered, Revocations = [] };

    /// <summary>
    /// A hold around the deadlines: it starts at (or a little before) a boundary and lasts a tick to days, up to another
    /// boundary, or for ever.
    /// </summary>
    public static Gen<LawHold> HoldGen(Instant[] boundaries) =>
        from kind in Gen.Elements(HoldKind.Suspension, HoldKind.Purge, HoldKind.All)
        from start in InstantGen(boundaries)
        from lead in Gen.Elements(Duration.Zero, Duration.Zero, Duration.FromMinutes(30), Duration.FromDays(1))
        from shape in Gen.Choose(0, 9)
        from length in Gen.Elements(HoldLengths)
        from end in InstantGen(boundaries)
        let begin = start - lead
        let until = shape switch
        {
            0 => (Instant?)null,
            <= 5 => begin + length,
            _ => end > begin ? end : begin + length,
        }
        select new LawHold("h", kind, begin, until);

    /// <summary>Up to one revocation of one of <paramref name="holdCount"/> holds (its Revokes is the hold's index until numbered).</summary>
    private static Gen<List<LawRevocation>> RevocationGen(Instant[] boundaries, int holdCount) =>
        holdCount == 0
            ? Gen.Constant(new List<LawRevocation>())
            : from revoke in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
              from index in Gen.Choose(0, holdCount - 1)
              from at in InstantGen(boundaries)
              select revoke ? new List<LawRevocation> { new("r", index.ToString(CultureInfo.InvariantCulture), at) } : [];

    private static readonly Duration[] HoldLengths =
        [Duration.Epsilon, Duration.FromSeconds(1), Duration.FromMinutes(30), Duration.FromHours(1), Duration.FromHours(2), Duration.FromDays(1), Duration.FromDays(3)];

    /// <summary>Shrinks by dropping entries (never the first charge) and evaluation instants.</summary>
    public static IEnumerable<LawCase> Shrink(LawCase c)
    {
        for (var i = 1; i < c.Entries.Count; i++)
        {
            yield return c with { Entries = [.. c.Entries.Where((_, j) => j != i)] };
        }

        for (var i = 0; i < c.Evaluations.Count; i++)
        {
            yield return c with { Evaluations = [.. c.Evaluations.Where((_, j) => j != i)] };
        }

        if (c.Warnings.Count > 0)
        {
            yield return c with { Warnings = [] };
        }

        if (c.Alarm is not null)
        {
            yield return c with { Alarm = null };
        }

        for (var i = 0; i < c.Holds.Count; i++)
        {
            var dropped = c.Holds[i].Id;
            yield return c with { Holds = [.. c.Holds.Where((_, j) => j != i)], Revocations = [.. c.Revocations.Where(r => r.Revokes != dropped)] };
        }

        for (var i = 0; i < c.Revocations.Count; i++)
        {
            yield return c with { Revocations = [.. c.Revocations.Where((_, j) => j != i)] };
        }
    }

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private static List<LawEntry> Number(IEnumerable<LawEntry> entries) =>
        [.. entries.Select((e, i) => e with { Id = "e" + i.ToString(CultureInfo.InvariantCulture) })];

    /// <summary>The deadlines of an episode that starts at T0 (the first charge) and of a second one starting a day later.</summary>
    public static Instant[] Boundaries(Duration grace, Duration retention, IEnumerable<Duration> warnings)
    {
        var list = new List<Instant>();
        foreach (var start in new[] { LawCase.T0, LawCase.T0 + Duration.FromDays(1) })
        {
            list.Add(start);
            list.Add(start + grace);
            list.Add(start + grace + retention);
            list.AddRange(warnings.Select(w => start + grace + retention - w));
        }

        return [.. list];
    }

    private static Gen<Instant> InstantGen(Instant[] boundaries) =>
        Gen.Frequency(
            (4, from b in Gen.Elements(boundaries) from nudge in Gen.Elements(Nudges) select b + nudge),
            (1, from minutes in Gen.Choose(-60, 6 * 24 * 60) select LawCase.T0 + Duration.FromMinutes(minutes)));

    private static Gen<LawEntry> EntryGen(Instant[] boundaries, decimal firstCharge, decimal tolerance) =>
        from kind in Gen.Frequency(
            (5, Gen.Constant(LedgerEntryKind.Payment)),
            (3, Gen.Constant(LedgerEntryKind.Charge)),
            (1, Gen.Constant(LedgerEntryKind.Credit)),
            (1, Gen.Constant(LedgerEntryKind.Refund)))
        from at in InstantGen(boundaries)
        from cents in Gen.Choose(1, 3000)
        from amount in Gen.Elements(
            firstCharge,                 // clears the first charge exactly
            firstCharge - 0.01m,         // leaves one minor unit
            firstCharge - tolerance,     // clears down to the tolerance
            0.01m,
            cents / 100m)
        where amount > 0
        select new LawEntry("e", kind, at, amount);
}
