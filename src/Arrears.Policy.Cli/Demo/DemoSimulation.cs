using Arrears.Policy.Runtime;
using NodaTime;

namespace Arrears.Policy.Cli.Demo;

/// <summary>How a demo customer pays.</summary>
internal enum PaymentBehaviour
{
    /// <summary>Tops up within hours of a balance alarm, before the balance goes negative.</summary>
    OnTime,

    /// <summary>Pays what is owed (plus a top-up) some hours into the grace period.</summary>
    WithinGrace,

    /// <summary>Pays what is owed (plus a top-up) exactly one second after the suspension deadline.</summary>
    OneSecondLate,

    /// <summary>Pays half of what is owed within the grace period; some pay the rest weeks after the suspension.</summary>
    Partial,

    /// <summary>Never pays.</summary>
    Never,

    /// <summary>Pays what is owed (plus a top-up) days or weeks after the suspension.</summary>
    AfterSuspension,
}

/// <summary>One API Gateway account of the demo population: the customer's facts, and what the runtime told them.</summary>
internal sealed class DemoAccount
{
    public required AccountProfile Profile { get; init; }

    public required PaymentBehaviour Behaviour { get; init; }

    /// <summary>Gets the mean number of API calls per hour.</summary>
    public required decimal CallsPerHour { get; init; }

    /// <summary>Gets the top-up a payment adds on top of what is owed.</summary>
    public required decimal TopUp { get; init; }

    /// <summary>Gets whether a partial payer pays the rest after the suspension.</summary>
    public required bool PaysRestLater { get; init; }

    public required decimal OpeningBalance { get; init; }

    /// <summary>Gets the account as registered with the runtime.</summary>
    public AccountRegistration Registration => new(Profile, DemoSimulation.PolicyName, Currency.FromCode("CNY"), DateTimeZone.Utc, OpeningBalance, [DemoSimulation.Calls]);

    /// <summary>Gets the usage recorded with the runtime, day by day.</summary>
    public List<UsageRecord> Usage { get; } = [];

    public List<LedgerEntry> Payments { get; } = [];

    public List<PlannedPayment> PlannedPayments { get; } = [];

    /// <summary>Gets the transitions read from the runtime's audit trail so far.</summary>
    public IReadOnlyList<TransitionRecord> Transitions { get; set; } = [];

    /// <summary>Gets the status (and suspension deadline) as of the last wake.</summary>
    public LifecycleStatus Status { get; set; } = LifecycleStatus.Active;

    public Instant? SuspendAt { get; set; }

    /// <summary>Gets the status and suspension deadline at the last daily usage report: whether the gateway served the day after it.</summary>
    public (LifecycleStatus Status, Instant? SuspendAt) AtLastReport { get; set; } = (LifecycleStatus.Active, null);
}

/// <summary>A payment a customer decided to make at a future instant.</summary>
/// <param name="At">When the payment takes effect.</param>
/// <param name="Share">The share of what is owed at that instant that is paid (1 for all, 0.5 for half).</param>
/// <param name="TopUp">What is paid on top.</param>
internal sealed record PlannedPayment(Instant At, decimal Share, decimal TopUp);

/// <summary>
/// The demo: a seeded population of API Gateway accounts run by the real runtime (<see cref="ArrearsRuntime"/> over a store,
/// an SQLite file for <c>arrears demo</c>) as a host would, driven by a demo clock. Each day the gateway records the calls of
/// the day that ended through the host API; the runtime rates them when the cycle closes, evaluates each account when it
/// is due (never on a polling step), and delivers notifications and enforcement actions through its outbox. Customers react
/// to what they are told by paying (or not) according to their behaviour; their payments are appended through the host API.
/// </summary>
internal sealed class DemoSimulation
{
    public const int DefaultAccounts = 300;
    public const int DefaultDays = 200;
    public const string PolicyName = "api-gateway";

    private static readonly Currency Cny = Currency.FromCode("CNY");
    internal static readonly BillingItem Calls = new("calls", 10000m, 0.06m, BillingCycle.Parse("P1D"), settlementDelay: Duration.FromMinutes(30), product: "api-gateway");

    private readonly Random _random;
    private readonly DemoClock _clock = new(Start);
    private readonly InMemoryRecipientDirectory _directory = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _decided = new(StringComparer.Ordinal);
    private int _paymentCounter;

