using System.Collections.ObjectModel;
using System.Globalization;
using NodaTime;

using Arrears.Policy.Billing;


namespace Arrears.Policy.Simulation;

/// <summary>
/// One account's policy, profile, ledger entries, usage and holds, replayed up to <see cref="Until"/> by <see cref="Simulator"/>.
/// This is the input of <c>arrears simulate</c>; read one from the JSON of the simulate contract with <c>ScenarioJson</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every value is validated by the constructor, the only way to make a scenario; errors name the field and the value. The
/// collections are copied. Scenarios compare by reference: compare their timelines instead.
/// </para>
/// <para>
/// Without a <see cref="Schedule"/> the account is evaluated once, at <see cref="Until"/>, and every fact counts as known on
/// time. With one, it is evaluated at each instant of the schedule and then at <see cref="Until"/>, each time seeing only
/// the facts recorded by then, as a host would.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct-1", "owner@example.com"),
///     Currency.FromCode("CNY"), Instant.FromUtc(2026, 9, 1, 0, 0),
///     entries: [new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 1, 1, 5, 0), 12.50m)],
///     holds: new HoldSet([new Hold("h1", HoldKind.Suspension, Instant.FromUtc(2026, 1, 1, 9, 0), Instant.FromUtc(2026, 1, 5, 0, 0), "agent-7", "promise to pay")]));
/// var timeline = Simulator.Run(scenario);
/// </code>
/// </example>
public sealed class Scenario
{
    /// <summary>Initializes a scenario of a single-product account.</summary>
    /// <param name="policy">The lifecycle policy of the account's one (unnamed) product.</param>
    /// <param name="account">Who the account is and who hears about it.</param>
    /// <param name="currency">The account's currency; not the default value.</param>
    /// <param name="until">The instant the replay stops at (inclusive); later entries and usage are ignored.</param>
    /// <param name="openingBalance">The opening balance: not negative, with at most the currency's minor units. Default: 0.</param>
    /// <param name="timeZone">The billing time zone, in which day, week and month cycles are calendar periods. Default (<see langword="null"/>): UTC.</param>
    /// <param name="items">The billing items usage is rated with. Default: none.</param>
    /// <param name="entries">The ledger entries (charges, payments, credits, refunds). Default: none.</param>
    /// <param name="usage">The usage records, rated into charges by <see cref="Rating"/>. Default: none.</param>
    /// <param name="holds">The holds and revocations. Default: none.</param>
    /// <param name="schedule">When a host evaluated the account and learned each fact. Default (<see langword="null"/>): once, at <paramref name="until"/>, every fact known on time.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> or <paramref name="account"/> is null.</exception>
    /// <exception cref="ArgumentException">A value is out of range (see the other constructor); the message names the field and the value.</exception>
#pragma warning disable RS0026 // Both overloads take optional parameters, but they differ in the type of the first, required one: no call is ambiguous.
    public Scenario(
        LifecyclePolicy policy,
        AccountProfile account,
        Currency currency,
        Instant until,
        decimal openingBalance = 0m,
        DateTimeZone? timeZone = null,
        IReadOnlyList<BillingItem>? items = null,
        IReadOnlyList<LedgerEntry>? entries = null,
        IReadOnlyList<UsageRecord>? usage = null,
        HoldSet? holds = null,
        EvaluationSchedule? schedule = null)
        : this(AccountPolicy.For(policy ?? throw new ArgumentNullException(nameof(policy))), account, currency, until, openingBalance, timeZone, items, entries, usage, holds, schedule)
    {
    }

