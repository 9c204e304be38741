using System.Collections.ObjectModel;
using System.Globalization;
using NodaTime;

using Arrears.Policy.Billing;


namespace Arrears.Policy.Simulation;

/// <summary>
/// One account's policy, profile, ledger entries and usage, replayed up to <see cref="Until"/> by <see cref="Simulator"/>.
/// This is the input of <c>arrears simulate</c>; read one from the JSON of the simulate contract with <c>ScenarioJson</c>.
/// </summary>
/// <remarks>
/// Every value is validated by the constructor, the only way to make a scenario; errors name the field and the value. The
/// collections are copied. Scenarios compare by reference: compare their timelines instead.
/// </remarks>
/// <example>
/// <code>
/// var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct-1", "owner@example.com"),
///     Currency.FromCode("CNY"), Instant.FromUtc(2026, 9, 1, 0, 0),
///     entries: [new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 1, 1, 5, 0), 12.50m)]);
/// var timeline = Simulator.Run(scenario);
/// </code>
/// </example>
public sealed class Scenario
{
    /// <summary>Initializes a scenario.</summary>
    /// <param name="policy">The lifecycle policy.</param>
    /// <param name="account">Who the account is and who hears about it.</param>
    /// <param name="currency">The account's currency; not the default value.</param>
    /// <param name="until">The instant the replay stops at (inclusive); later entries and usage are ignored.</param>
    /// <param name="openingBalance">The opening balance: not negative, with at most the currency's minor units. Default: 0.</param>
    /// <param name="timeZone">The billing time zone, in which day, week and month cycles are calendar periods. Default (<see langword="null"/>): UTC.</param>
    /// <param name="items">The billing items usage is rated with. Default: none.</param>
    /// <param name="entries">The ledger entries (charges, payments, credits, refunds). Default: none.</param>
    /// <param name="usage">The usage records, rated into charges by <see cref="Rating"/>. Default: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> or <paramref name="account"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The currency is the default value, the opening balance is negative or has more decimal places than the currency's
    /// minor units, or a collection holds a null element; the message names the field and the value.
    /// </exception>
    public Scenario(
        LifecyclePolicy policy,
        AccountProfile account,
        Currency currency,
        Instant until,
        decimal openingBalance = 0m,
        DateTimeZone? timeZone = null,
        IReadOnlyList<BillingItem>? items = null,
        IReadOnlyList<LedgerEntry>? entries = null,
        IReadOnlyList<UsageRecord>? usage = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(account);
        Ledger.CheckOpening(currency, openingBalance);

        Policy = policy;
        Account = account;
        Currency = currency;
        Until = until;
        OpeningBalance = openingBalance;
        TimeZone = timeZone ?? DateTimeZone.Utc;
        Items = Copy(items, nameof(items));
        Entries = Copy(entries, nameof(entries));
        Usage = Copy(usage, nameof(usage));
    }

    /// <summary>Gets the lifecycle policy.</summary>
    public LifecyclePolicy Policy { get; }

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

    /// <summary>Returns the account id and the end of the replay, for example <c>acct-1 until 2026-09-01T00:00:00Z</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Account.Id} until {Invariant.Format(Until)}";

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
    internal TimelineFinal(LifecycleStatus status, decimal balance, Instant? nextReviewAt)
    {
        Status = status;
        Balance = balance;
        NextReviewAt = nextReviewAt;
    }

    /// <summary>Gets the lifecycle status at the end of the replay (the JSON field <c>state</c>).</summary>
    public LifecycleStatus Status { get; }

    /// <summary>Gets the balance.</summary>
    public decimal Balance { get; }

    /// <summary>Gets the next instant after <c>until</c> at which a deadline or warning would act with no new entry, if any.</summary>
    public Instant? NextReviewAt { get; }

    /// <inheritdoc />
    public bool Equals(TimelineFinal? other) =>
        other is not null && Status == other.Status && Balance == other.Balance && NextReviewAt == other.NextReviewAt;

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
        IReadOnlyList<LedgerEntry> entries)
    {
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

    /// <summary>Returns the account id and the final state, for example <c>acct-1: Purged, balance -9.00, next review none</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Account}: {Final}";
}
