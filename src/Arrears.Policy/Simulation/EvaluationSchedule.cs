using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Globalization;
using NodaTime;

namespace Arrears.Policy.Simulation;

/// <summary>
/// How a host evaluated an account and when it learned each fact, so that <see cref="Simulator"/> replays the account as
/// that host would: at each evaluation instant it sees only the facts recorded by then (the <c>evaluations</c> and
/// <c>recordedAt</c> of the simulate contract).
/// </summary>
/// <remarks>
/// <para>
/// The instants are given as a list (strictly increasing), or as a regular interval: the instants <c>first + k × interval</c>
/// (k = 1, 2, …) before <c>until</c>, where <c>first</c> is the earliest instant of the scenario's facts (an entry's or a
/// usage record's <c>at</c>, a hold's <c>from</c>, a revocation's <c>at</c>). The scenario's <c>until</c> is always evaluated
/// last, and a scenario checks that every listed instant comes before it.
/// </para>
/// <para>
/// A fact is recorded at its own instant unless the schedule says otherwise: an entry at its <c>at</c>, a hold at its
/// <c>from</c>, a revocation at its <c>at</c>; charges rated from usage are always known at their own instant. Every value
/// is validated by the constructor; the dictionaries are copied.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // Evaluated every hour; the bank transfer t1 was booked two days after its value date.
/// var schedule = new EvaluationSchedule(Duration.FromHours(1),
///     entriesRecordedAt: new Dictionary&lt;string, Instant&gt; { ["t1"] = Instant.FromUtc(2026, 4, 3, 9, 30) });
/// var scenario = new Scenario(policy, account, currency, until, entries: entries, schedule: schedule);
/// </code>
/// </example>
public sealed class EvaluationSchedule
{
    /// <summary>The most evaluations a schedule may make up to <c>until</c> (100,000: an hourly schedule of more than eleven years).</summary>
    public const int MaxEvaluations = 100_000;

    private static readonly ReadOnlyDictionary<string, Instant> NoRecordings = new(new Dictionary<string, Instant>());

    /// <summary>Initializes a schedule of listed evaluation instants.</summary>
    /// <param name="instants">The instants, strictly increasing; copied.</param>
    /// <param name="entriesRecordedAt">When ledger entries became known, by entry id; the others at their own <c>at</c>.</param>
    /// <param name="holdsRecordedAt">When holds became known, by hold id; the others at their <c>from</c>.</param>
    /// <param name="revocationsRecordedAt">When revocations became known, by revocation id; the others at their <c>at</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="instants"/> is null.</exception>
    /// <exception cref="ArgumentException">The instants are not strictly increasing, or there are more than <see cref="MaxEvaluations"/>; the message names the instant.</exception>
#pragma warning disable RS0026 // Both overloads take optional parameters, but they differ in the type of the first, required one: no call is ambiguous.
    public EvaluationSchedule(
        IReadOnlyList<Instant> instants,
        IReadOnlyDictionary<string, Instant>? entriesRecordedAt = null,
        IReadOnlyDictionary<string, Instant>? holdsRecordedAt = null,
        IReadOnlyDictionary<string, Instant>? revocationsRecordedAt = null)
    {
        ArgumentNullException.ThrowIfNull(instants);
        if (instants.Count > MaxEvaluations)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"instants: must list at most {MaxEvaluations} evaluations, got {instants.Count}"), nameof(instants));
        }

        var copy = new Instant[instants.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = instants[i];
            if (i > 0 && copy[i] <= copy[i - 1])
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"instants[{i}]: must be after instants[{i - 1}] ({Invariant.Format(copy[i - 1])}), got \"{Invariant.Format(copy[i])}\""),
                    nameof(instants));
            }
        }

        Instants = Array.AsReadOnly(copy);
        (EntriesRecordedAt, HoldsRecordedAt, RevocationsRecordedAt) = (Copy(entriesRecordedAt), Copy(holdsRecordedAt), Copy(revocationsRecordedAt));
    }

    /// <summary>Initializes a regular schedule: every <paramref name="interval"/> from the scenario's first fact.</summary>
    /// <param name="interval">The interval between evaluations; positive.</param>
    /// <param name="entriesRecordedAt">When ledger entries became known, by entry id; the others at their own <c>at</c>.</param>
    /// <param name="holdsRecordedAt">When holds became known, by hold id; the others at their <c>from</c>.</param>
    /// <param name="revocationsRecordedAt">When revocations became known, by revocation id; the others at their <c>at</c>.</param>
    /// <exception cref="ArgumentException">The interval is not positive; the message names the value.</exception>
    public EvaluationSchedule(
        Duration interval,
        IReadOnlyDictionary<string, Instant>? entriesRecordedAt = null,
        IReadOnlyDictionary<string, Instant>? holdsRecordedAt = null,
        IReadOnlyDictionary<string, Instant>? revocationsRecordedAt = null)