    /// <summary>Initializes a scenario of an account under an account policy (one or several products).</summary>
    /// <param name="policy">The account policy: its products, each under its lifecycle policy.</param>
    /// <param name="account">Who the account is and who hears about it.</param>
    /// <param name="currency">The account's currency; not the default value.</param>
    /// <param name="until">The instant the replay stops at (inclusive); later entries and usage are ignored.</param>
    /// <param name="openingBalance">The opening balance: not negative, with at most the currency's minor units. Default: 0.</param>
    /// <param name="timeZone">The billing time zone, in which day, week and month cycles are calendar periods. Default (<see langword="null"/>): UTC.</param>
    /// <param name="items">
    /// The billing items usage is rated with; when the policy has named products, an item's product, if any, must be one of
    /// them (for a single unnamed product it is only a label for bill details). Default: none.
    /// </param>
    /// <param name="entries">The ledger entries (charges, payments, credits, refunds); an entry's product likewise. Default: none.</param>
    /// <param name="usage">The usage records, rated into charges by <see cref="Rating"/>. Default: none.</param>
    /// <param name="holds">The holds and revocations; they must fit the policy (<see cref="AccountPolicy.ValidateHolds"/>). Default: none.</param>
    /// <param name="schedule">
    /// When a host evaluated the account and learned each fact: its instants must come before <paramref name="until"/>, it may
    /// make at most <see cref="EvaluationSchedule.MaxEvaluations"/> evaluations, it may name only facts of the scenario, and a
    /// revocation cannot be recorded before the hold it revokes. Default (<see langword="null"/>): once, at
    /// <paramref name="until"/>, every fact known on time.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> or <paramref name="account"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The currency is the default value, the opening balance is negative or has more decimal places than the currency's
    /// minor units, a collection holds a null element, an item or entry names a product the policy does not have, a hold does
    /// not fit the policy, or the schedule does not fit the scenario; the message names the field and the value.
    /// </exception>
    public Scenario(
        AccountPolicy policy,
        AccountProfile account,
        Currency currency,
        Instant until,
        decimal openingBalance = 0m,
        DateTimeZone? timeZone = null,
        IReadOnlyList<BillingItem>? items = null,
        IReadOnlyList<LedgerEntry>? entries = null,
        IReadOnlyList<UsageRecord>? usage = null,
        HoldSet? holds = null,
        EvaluationSchedule? schedule = null)
#pragma warning restore RS0026
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(account);
        Ledger.CheckOpening(currency, openingBalance);

        AccountPolicy = policy;
        Account = account;
        Currency = currency;
        Until = until;
        OpeningBalance = openingBalance;
        TimeZone = timeZone ?? DateTimeZone.Utc;
        Items = Copy(items, nameof(items));
        Entries = Copy(entries, nameof(entries));
        Usage = Copy(usage, nameof(usage));
        Holds = holds ?? HoldSet.Empty;
        Schedule = schedule;

        CheckProducts(Items.Select(item => item.Product), nameof(items));
        CheckProducts(Entries.Select(entry => entry.Product), nameof(entries));
        if (policy.ValidateHolds(Holds) is [var problem, ..])
        {
            throw new ArgumentException(problem.ToString(), nameof(holds));
        }

