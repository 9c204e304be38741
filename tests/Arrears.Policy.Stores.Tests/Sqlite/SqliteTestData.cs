namespace Arrears.Policy.Stores.Tests.Sqlite;

/// <summary>Accounts, entries and commits for the SQLite store's own tests.</summary>
internal static class SqliteTestData
{
    /// <summary>An instant with nanoseconds.</summary>
    public static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30) + Duration.FromNanoseconds(123_456_789);

    public static readonly Duration Lease = Duration.FromMinutes(5);

    public static CancellationToken Ct => CancellationToken.None;

    public static AccountRegistration Account(string id = "acct") =>
        new(new AccountProfile(id, "owner", ["dev"], 10m), "api-gateway", Currency.FromCode("CNY"), DateTimeZoneProviders.Tzdb["Asia/Shanghai"], 5.50m,
            [new BillingItem("calls", 10_000m, 0.06m, BillingCycle.Every(Duration.FromHours(1)), Duration.FromMinutes(30), "apigw", [new PriceTier(1_000_000m, 0.06m)])]);

    public static LedgerEntry Charge(string id, Instant at, decimal amount) => new(id, LedgerEntryKind.Charge, at, amount);

    /// <summary>Claims the account and commits an Overdue state with one transition and one outbox message.</summary>
    public static async Task EvaluateOverdueAsync(IArrearsStore store, string account, Instant now)
    {
        var claimed = (await store.ClaimDueAsync(now, 100, Lease, Ct)).Single(a => a.Registration.Id == account);
        var state = new AccountState([new ProductLifecycle(null, LifecycleStatus.Overdue, 1, now, now + Duration.FromHours(24), null)], true, now);
        OutboxMessage message = new()
        {
            Key = $"{account}/1/Overdue/owner/Email",
            Account = account,
            Kind = OutboxKind.Notification,
            Notification = NotificationKind.Overdue,
            Episode = 1,
            At = now,
            Balance = -4.50m,
            Recipient = "owner",
            Channel = "Email",
            NextDeadline = now + Duration.FromHours(24),
            Currency = "CNY",
            TimeZone = "Asia/Shanghai",
        };
        var saved = await store.CommitAsync(
            new EvaluationCommit(account, claimed.Version, state, now,
                [new TransitionRecord(now, LifecycleStatus.Active, LifecycleStatus.Overdue, TransitionReason.InArrears, 1, null, false, now)],
                [], [message], now + Duration.FromHours(24), now + Duration.FromHours(24)),
            Ct);
        Assert.True(saved);
    }
}
