using NodaTime;

using Arrears.Policy.Billing;


namespace Arrears.Policy.Simulation;

/// <summary>
/// One account's policy, profile, ledger entries and usage, replayed up to <see cref="Until"/> by <see cref="Simulator"/>.
/// This is the input of <c>arrears simulate</c>; read one from the JSON of the simulate contract with <c>ScenarioJson</c>.
/// </summary>
/// <param name="Policy">The lifecycle policy.</param>
/// <param name="Account">Who the account is and who hears about it.</param>
/// <param name="Currency">The account's currency.</param>
/// <param name="Until">The instant the replay stops at (inclusive); later entries and usage are ignored.</param>
/// <example>
/// <code>
/// var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct-1", "owner@example.com"),
///     Currency.FromCode("CNY"), Instant.FromUtc(2026, 9, 1, 0, 0))
/// {
///     Entries = [new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 1, 1, 5, 0), 12.50m)],
/// };
/// var timeline = Simulator.Run(scenario);
/// </code>
/// </example>
public sealed record Scenario(LifecyclePolicy Policy, AccountProfile Account, Currency Currency, Instant Until)
{
    /// <summary>Gets the opening balance (never negative). Default: 0.</summary>
    public decimal OpeningBalance { get; init; }

    /// <summary>Gets the billing time zone, in which day, week and month cycles are calendar periods. Default: UTC.</summary>
    public DateTimeZone TimeZone { get; init; } = DateTimeZone.Utc;

    /// <summary>Gets the billing items usage is rated with.</summary>
    public IReadOnlyList<BillingItem> Items { get; init; } = [];

    /// <summary>Gets the ledger entries (charges, payments, credits, refunds).</summary>
    public IReadOnlyList<LedgerEntry> Entries { get; init; } = [];

    /// <summary>Gets the usage records, rated into charges by <see cref="Rating"/>.</summary>
    public IReadOnlyList<UsageRecord> Usage { get; init; } = [];
}

/// <summary>The final state of a simulated account, after processing the instant <c>until</c>.</summary>
/// <param name="Status">The lifecycle status at the end of the replay (the JSON field <c>state</c>).</param>
/// <param name="Balance">The balance.</param>
/// <param name="NextReviewAt">The next instant after <c>until</c> at which a deadline or warning would act with no new entry, if any.</param>
/// <example>
/// <code>
/// var final = Simulator.Run(scenario).Final;
/// // for the never-paid example: Status = Purged, Balance = -9.00, NextReviewAt = null
/// </code>
/// </example>
public sealed record TimelineFinal(LifecycleStatus Status, decimal Balance, Instant? NextReviewAt);

/// <summary>The lifecycle timeline of one account: what <c>arrears simulate</c> prints.</summary>
/// <param name="Account">The account id.</param>
/// <param name="Currency">The account's currency (amounts are shown with its minor units).</param>
/// <param name="Charges">Every charge rated from usage with an instant up to <c>until</c>.</param>
/// <param name="Transitions">Every transition, in time order.</param>
/// <param name="Notifications">Every notification intent, in time order.</param>
/// <param name="BalanceSteps">The balance after each instant with entries, in time order.</param>
/// <param name="Final">The final state.</param>
/// <example>
/// <code>
/// Timeline timeline = Simulator.Run(scenario);
/// string json = TimelineJson.ToJson(timeline);                            // what `arrears simulate` prints
/// IReadOnlyList&lt;string&gt; story = TimelineExplainer.Explain(scenario, timeline);   // what `arrears explain` prints
/// </code>
/// </example>
public sealed record Timeline(
    string Account,
    Currency Currency,
    IReadOnlyList<RatedCharge> Charges,
    IReadOnlyList<Transition> Transitions,
    IReadOnlyList<NotificationIntent> Notifications,
    IReadOnlyList<BalanceStep> BalanceSteps,
    TimelineFinal Final)
{
    /// <summary>
    /// Gets the scenario's ledger entries the replay applied: those up to <c>until</c>, in input order, each id once (a
    /// repeat is an idempotent replay). Charges rated from usage are in <see cref="Charges"/>, not here. Default: empty.
    /// </summary>
    /// <example>
    /// <code>
    /// foreach (var entry in Simulator.Run(scenario).Entries)
    /// {
    ///     Console.WriteLine($"{entry.At}: {entry.Kind} {entry.Id} {entry.Amount}");
    /// }
    /// </code>
    /// </example>
    public IReadOnlyList<LedgerEntry> Entries { get; init; } = [];
}
