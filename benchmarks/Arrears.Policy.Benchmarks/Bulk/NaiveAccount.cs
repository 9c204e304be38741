using NodaTime;
using Stateless;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>A ledger entry as the baseline keeps it: an object in a <see cref="List{T}"/>.</summary>
/// <param name="Id">The entry id.</param>
/// <param name="At">When it took effect.</param>
/// <param name="SignedAmount">The amount, negative for charges and refunds.</param>
public sealed record NaiveEntry(string Id, Instant At, decimal SignedAmount);

/// <summary>A transition the baseline decided.</summary>
/// <param name="At">When it took effect.</param>
/// <param name="From">The status before.</param>
/// <param name="To">The status after.</param>
/// <param name="Reason">Why.</param>
/// <param name="Episode">The episode.</param>
public sealed record NaiveTransition(Instant At, LifecycleStatus From, LifecycleStatus To, TransitionReason Reason, int Episode);

/// <summary>
/// The baseline of the bulk benchmarks: what a .NET developer writes without this library. One Stateless state machine
/// per account, balances as LINQ sums over a <see cref="List{T}"/> of entries, and the same rules (grace, retention,
/// resume minimum, walking every entry instant and deadline since the previous evaluation), so it decides the same
/// statuses, deadlines and transitions as the engine (checked by <c>BaselineAgreementTests</c>).
/// </summary>
/// <remarks>
/// It covers what the benchmark population needs of a lifecycle policy: inclusive deadlines, a tolerance, a resume minimum,
/// entries known on time. Notifications are formatted as keyed strings, as a naive host would, to do comparable work.
/// </remarks>
public sealed class NaiveAccount
{
    private static readonly string[] Channels = ["Email", "SMS"];

    private readonly StateMachine<LifecycleStatus, TransitionReason> _machine;
    private readonly LifecyclePolicy _policy;
    private LifecycleStatus _status = LifecycleStatus.Active;
    private Instant _at;

    /// <summary>Initializes an account with its entries.</summary>
    public NaiveAccount(string id, string creator, decimal opening, LifecyclePolicy policy, IEnumerable<LedgerEntry> entries)
    {
        if (policy.GraceBoundary != DeadlineBoundary.Inclusive || policy.RetentionBoundary != DeadlineBoundary.Inclusive)
        {
            throw new ArgumentException("the baseline implements inclusive deadlines only", nameof(policy));
        }

        Id = id;
        Creator = creator;
        Opening = opening;
        _policy = policy;
        Entries = [.. entries.Select(e => new NaiveEntry(e.Id, e.At, e.SignedAmount))];
        _machine = new StateMachine<LifecycleStatus, TransitionReason>(() => _status, status => _status = status);
        _machine.Configure(LifecycleStatus.Active)
            .Permit(TransitionReason.InArrears, LifecycleStatus.Overdue);
        _machine.Configure(LifecycleStatus.Overdue)
            .OnEntry(() =>
            {
                Episode++;
                OverdueSince = _at;
                SuspendAt = _at + _policy.Grace;
            })
            .Permit(TransitionReason.Paid, LifecycleStatus.Active)
            .Permit(TransitionReason.GraceExpired, LifecycleStatus.Suspended);
        _machine.Configure(LifecycleStatus.Suspended)
            .OnEntry(() => PurgeAt = _at + _policy.Retention)
            .Permit(TransitionReason.Resumed, LifecycleStatus.Active)
            .Permit(TransitionReason.RetentionExpired, LifecycleStatus.Purged);
        _machine.Configure(LifecycleStatus.Active)
            .OnEntry(() => (OverdueSince, SuspendAt, PurgeAt) = (null, null, null));
        _machine.OnTransitionCompleted(t => Transitions.Add(new NaiveTransition(_at, t.Source, t.Destination, t.Trigger, Episode)));
    }

    /// <summary>Gets the account id.</summary>
    public string Id { get; }

    /// <summary>Gets the creator, who is told.</summary>
    public string Creator { get; }

    /// <summary>Gets the opening balance.</summary>
    public decimal Opening { get; }

    /// <summary>Gets the entries.</summary>
    public List<NaiveEntry> Entries { get; }

    /// <summary>Gets the status.</summary>
    public LifecycleStatus Status => _machine.State;

    /// <summary>Gets the episode (how many times the account became overdue).</summary>
    public int Episode { get; private set; }

    /// <summary>Gets when the current episode became overdue.</summary>
    public Instant? OverdueSince { get; private set; }

    /// <summary>Gets the suspension deadline.</summary>
    public Instant? SuspendAt { get; private set; }

    /// <summary>Gets the purge deadline.</summary>
    public Instant? PurgeAt { get; private set; }

    /// <summary>Gets the last evaluated instant.</summary>
    public Instant? LastEvaluatedAt { get; private set; }

    /// <summary>Gets every transition so far.</summary>
    public List<NaiveTransition> Transitions { get; } = [];

    /// <summary>Gets the notifications written so far (keyed strings).</summary>
    public List<string> Notifications { get; } = [];

    /// <summary>The balance: opening plus every entry up to the instant, summed with LINQ.</summary>
    public decimal BalanceAt(Instant instant) => Opening + Entries.Where(e => e.At <= instant).Sum(e => e.SignedAmount);

    /// <summary>Walks every entry instant and deadline after the previous evaluation up to <paramref name="now"/>.</summary>
    /// <returns>The number of transitions this evaluation.</returns>
    public int Evaluate(Instant now)
    {
        var before = Transitions.Count;
        var cursor = LastEvaluatedAt;
        while (cursor is null || cursor < now)
        {
            var after = cursor;
            var next = Entries.Where(e => after is null || e.At > after).Select(e => (Instant?)e.At).Min();
            var t = next is { } n && n < now ? n : now;
            if (Deadline() is { } deadline && deadline < t && (cursor is null || deadline > cursor))
            {
                t = deadline;
            }

            Process(t);
            cursor = t;
        }

        LastEvaluatedAt = LastEvaluatedAt is { } last && last > now ? last : now;
        return Transitions.Count - before;
    }

    private Instant? Deadline() => Status switch
    {
        LifecycleStatus.Overdue => SuspendAt,
        LifecycleStatus.Suspended => PurgeAt,
        _ => null,
    };

    private void Process(Instant t)
    {
        _at = t;
        var balance = BalanceAt(t);
        var inArrears = balance < -_policy.Tolerance;
        if (Status == LifecycleStatus.Overdue && !inArrears)
        {
            _machine.Fire(TransitionReason.Paid);
        }
        else if (Status == LifecycleStatus.Suspended && !inArrears && (_policy.ResumeMinimumBalance is not { } minimum || balance >= minimum))
        {
            _machine.Fire(TransitionReason.Resumed);
            Notify("Resumed");
        }

        if (Status == LifecycleStatus.Active && inArrears)
        {
            _machine.Fire(TransitionReason.InArrears);
            Notify("Overdue");
        }

        if (Status == LifecycleStatus.Overdue && SuspendAt <= t)
        {
            _machine.Fire(TransitionReason.GraceExpired);
            Notify("Suspended");
        }

        if (Status == LifecycleStatus.Suspended && PurgeAt <= t)
        {
            _machine.Fire(TransitionReason.RetentionExpired);
            Notify("Purged");
        }
    }

    private void Notify(string kind)
    {
        foreach (var channel in Channels)
        {
            Notifications.Add($"{Id}/{Episode}/{kind}/{Creator}/{channel}");
        }
    }
}
