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

/// <summary>One API Gateway account of the demo population, kept in memory with everything that happened to it.</summary>
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

    public required Ledger Ledger { get; init; }

    public AccountState State { get; set; } = AccountState.Initial;

    public List<Transition> Transitions { get; } = [];

    public List<NotificationIntent> Notifications { get; } = [];

    public List<RatedCharge> Charges { get; } = [];

    public List<LedgerEntry> Payments { get; } = [];

    public List<RatedCharge> PendingCharges { get; } = [];

    public List<PlannedPayment> PlannedPayments { get; } = [];

    public int Evaluations { get; set; }
}

/// <summary>A payment a customer decided to make at a future instant.</summary>
/// <param name="At">When the payment takes effect.</param>
/// <param name="Share">The share of what is owed at that instant that is paid (1 for all, 0.5 for half).</param>
/// <param name="TopUp">What is paid on top.</param>
internal sealed record PlannedPayment(Instant At, decimal Share, decimal TopUp);

/// <summary>
/// The demo: a seeded population of API Gateway accounts evaluated hour by hour, as a host would, each evaluation fed the
/// state of the previous one. Usage is rated hourly into charges that are appended to each ledger when they settle;
/// customers react to what they are told by paying (or not) according to their behaviour.
/// </summary>
internal sealed class DemoSimulation
{
    public const int DefaultAccounts = 300;
    public const int DefaultDays = 200;

    private static readonly Currency Cny = Currency.FromCode("CNY");
    private static readonly BillingItem Calls = new("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"), settlementDelay: Duration.FromMinutes(30), product: "api-gateway");

    private readonly Random _random;
    private int _paymentCounter;

    public DemoSimulation(int accounts = DefaultAccounts, int days = DefaultDays, int seed = 42)
    {
        _random = new Random(seed);
        Days = days;
        Accounts = CreatePopulation(accounts);
    }

    public static Instant Start { get; } = Instant.FromUtc(2026, 1, 1, 0, 0);

    public static LifecyclePolicy Policy => PolicyPresets.TencentApiGateway.Policy;

    public int Days { get; }

    public Instant End => Start + Duration.FromDays(Days);

    public IReadOnlyList<DemoAccount> Accounts { get; }

    /// <summary>Runs the whole replay; <paramref name="dayDone"/> is called after each simulated day.</summary>
    public void Run(Action<int>? dayDone = null, CancellationToken cancellationToken = default)
    {
        for (var day = 0; day < Days; day++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var hour = 1; hour <= 24; hour++)
            {
                var now = Start + Duration.FromHours((day * 24L) + hour);
                foreach (var account in Accounts)
                {
                    Step(account, now);
                }
            }

            dayDone?.Invoke(day + 1);
        }
    }

    /// <summary>Replays one account's final ledger at once, for comparison with the hour-by-hour evaluation.</summary>
    public Timeline Replay(DemoAccount account) =>
        Simulator.Run(new Scenario(Policy, account.Profile, Cny, End, openingBalance: account.Ledger.OpeningBalance, entries: account.Ledger.Entries));

    /// <summary>Returns the account's hour-by-hour timeline in the simulate contract's shape.</summary>
    public TimelineTable.View TimelineOf(DemoAccount account)
    {
        var evaluation = AccountPolicy.For(Policy).Evaluate(account.Profile, account.Ledger, account.State, End);
        return new TimelineTable.View(
            Cny,
            account.Transitions,
            account.Notifications,
            [.. account.Ledger.BalanceSteps()],
            account.State.LifecycleOf(null).Status,
            account.Ledger.BalanceAt(End),
            evaluation.NextReviewAt);
    }

    private void Step(DemoAccount account, Instant now)
    {
        // 1. The hour that just ended: API calls while the service ran, rated into the hour's charge (settles 30 minutes after the hour).
        var usedAt = now - Duration.FromHours(1) + Duration.FromMinutes(7 + _random.Next(50));
        var lifecycle = account.State.LifecycleOf(null);
        var serving = lifecycle.Status == LifecycleStatus.Active ||
                      (lifecycle.Status == LifecycleStatus.Overdue && lifecycle.SuspendAt > usedAt);
        if (serving)
        {
            var calls = decimal.Round(account.CallsPerHour * (0.5m + ((decimal)_random.Next(1000) / 1000m)));
            if (calls > 0)
            {
                account.PendingCharges.AddRange(Rating.Rate([Calls], [new UsageRecord(Calls.Id, usedAt, calls)], Cny, DateTimeZone.Utc));
            }
        }

        // 2. Charges that have settled, then payments that have been made, join the ledger as time passes.
        for (var i = 0; i < account.PendingCharges.Count; i++)
        {
            var charge = account.PendingCharges[i];
            if (charge.At <= now)
            {
                account.Ledger.Append(charge.ToLedgerEntry());
                account.Charges.Add(charge);
                account.PendingCharges.RemoveAt(i--);
            }
        }

        account.PlannedPayments.Sort((a, b) => a.At.CompareTo(b.At));
        while (account.PlannedPayments.Count > 0 && account.PlannedPayments[0].At <= now)
        {
            var planned = account.PlannedPayments[0];
            account.PlannedPayments.RemoveAt(0);
            var owed = Math.Max(0m, -account.Ledger.BalanceAt(planned.At));
            var amount = Cny.Round((owed * planned.Share) + planned.TopUp);
            if (amount > 0)
            {
                var payment = new LedgerEntry($"{account.Profile.Id}-pay-{++_paymentCounter}", LedgerEntryKind.Payment, planned.At, amount);
                account.Ledger.Append(payment);
                account.Payments.Add(payment);
            }
        }

        // 3. Evaluate as a host would, from the previous evaluation's state.
        var evaluation = AccountPolicy.For(Policy).Evaluate(account.Profile, account.Ledger, account.State, now);
        account.State = evaluation.State;
        account.Evaluations++;
        if (!evaluation.HasChanges)
        {
            return;
        }

        account.Transitions.AddRange(evaluation.Transitions);
        account.Notifications.AddRange(evaluation.Notifications);

        // 4. Customers react to what happened.
        foreach (var notification in evaluation.Notifications.Where(n => n.Kind == NotificationKind.BalanceLow).DistinctBy(n => n.At))
        {
            if (account.Behaviour == PaymentBehaviour.OnTime)
            {
                Plan(account, notification.At + Duration.FromMinutes(30 + _random.Next(300)), 1m);
            }
        }

        foreach (var transition in evaluation.Transitions)
        {
            React(account, transition);
        }
    }

    private void React(DemoAccount account, Transition transition)
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
                    collaborators,
                    balanceAlarm: hasAlarm ? Cny.Round(costPerHour * 24) : null),
                Behaviour = behaviour,
                CallsPerHour = callsPerHour,
                TopUp = Cny.Round(costPerHour * (72 + _random.Next(24 * 30))),
                PaysRestLater = _random.Next(2) == 0,
                Ledger = new Ledger(Cny, Cny.Round(costPerHour * openingHours)),
            });
        }

        return accounts;
    }
}
