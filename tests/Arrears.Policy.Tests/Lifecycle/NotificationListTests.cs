using NodaTime;

namespace Arrears.Policy.Tests.Lifecycle;

/// <summary>
/// An evaluation's intents are built from its events when first read (<see cref="NotificationList"/>): the list counts
/// them without building them, and its order, indexer, enumerator and parts agree with the fan-out every route describes
/// (creator first, then each collaborator; for each recipient every channel in order).
/// </summary>
public sealed class NotificationListTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    public static TheoryData<Audience, int, string[]> Routes() => new()
    {
        { Audience.Everyone, 2, ["Email", "SMS"] },
        { Audience.Everyone, 0, ["Email", "SMS"] },
        { Audience.Creator, 2, ["SMS"] },
        { Audience.Collaborators, 2, ["Email", "SMS", "Webhook"] },
        { Audience.Collaborators, 1, ["Email"] },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public void TheIntentsOfOneEvent_FanOutToEveryRecipientAndChannel_InOrder(Audience audience, int collaborators, string[] channels)
    {
        var (evaluation, account) = Overdue(audience, collaborators, channels);
        var list = Assert.IsType<NotificationList>(evaluation.Notifications);

        var recipients = new List<string>();
        if ((audience & Audience.Creator) != 0)
        {
            recipients.Add(account.Creator);
        }

        if ((audience & Audience.Collaborators) != 0)
        {
            recipients.AddRange(account.Collaborators);
        }

        var expected = recipients.SelectMany(r => channels.Select(c => $"{r}/{c}")).ToList();
        Assert.Equal(expected.Count, list.Count);
        Assert.Equal(expected, list.Select(n => $"{n.Recipient}/{n.Channel}"));
        Assert.Equal(expected, Enumerable.Range(0, list.Count).Select(i => $"{list[i].Recipient}/{list[i].Channel}"));
        Assert.All(list, n => Assert.Equal(NotificationKey.For(account.Id, null, 1, NotificationKind.Overdue, n.Recipient, n.Channel), n.Key));
        Assert.All(list, n => Assert.Equal((NotificationKind.Overdue, Start + Duration.FromHours(2), -15m), (n.Kind, n.At, n.Balance)));
    }

    [Fact]
    public void ARouteThatReachesNobody_MakesNoList()
    {
        // Collaborators only, and the account has none: the event makes no intent, so the evaluation has none.
        var (evaluation, _) = Overdue(Audience.Collaborators, collaborators: 0, ["Email"]);
        Assert.Empty(evaluation.Notifications);
        Assert.IsNotType<NotificationList>(evaluation.Notifications);
        Assert.Single(evaluation.Transitions);
    }

    [Fact]
    public void SeveralEvents_KeepTheirOrder_AndThePartsAreTheIntents()
    {
        // A whole episode caught up in one evaluation: Overdue, Suspended, two purge warnings, Purged, and the balance alarm.
        var policy = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
        var account = new AccountProfile("acct", "owner@example.com", collaborators: ["dev@example.com", "ops@example.com"], balanceAlarm: 1m);
        var ledger = new Ledger(EngineHarness.Cny, 10m);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Start, 25m));
        var evaluation = policy.Evaluate(account, ledger, AccountState.Initial, Start + Duration.FromDays(400));
        var list = Assert.IsType<NotificationList>(evaluation.Notifications);

        // Six events, each told to three recipients over two channels, one event after the other.
        Assert.Equal(6 * 6, list.Count);
        var events = list.Chunk(6).ToList();
        Assert.All(events, intents => Assert.Single(intents.Select(n => (n.Kind, n.At)).Distinct()));
        Assert.Equal(
            [NotificationKind.BalanceLow, NotificationKind.Overdue, NotificationKind.Suspended, NotificationKind.PurgeWarning, NotificationKind.PurgeWarning, NotificationKind.Purged],
            events.Select(intents => intents[0].Kind));

        Assert.Equal(
            list.Select(n => $"{n.Kind}@{n.At}/{n.Recipient}/{n.Channel}/{n.Key.Value}"),
            Parts(list, (e, recipient, channel) => $"{e.Kind}@{e.At}/{recipient}/{channel}/{NotificationKey.Complete(e.Scope, recipient, channel).Value}"));
    }

    [Fact]
    public void EventsWithDifferentRoutes_FanOutEachByItsOwnRoute()
    {
        // Overdue to the collaborators by SMS, Suspended to the creator by Email, the warnings to nobody, Purged to everyone
        // by Email and SMS, the balance alarm to the creator by SMS.
        var options = new LifecyclePolicyOptions { Name = "mixed" };
        options.Routes[NotificationKind.Overdue] = new NotificationRoute(Audience.Collaborators, ["SMS"]);
        options.Routes[NotificationKind.Suspended] = new NotificationRoute(Audience.Creator, ["Email"]);
        options.Routes[NotificationKind.PurgeWarning] = new NotificationRoute(Audience.None, []);
        options.Routes[NotificationKind.Purged] = new NotificationRoute(Audience.Everyone, ["Email", "SMS"]);
        options.Routes[NotificationKind.BalanceLow] = new NotificationRoute(Audience.Creator, ["SMS"]);
        var policy = AccountPolicy.For(LifecyclePolicy.Create(options));
        var account = new AccountProfile("acct", "owner@example.com", collaborators: ["dev@example.com", "ops@example.com"], balanceAlarm: 1m);
        var ledger = new Ledger(EngineHarness.Cny, 10m);
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Start, 25m));

        var list = Assert.IsType<NotificationList>(policy.Evaluate(account, ledger, AccountState.Initial, Start + Duration.FromDays(400)).Notifications);
        Assert.Equal(
            [
                "BalanceLow/owner@example.com/SMS",
                "Overdue/dev@example.com/SMS", "Overdue/ops@example.com/SMS",
                "Suspended/owner@example.com/Email",
                "Purged/owner@example.com/Email", "Purged/owner@example.com/SMS",
                "Purged/dev@example.com/Email", "Purged/dev@example.com/SMS",
                "Purged/ops@example.com/Email", "Purged/ops@example.com/SMS",
            ],
            list.Select(n => $"{n.Kind}/{n.Recipient}/{n.Channel}"));
        Assert.Equal(10, list.Count);

        Assert.Equal(list.Select(n => $"{n.Kind}/{n.Recipient}/{n.Channel}"), Parts(list, (e, recipient, channel) => $"{e.Kind}/{recipient}/{channel}"));
    }

    [Fact]
    public void ConcurrentFirstReads_AllGetTheSameIntents()
    {
        // Threads released together read the first intent of a list nobody has read: every one gets the same object, so
        // one array was kept (a list that kept each reader's own array would hand out different objects).
        const int Readers = 4;
        for (var round = 0; round < 50; round++)
        {
            var (evaluation, _) = Overdue(Audience.Everyone, collaborators: 2, ["Email", "SMS"]);
            var list = evaluation.Notifications;
            var seen = new NotificationIntent[Readers];
            using var start = new Barrier(Readers);
            var threads = Enumerable.Range(0, Readers).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                seen[i] = list[0];
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.All(seen, intent => Assert.Same(seen[0], intent));
            Assert.Same(seen[0], list[0]);
        }
    }

    /// <summary>The list's parts (event, recipient, channel) in order, each as <paramref name="format"/> writes it.</summary>
    private static List<string> Parts(NotificationList list, Func<NotificationEvent, string, string, string> format)
    {
        var parts = new List<string>();
        for (var p = list.Parts(); p.MoveNext();)
        {
            parts.Add(format(p.Event, p.Recipient, p.Channel));
        }

        return parts;
    }

    /// <summary>An account a charge takes into arrears, under a policy whose Overdue route is the one given.</summary>
    private static (Evaluation Evaluation, AccountProfile Account) Overdue(Audience audience, int collaborators, string[] channels)
    {
        var options = new LifecyclePolicyOptions { Name = "routes" };
        options.Routes[NotificationKind.Overdue] = new NotificationRoute(audience, channels);
        var policy = AccountPolicy.For(LifecyclePolicy.Create(options));
        var account = new AccountProfile("acct", "owner@example.com", collaborators: [.. Enumerable.Range(1, collaborators).Select(i => $"dev{i}@example.com")]);
        var ledger = new Ledger(EngineHarness.Cny, 10m);
        var state = policy.Evaluate(account, ledger, AccountState.Initial, Start + Duration.FromHours(1)).State;
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Start + Duration.FromHours(2), 25m));
        return (policy.Evaluate(account, ledger, state, Start + Duration.FromHours(3)), account);
    }
}