        if (schedule is not null)
        {
            CheckSchedule(schedule);
        }
    }

    /// <summary>Gets the account policy: the products and the lifecycle policy of each.</summary>
    public AccountPolicy AccountPolicy { get; }

    /// <summary>Gets the lifecycle policy of the first product: the only one of a single-product account.</summary>
    public LifecyclePolicy Policy => AccountPolicy.Products[0].Policy;

    /// <summary>Gets who the account is and who hears about it.</summary>
    public AccountProfile Account { get; }

    /// <summary>Gets the account's currency.</summary>
    public Currency Currency { get; }

    /// <summary>Gets the instant the replay stops at (inclusive); later entries and usage are ignored.</summary>
    public Instant Until { get; }

    /// <summary>Gets the opening balance (never negative). Default: 0.</summary>
    public decimal OpeningBalance { get; }

    /// <summary>Gets the billing time zone, in which day, week and month cycles are calendar periods. Default: UTC.</summary>
    public DateTimeZone TimeZone { get; }

    /// <summary>Gets the billing items usage is rated with.</summary>
    public IReadOnlyList<BillingItem> Items { get; }

    /// <summary>Gets the ledger entries (charges, payments, credits, refunds).</summary>
    public IReadOnlyList<LedgerEntry> Entries { get; }

    /// <summary>Gets the usage records, rated into charges by <see cref="Rating"/>.</summary>
    public IReadOnlyList<UsageRecord> Usage { get; }

    /// <summary>Gets the holds and revocations (<see cref="HoldSet.Empty"/> when there are none).</summary>
    public HoldSet Holds { get; }

    /// <summary>Gets when a host evaluated the account and learned each fact, or <see langword="null"/> for one evaluation at <see cref="Until"/> with every fact known on time.</summary>
    public EvaluationSchedule? Schedule { get; }

    /// <summary>Returns the account id and the end of the replay, for example <c>acct-1 until 2026-09-01T00:00:00Z</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Account.Id} until {Invariant.Format(Until)}";

    /// <summary>The earliest instant of the scenario's facts: an entry's or usage record's <c>at</c>, a hold's <c>from</c>, a revocation's <c>at</c>.</summary>
    internal Instant? FirstFact() =>
        Entries.Select(entry => entry.At)
            .Concat(Usage.Select(record => record.At))
            .Concat(Holds.Holds.Select(hold => hold.From))
            .Concat(Holds.Revocations.Select(revocation => revocation.At))
            .Cast<Instant?>()
            .Min();

    /// <summary>When a hold became known: as the schedule says, else at its start.</summary>
    internal Instant RecordedAt(Hold hold) => Schedule?.HoldsRecordedAt.TryGetValue(hold.Id, out var at) == true ? at : hold.From;

    /// <summary>When a revocation became known: as the schedule says, else at its instant.</summary>
    internal Instant RecordedAt(HoldRevocation revocation) => Schedule?.RevocationsRecordedAt.TryGetValue(revocation.Id, out var at) == true ? at : revocation.At;

    /// <summary>When an entry became known: as the schedule says, else at its instant.</summary>
    internal Instant RecordedAt(LedgerEntry entry) => Schedule?.EntriesRecordedAt.TryGetValue(entry.Id, out var at) == true ? at : entry.At;

    /// <summary>
    /// Checks that items and entries name products of the account policy, when it has named products; the one product of a
    /// single-product account has no name, so there a product is only a label for bill details.
    /// </summary>
    private void CheckProducts(IEnumerable<string?> products, string name)
    {
        if (AccountPolicy.Products[0].Name is null)
        {
            return;
        }

        var i = 0;
        foreach (var product in products)
        {
            if (product is not null && !AccountPolicy.Products.Any(p => string.Equals(p.Name, product, StringComparison.Ordinal)))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{name}[{i}].product: the account policy has no product \"{product}\"; its products are {string.Join(", ", AccountPolicy.Products.Select(p => p.Name is null ? "(unnamed)" : $"\"{p.Name}\""))}"),
                    name);
            }

            i++;
        }
    }

    private void CheckSchedule(EvaluationSchedule schedule)
    {
        if (schedule.Instants.Count > 0 && schedule.Instants[^1] >= Until)
        {
            throw new ArgumentException(
                $"schedule.instants: every evaluation must come before until ({Invariant.Format(Until)}), got \"{Invariant.Format(schedule.Instants[^1])}\"",
                nameof(schedule));
        }

        if (schedule.Interval is { } interval && FirstFact() is { } first && EvaluationSchedule.CountBetween(interval, first, Until) > EvaluationSchedule.MaxEvaluations)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"schedule.interval: every {Invariant.Format(interval)} from {Invariant.Format(first)} to until ({Invariant.Format(Until)}) makes more than {EvaluationSchedule.MaxEvaluations} evaluations"),
                nameof(schedule));
        }

        Unknown("entriesRecordedAt", schedule.EntriesRecordedAt.Keys, Entries.Select(entry => entry.Id), nameof(schedule));
        Unknown("holdsRecordedAt", schedule.HoldsRecordedAt.Keys, Holds.Holds.Select(hold => hold.Id), nameof(schedule));
        Unknown("revocationsRecordedAt", schedule.RevocationsRecordedAt.Keys, Holds.Revocations.Select(revocation => revocation.Id), nameof(schedule));
        foreach (var revocation in Holds.Revocations)
        {
            var hold = Holds.Holds.First(h => string.Equals(h.Id, revocation.Revokes, StringComparison.Ordinal));
            if (RecordedAt(revocation) < RecordedAt(hold))
            {
                throw new ArgumentException(
                    $"schedule.revocationsRecordedAt: revocation \"{revocation.Id}\" is recorded at {Invariant.Format(RecordedAt(revocation))}, before the hold it revokes (\"{hold.Id}\", recorded at {Invariant.Format(RecordedAt(hold))})",
                    nameof(schedule));
            }
        }

        static void Unknown(string field, IEnumerable<string> named, IEnumerable<string> known, string parameter)
        {
            var ids = known.ToHashSet(StringComparer.Ordinal);
            if (named.FirstOrDefault(id => !ids.Contains(id)) is { } unknown)
            {
                throw new ArgumentException($"schedule.{field}: no fact of the scenario has this id, got \"{unknown}\"", parameter);
            }
        }
    }

    private static ReadOnlyCollection<T> Copy<T>(IReadOnlyList<T>? values, string name)
        where T : class
    {
        if (values is null || values.Count == 0)
        {
            return ReadOnlyCollection<T>.Empty;
        }

        var copy = new T[values.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = values[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]: must not be null"), name);
        }

        return Array.AsReadOnly(copy);
    }
}