    /// <summary>Initializes the demo over a store (a new in-memory store when <see langword="null"/>), which must hold none of its accounts.</summary>
    public DemoSimulation(IArrearsStore? store = null, int accounts = DefaultAccounts, int days = DefaultDays, int seed = 42)
    {
        _random = new Random(seed);
        Days = days;
        Accounts = CreatePopulation(accounts);

        // Customers look at their audit trail only when an evaluation decided something for them (as a host's
        // notification would tell them), not at every wake: reading 300 histories per wake is what a store feels.
        Store = new Stores.CountingStore(store ?? new InMemoryArrearsStore(), commit =>
        {
            if (commit.Transitions.Count > 0)
            {
                _decided[commit.Account] = true;
            }
        });
        Runtime = new ArrearsRuntime(
            Store,
            new AccountPolicyRegistry(new Dictionary<string, AccountPolicy>(StringComparer.Ordinal) { [PolicyName] = AccountPolicy.For(Policy) }),
            _clock,
            [Email, Sms],
            Enforcement,
            _directory);
    }

    public static Instant Start { get; } = Instant.FromUtc(2026, 1, 1, 0, 0);

    public static LifecyclePolicy Policy => PolicyPresets.TencentApiGateway.Policy;

    public int Days { get; }

    public Instant End => Start + Duration.FromDays(Days);

    public IReadOnlyList<DemoAccount> Accounts { get; }

    /// <summary>Gets the store the runtime runs on (counting what it saves).</summary>
    public IArrearsStore Store { get; }

    public ArrearsRuntime Runtime { get; }

    public DemoNotifier Email { get; } = new("Email", ContactKind.Email);

    public DemoNotifier Sms { get; } = new("SMS", ContactKind.Phone);

    public DemoEnforcement Enforcement { get; } = new();

    /// <summary>Gets how many account evaluations the runtime made.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Gets how many times the clock moved and the runtime ran once.</summary>
    public int Wakes { get; private set; }

    /// <summary>Gets how many evaluations failed (none expected).</summary>
    public int Failures { get; private set; }