#pragma warning restore RS0026
    {
        if (interval <= Duration.Zero)
        {
            throw new ArgumentException($"interval: must be positive, got \"{Invariant.Format(interval)}\"", nameof(interval));
        }

        Interval = interval;
        Instants = ReadOnlyCollection<Instant>.Empty;
        (EntriesRecordedAt, HoldsRecordedAt, RevocationsRecordedAt) = (Copy(entriesRecordedAt), Copy(holdsRecordedAt), Copy(revocationsRecordedAt));
    }

    /// <summary>Gets the listed evaluation instants; empty for a regular schedule.</summary>
    public IReadOnlyList<Instant> Instants { get; }

    /// <summary>Gets the interval of a regular schedule, or <see langword="null"/> for listed instants.</summary>
    public Duration? Interval { get; }

    /// <summary>Gets when ledger entries became known, by entry id (entries not listed: at their own <c>at</c>).</summary>
    public IReadOnlyDictionary<string, Instant> EntriesRecordedAt { get; }

    /// <summary>Gets when holds became known, by hold id (holds not listed: at their <c>from</c>).</summary>
    public IReadOnlyDictionary<string, Instant> HoldsRecordedAt { get; }

    /// <summary>Gets when revocations became known, by revocation id (revocations not listed: at their <c>at</c>).</summary>
    public IReadOnlyDictionary<string, Instant> RevocationsRecordedAt { get; }

    /// <summary>Returns the schedule in one line, for example <c>every PT1H</c> or <c>3 instants</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        Interval is { } interval
            ? $"every {Invariant.Format(interval)}"
            : string.Create(CultureInfo.InvariantCulture, $"{Instants.Count} instant{(Instants.Count == 1 ? string.Empty : "s")}");

    /// <summary>How many evaluations a regular schedule makes strictly between <paramref name="first"/> and <paramref name="until"/>.</summary>
    internal static long CountBetween(Duration interval, Instant first, Instant until) =>
        until <= first ? 0 : (long)((until - first - Duration.Epsilon).ToBigIntegerNanoseconds() / interval.ToBigIntegerNanoseconds());

    /// <summary>The evaluation instants before <paramref name="until"/>, then <paramref name="until"/> itself.</summary>
    internal List<Instant> InstantsUpTo(Instant first, Instant until)
    {
        var instants = new List<Instant>();
        if (Interval is { } interval)
        {
            for (var t = first + interval; t < until; t += interval)
            {
                instants.Add(t);
            }
        }
        else
        {
            instants.AddRange(Instants.Where(t => t < until));
        }

        instants.Add(until);
        return instants;
    }

    private static IReadOnlyDictionary<string, Instant> Copy(IReadOnlyDictionary<string, Instant>? recordings) =>
        recordings is null || recordings.Count == 0 ? NoRecordings : recordings.ToFrozenDictionary(StringComparer.Ordinal);
}