/// <summary>The final state of a simulated account, after processing the instant <c>until</c>.</summary>
/// <remarks>Only <see cref="Simulator"/> creates it; two final states are equal when every property is.</remarks>
/// <example>
/// <code>
/// var final = Simulator.Run(scenario).Final;
/// // for the never-paid example: Status = Purged, Balance = -9.00, NextReviewAt = null
/// </code>
/// </example>
public sealed class TimelineFinal : IEquatable<TimelineFinal>
{
    internal TimelineFinal(IReadOnlyList<ProductLifecycle> products, decimal balance, Instant? nextReviewAt)
    {
        Products = products;
        Status = products.Max(p => p.Status);
        Balance = balance;
        NextReviewAt = nextReviewAt;
    }

    /// <summary>
    /// Gets the lifecycle status at the end of the replay (the JSON field <c>state</c>); with several products, the furthest
    /// any product has gone (Purged, then Suspended, then Overdue, then Active), each product's own is in <see cref="Products"/>.
    /// </summary>
    public LifecycleStatus Status { get; }

    /// <summary>Gets each product's lifecycle at the end of the replay, in the order of the account policy's products (one, unnamed, for a single-product account).</summary>
    public IReadOnlyList<ProductLifecycle> Products { get; }

    /// <summary>Gets the balance.</summary>
    public decimal Balance { get; }

    /// <summary>Gets the next instant after <c>until</c> at which a deadline or warning would act with no new entry, if any.</summary>
    public Instant? NextReviewAt { get; }

    /// <inheritdoc />
    public bool Equals(TimelineFinal? other) =>
        other is not null && Status == other.Status && Balance == other.Balance && NextReviewAt == other.NextReviewAt && Products.SequenceEqual(other.Products);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TimelineFinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Status, Balance, NextReviewAt);

    /// <summary>Returns the final state in one line, for example <c>Purged, balance -9.00, next review none</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"{Status}, balance {Invariant.Format(Balance)}, next review {(NextReviewAt is { } next ? Invariant.Format(next) : "none")}";
}

/// <summary>The lifecycle timeline of one account: what <c>arrears simulate</c> prints.</summary>
/// <remarks>
/// Only <see cref="Simulator"/> creates timelines. Timelines compare by reference; compare their lists (each element has value
/// equality) or their JSON (<c>TimelineJson.ToJson</c>) instead.
/// </remarks>
/// <example>
/// <code>
/// Timeline timeline = Simulator.Run(scenario);
/// string json = TimelineJson.ToJson(timeline);                            // what `arrears simulate` prints
/// IReadOnlyList&lt;string&gt; story = TimelineExplainer.Explain(scenario, timeline);   // what `arrears explain` prints
/// </code>
/// </example>
public sealed class Timeline
{
    internal Timeline(
        string account,
        Currency currency,
        IReadOnlyList<RatedCharge> charges,
        IReadOnlyList<Transition> transitions,
        IReadOnlyList<NotificationIntent> notifications,
        IReadOnlyList<BalanceStep> balanceSteps,
        TimelineFinal final,
        IReadOnlyList<LedgerEntry> entries,
        IReadOnlyList<TimelineEvaluation> evaluations,
        bool scheduled)
    {
        Evaluations = evaluations;
        IsScheduled = scheduled;
        Account = account;
        Currency = currency;
        Charges = charges;
        Transitions = transitions;
        Notifications = notifications;
        BalanceSteps = balanceSteps;
        Final = final;
        Entries = entries;
    }