    /// <summary>Runs the whole demo; <paramref name="dayDone"/> is called after each simulated day.</summary>
    public async Task RunAsync(Action<int>? dayDone = null, CancellationToken cancellationToken = default)
    {
        foreach (var account in Accounts)
        {
            await Runtime.RegisterAsync(account.Registration, cancellationToken).ConfigureAwait(false);
        }

        await WakeAsync(Start, cancellationToken).ConfigureAwait(false);
        for (var day = 1; day <= Days; day++)
        {
            var boundary = Start + Duration.FromDays(day);

            // Due means due: between the daily usage reports, wake only at a customer's payment or when the runtime says
            // something is due, whichever comes first; customers react to what they are told at once.
            while (await NextWakeAsync(cancellationToken).ConfigureAwait(false) is { } wake && wake < boundary)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await WakeAsync(wake, cancellationToken).ConfigureAwait(false);
            }

            await WakeAsync(boundary, cancellationToken).ConfigureAwait(false);
            await RecordDayAsync(boundary, cancellationToken).ConfigureAwait(false);

            dayDone?.Invoke(day);
        }
    }

    /// <summary>The account as a scenario for <c>arrears simulate</c>: the same usage, payments and policy, up to the end of the demo.</summary>
    public Scenario ScenarioOf(DemoAccount account) =>
        new(Policy, account.Profile, Cny, End, openingBalance: account.OpeningBalance, items: [Calls], entries: account.Payments, usage: account.Usage);

    /// <summary>Runs the account's scenario through the pure simulator, for comparison with what the runtime decided.</summary>
    public Timeline Replay(DemoAccount account) => Simulator.Run(ScenarioOf(account));

    /// <summary>Returns the status the runtime saved for the account.</summary>
    public async Task<LifecycleStatus> StatusOfAsync(DemoAccount account, CancellationToken cancellationToken = default)
    {
        var stored = await Store.FindAccountAsync(account.Profile.Id, cancellationToken).ConfigureAwait(false);
        return stored!.State.LifecycleOf(null).Status;
    }

    /// <summary>The keys of the notifications the runtime delivered for the account, over both channels, ordered.</summary>
    public IReadOnlyList<string> DeliveredKeysOf(DemoAccount account) =>
        [.. Email.KeysOf(account.Profile.Id).Concat(Sms.KeysOf(account.Profile.Id)).Order(StringComparer.Ordinal)];

    private async Task<Instant?> NextWakeAsync(CancellationToken cancellationToken)
    {
        Instant? next = await Runtime.NextDueAsync(cancellationToken).ConfigureAwait(false);
        if (next is { } due && due <= _clock.Now)
        {
            // Nothing can be due in the past after a pass: a store that says so would make a host spin.
            throw new InvalidOperationException($"the runtime is still due at {due} after running at {_clock.Now}");
        }

        foreach (var account in Accounts)
        {
            foreach (var planned in account.PlannedPayments)
            {
                next = next is { } n && n <= planned.At ? n : planned.At;
            }
        }

        return next;
    }

    private async Task WakeAsync(Instant at, CancellationToken cancellationToken)
    {
        _clock.AdvanceTo(at);
        await AppendPaymentsAsync(at, cancellationToken).ConfigureAwait(false);
        var (evaluation, _) = await Runtime.RunOnceAsync(cancellationToken).ConfigureAwait(false);
        Evaluations += evaluation.Accounts;
        Failures += evaluation.Failures;
        Wakes++;
        foreach (var account in Accounts)
        {
            await ReactAsync(account, _decided.TryRemove(account.Profile.Id, out _), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Payments customers decided to make by now are posted (with their own instants, which may be earlier).</summary>
    private async Task AppendPaymentsAsync(Instant now, CancellationToken cancellationToken)
    {
        foreach (var account in Accounts)
        {
            if (account.PlannedPayments.Count == 0 || account.PlannedPayments.Min(p => p.At) > now)
            {
                continue;
            }

            account.PlannedPayments.Sort((a, b) => a.At.CompareTo(b.At));
            var ledger = (await Store.FindAccountAsync(account.Profile.Id, cancellationToken).ConfigureAwait(false))!.Ledger;
            var payments = new List<LedgerEntry>();
            while (account.PlannedPayments.Count > 0 && account.PlannedPayments[0].At <= now)
            {
                var planned = account.PlannedPayments[0];
                account.PlannedPayments.RemoveAt(0);
                var owed = Math.Max(0m, -ledger.BalanceAt(planned.At));
                var amount = Cny.Round((owed * planned.Share) + planned.TopUp);
                if (amount > 0)
                {
                    var payment = new LedgerEntry($"{account.Profile.Id}-pay-{++_paymentCounter}", LedgerEntryKind.Payment, planned.At, amount);
                    ledger.Append(payment);
                    payments.Add(payment);
                }
            }

            if (payments.Count > 0)
            {
                await Runtime.AppendAsync(account.Profile.Id, payments, cancellationToken).ConfigureAwait(false);
                account.Payments.AddRange(payments);
            }
        }
    }

    /// <summary>
    /// The gateway reports the calls of the day that just ended for every account it served then, in one import (as a
    /// nightly meter export would be loaded: one unit of work for the day, not one per account); the runtime rates them
    /// when the day's cycle closes. (Daily, not hourly: the runtime rates an account's whole usage history at each evaluation.)
    /// </summary>
    private async Task RecordDayAsync(Instant now, CancellationToken cancellationToken)
    {
        var imports = new List<AccountImport>();
        foreach (var account in Accounts)
        {
            var usedAt = now - Duration.FromDays(1) + Duration.FromMinutes(7 + _random.Next(24 * 60 - 14));
            var (status, suspendAt) = account.AtLastReport;
            account.AtLastReport = (account.Status, account.SuspendAt);
            var serving = status == LifecycleStatus.Active || (status == LifecycleStatus.Overdue && suspendAt > usedAt);
            if (!serving)
            {
                continue;
            }

            var calls = decimal.Round(24 * account.CallsPerHour * (0.5m + ((decimal)_random.Next(1000) / 1000m)));
            if (calls > 0)
            {
                var record = new UsageRecord(Calls.Id, usedAt, calls);
                var closes = Calls.Cycle.CycleContaining(usedAt, DateTimeZone.Utc).End + Calls.SettlementDelay;
                imports.Add(new AccountImport(account.Registration, null, [record], $"{account.Profile.Id}/{record.At}", null, closes));
                account.Usage.Add(record);
            }
        }

        if (imports.Count > 0)
        {
            await Store.ImportAsync(imports, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Customers react to what happened since the last day: balance alarms they received, then transitions in the audit trail.</summary>
    private async Task ReactAsync(DemoAccount account, bool decided, CancellationToken cancellationToken)
    {
        var id = account.Profile.Id;
        var alarms = Email.Read(id).Concat(Sms.Read(id)).Where(n => n.Kind == NotificationKind.BalanceLow).Select(n => n.At).Distinct().Order().ToList();
        var history = decided ? await Store.HistoryAsync(id, cancellationToken).ConfigureAwait(false) : account.Transitions;
        var seen = account.Transitions.Count;
        account.Transitions = history;
        if (account.Behaviour == PaymentBehaviour.OnTime)
        {
            foreach (var at in alarms)
            {
                Plan(account, at + Duration.FromMinutes(30 + _random.Next(300)), 1m);
            }
        }

        for (var i = seen; i < history.Count; i++)
        {
            React(account, history[i]);
        }

        if (history.Count > seen)
        {
            var last = history[^1];
            account.Status = last.To;
            account.SuspendAt = last.To == LifecycleStatus.Overdue ? last.At + Policy.Grace : null;
        }
    }

    private void React(DemoAccount account, TransitionRecord transition)
    {
        var b = account.Behaviour;
        switch (transition.Reason)
        {
            case TransitionReason.InArrears when b is PaymentBehaviour.OnTime or PaymentBehaviour.WithinGrace:
                Plan(account, transition.At + Duration.FromMinutes(60 + _random.Next(20 * 60)), 1m);
                break;
            case TransitionReason.InArrears when b is PaymentBehaviour.OneSecondLate:
                Plan(account, transition.At + Policy.Grace + Duration.FromSeconds(1), 1m);
                break;
            case TransitionReason.InArrears when b is PaymentBehaviour.Partial:
                Plan(account, transition.At + Duration.FromMinutes(60 + _random.Next(20 * 60)), 0.5m, topUp: 0m);
                break;
            case TransitionReason.GraceExpired when b is PaymentBehaviour.AfterSuspension || (b is PaymentBehaviour.Partial && account.PaysRestLater):
                Plan(account, transition.At + Duration.FromHours(24 + _random.Next(60 * 24)), 1m);
                break;
        }
    }

    private static void Plan(DemoAccount account, Instant at, decimal share, decimal? topUp = null) =>
        account.PlannedPayments.Add(new PlannedPayment(at, share, topUp ?? account.TopUp));

    private List<DemoAccount> CreatePopulation(int count)
    {
        // A fixed mix of behaviours, shuffled with the seed; the first accounts of each rare kind drain early so that
        // their whole story (a purge takes 181 days) fits in the replay.
        var mix = new (PaymentBehaviour Behaviour, int Percent)[]
        {
            (PaymentBehaviour.OnTime, 35), (PaymentBehaviour.WithinGrace, 20), (PaymentBehaviour.OneSecondLate, 5),
            (PaymentBehaviour.Partial, 10), (PaymentBehaviour.Never, 10), (PaymentBehaviour.AfterSuspension, 20),
        };
        var behaviours = new List<PaymentBehaviour>(count);
        foreach (var (behaviour, percent) in mix)
        {
            behaviours.AddRange(Enumerable.Repeat(behaviour, Math.Max(1, count * percent / 100)));
        }

        while (behaviours.Count < count)
        {
            behaviours.Add(PaymentBehaviour.OnTime);
        }

        behaviours = behaviours.Take(count).ToList();
        for (var i = behaviours.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (behaviours[i], behaviours[j]) = (behaviours[j], behaviours[i]);
        }

        var accounts = new List<DemoAccount>(count);
        for (var i = 0; i < count; i++)
        {
            var callsPerHour = 200_000m + (_random.Next(2_800) * 1000m);
            var costPerHour = callsPerHour * Calls.UnitPrice / Calls.Unit;
            var openingHours = 12 + _random.Next(400);
            var collaborators = Enumerable.Range(1, _random.Next(3)).Select(c => $"dev{c}@tenant{i + 1:D3}.example").ToList();
            var behaviour = behaviours[i];
            var hasAlarm = behaviour == PaymentBehaviour.OnTime || _random.Next(2) == 0;
            var id = $"gw-{i + 1:D3}";
            accounts.Add(new DemoAccount
            {
                Profile = new AccountProfile(
                    id,
                    $"owner@tenant{i + 1:D3}.example",
                    collaborators: collaborators,
                    balanceAlarm: hasAlarm ? Cny.Round(costPerHour * 24) : null),
                Behaviour = behaviour,
                CallsPerHour = callsPerHour,
                TopUp = Cny.Round(costPerHour * (72 + _random.Next(24 * 30))),
                PaysRestLater = _random.Next(2) == 0,
                OpeningBalance = Cny.Round(costPerHour * openingHours),
            });
            foreach (var (recipient, r) in collaborators.Prepend(accounts[i].Profile.Creator).Select((recipient, r) => (recipient, r)))
            {
                _directory.Set(recipient, new RecipientContact(recipient, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"+86138{i + 1:D4}{r:D4}")));
            }
        }

        return accounts;
    }
}