    /// <summary>Gets the account id.</summary>
    public string Account { get; }

    /// <summary>Gets the account's currency (amounts are shown with its minor units).</summary>
    public Currency Currency { get; }

    /// <summary>Gets every charge rated from usage with an instant up to <c>until</c>.</summary>
    public IReadOnlyList<RatedCharge> Charges { get; }

    /// <summary>Gets every transition, in time order.</summary>
    public IReadOnlyList<Transition> Transitions { get; }

    /// <summary>Gets every notification intent, in time order.</summary>
    public IReadOnlyList<NotificationIntent> Notifications { get; }

    /// <summary>Gets the balance after each instant with entries, in time order.</summary>
    public IReadOnlyList<BalanceStep> BalanceSteps { get; }

    /// <summary>Gets the final state.</summary>
    public TimelineFinal Final { get; }

    /// <summary>
    /// Gets the scenario's ledger entries the replay applied: those up to <c>until</c>, in input order, each id once (a
    /// repeat is an idempotent replay). Charges rated from usage are in <see cref="Charges"/>, not here.
    /// </summary>
    /// <example>
    /// <code>
    /// foreach (var entry in Simulator.Run(scenario).Entries)
    /// {
    ///     Console.WriteLine($"{entry.At}: {entry.Kind} {entry.Id} {entry.Amount}");
    /// }
    /// </code>
    /// </example>
    public IReadOnlyList<LedgerEntry> Entries { get; }

    /// <summary>
    /// Gets the evaluations that decided something (a transition or a notification), in order, each with what it decided:
    /// one, at <c>until</c>, without a schedule; with one, those of the scenario's <see cref="Scenario.Schedule"/> that found
    /// something to do.
    /// </summary>
    public IReadOnlyList<TimelineEvaluation> Evaluations { get; }

    /// <summary>Gets whether the replay followed an evaluation schedule (then the JSON says when each decision was taken: <c>evaluatedAt</c>).</summary>
    public bool IsScheduled { get; }

    /// <summary>Returns the account id and the final state, for example <c>acct-1: Purged, balance -9.00, next review none</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Account}: {Final}";
}

/// <summary>One evaluation of a replay and what it decided.</summary>
/// <remarks>Only <see cref="Simulator"/> creates it.</remarks>
/// <example>
/// <code>
/// foreach (var evaluation in Simulator.Run(scenario).Evaluations)
/// {
///     Console.WriteLine($"{evaluation.At}: {evaluation.Transitions.Count} transitions, {evaluation.Notifications.Count} notifications");
/// }
/// </code>
/// </example>
public sealed class TimelineEvaluation
{
    internal TimelineEvaluation(Instant at, IReadOnlyList<Transition> transitions, IReadOnlyList<NotificationIntent> notifications)
    {
        At = at;
        Transitions = transitions;
        Notifications = notifications;
    }

    /// <summary>Gets the instant the account was evaluated at.</summary>
    public Instant At { get; }

    /// <summary>Gets the transitions the evaluation decided, each stamped with its effective instant.</summary>
    public IReadOnlyList<Transition> Transitions { get; }

    /// <summary>Gets the notifications the evaluation decided.</summary>
    public IReadOnlyList<NotificationIntent> Notifications { get; }

    /// <summary>Returns the instant and the counts, for example <c>2026-04-03T10:00:00Z: 1 transition, 2 notifications</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Invariant.Format(At)}: {Transitions.Count} transition{(Transitions.Count == 1 ? string.Empty : "s")}, {Notifications.Count} notification{(Notifications.Count == 1 ? string.Empty : "s")}");
}
