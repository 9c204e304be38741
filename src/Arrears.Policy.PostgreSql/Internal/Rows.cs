using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Npgsql;
using NodaTime;

namespace Arrears.Policy.PostgreSql.Internal;

/// <summary>
/// Reads rows back into the library's types, never guessing: a value that cannot be what the store wrote (a status that
/// names no status, an unknown time zone, items that do not parse, a state the engine could not have produced) is a
/// <see cref="StoreDataException"/> naming the account, the column and the value.
/// </summary>
internal static class Rows
{
    /// <summary>The columns of <c>accounts</c> that <see cref="ReadAccount"/> reads, in order.</summary>
    public const string AccountColumns =
        "id, policy, creator, collaborators, balance_alarm, currency, time_zone, opening_balance, items::text, version, due_at_ns, next_review_at_ns, alarm_armed, last_evaluated_at_ns";

    /// <summary>The columns of <c>account_products</c> that <see cref="ReadProduct"/> reads (after the account id), in order.</summary>
    public const string ProductColumns = "account_id, product, status, episode, overdue_since_ns, suspend_at_ns, purge_at_ns, position";

    /// <summary>The columns of <c>ledger_entries</c> that <see cref="ReadEntry"/> reads (after the account id), in order.</summary>
    public const string EntryColumns = "account_id, id, kind, at_ns, amount, product, billing_item, external_reference";

    /// <summary>The columns of <c>usage</c> that <see cref="ReadUsage"/> reads (after the account id), in order.</summary>
    public const string UsageColumns = "account_id, item, at_ns, quantity";

    /// <summary>The columns of <c>transitions</c> that <see cref="ReadTransition"/> reads, in order.</summary>
    public const string TransitionColumns = "account_id, at_ns, from_status, to_status, reason, episode, product, is_late, evaluated_at_ns, deferred_from_ns, held_by";

    /// <summary>The columns of <c>outbox</c> that <see cref="ReadOutbox"/> reads, in order.</summary>
    public const string OutboxColumns =
        "seq, key, account_id, kind, notification, enforcement, product, episode, at_ns, balance, recipient, channel, next_deadline_ns, currency, time_zone, status, attempts, next_attempt_at_ns, last_error";

    public static AccountRow ReadAccount(NpgsqlDataReader reader)
    {
        var id = reader.GetString(0);
        var currency = StoreCodec.ParseCurrency(reader.GetString(5), id, "accounts.currency");
        var zone = StoreCodec.ParseTimeZone(reader.GetString(6), id, "accounts.time_zone");
        var items = StoreCodec.ParseItems(reader.GetString(8), id, "accounts.items");
        var registration = StoreCodec.Registration(
            id,
            reader.GetString(1),
            currency,
            zone,
            reader.GetDecimal(7),
            reader.GetString(2),
            reader.GetFieldValue<string[]>(3),
            reader.IsDBNull(4) ? null : reader.GetDecimal(4),
            items,
            "accounts");
        return new AccountRow(
            registration,
            reader.GetInt64(9),
            NullableInstant(reader, 10),
            NullableInstant(reader, 11),
            reader.GetBoolean(12),
            NullableInstant(reader, 13));
    }

    public static ProductLifecycle ReadProduct(NpgsqlDataReader reader, string account) =>
        StoreCodec.Lifecycle(
            account,
            "account_products",
            reader.IsDBNull(1) ? null : reader.GetString(1),
            StoreCodec.ParseEnum<LifecycleStatus>(reader.GetString(2), account, "account_products.status"),
            reader.GetInt32(3),
            NullableInstant(reader, 4),
            NullableInstant(reader, 5),
            NullableInstant(reader, 6));

    public static LedgerEntry ReadEntry(NpgsqlDataReader reader, string account)
    {
        var id = reader.GetString(1);
        var kind = StoreCodec.ParseEnum<LedgerEntryKind>(reader.GetString(2), account, "ledger_entries.kind");
        var at = Instant(reader, 3);
        var amount = reader.GetDecimal(4);
        var product = reader.IsDBNull(5) ? null : reader.GetString(5);
        var item = reader.IsDBNull(6) ? null : reader.GetString(6);
        var reference = reader.IsDBNull(7) ? null : reader.GetString(7);
        return StoreCodec.Build(account, "ledger_entries.amount", () => new LedgerEntry(id, kind, at, amount, product, item, reference));
    }

    public static UsageRecord ReadUsage(NpgsqlDataReader reader, string account)
    {
        var item = reader.GetString(1);
        var at = Instant(reader, 2);
        var quantity = reader.GetDecimal(3);
        return StoreCodec.Build(account, "usage.quantity", () => new UsageRecord(item, at, quantity));
    }

    public static TransitionRecord ReadTransition(NpgsqlDataReader reader)
    {
        var account = reader.GetString(0);
        var at = Instant(reader, 1);
        var from = StoreCodec.ParseEnum<LifecycleStatus>(reader.GetString(2), account, "transitions.from_status");
        var to = StoreCodec.ParseEnum<LifecycleStatus>(reader.GetString(3), account, "transitions.to_status");
        var reason = StoreCodec.ParseEnum<TransitionReason>(reader.GetString(4), account, "transitions.reason");
        var episode = reader.GetInt32(5);
        var product = reader.IsDBNull(6) ? null : reader.GetString(6);
        var isLate = reader.GetBoolean(7);
        var evaluatedAt = Instant(reader, 8);
        var deferredFrom = NullableInstant(reader, 9);
        var heldBy = reader.IsDBNull(10) ? null : reader.GetFieldValue<string[]>(10);
        return StoreCodec.Build(account, "transitions.episode", () => new TransitionRecord(at, from, to, reason, episode, product, isLate, evaluatedAt, deferredFrom, heldBy));
    }

    public static OutboxMessage ReadOutbox(NpgsqlDataReader reader)
    {
        var account = reader.GetString(2);
        return new OutboxMessage
        {
            Sequence = reader.GetInt64(0),
            Key = reader.GetString(1),
            Account = account,
            Kind = StoreCodec.ParseEnum<OutboxKind>(reader.GetString(3), account, "outbox.kind"),
            Notification = reader.IsDBNull(4) ? default : StoreCodec.ParseEnum<NotificationKind>(reader.GetString(4), account, "outbox.notification"),
            Enforcement = reader.IsDBNull(5) ? default : StoreCodec.ParseEnum<EnforcementKind>(reader.GetString(5), account, "outbox.enforcement"),
            Product = reader.IsDBNull(6) ? null : reader.GetString(6),
            Episode = reader.GetInt32(7),
            At = Instant(reader, 8),
            Balance = reader.GetDecimal(9),
            Recipient = reader.IsDBNull(10) ? null : reader.GetString(10),
            Channel = reader.IsDBNull(11) ? null : reader.GetString(11),
            NextDeadline = NullableInstant(reader, 12),
            Currency = reader.GetString(13),
            TimeZone = reader.GetString(14),
            Status = StoreCodec.ParseEnum<OutboxStatus>(reader.GetString(15), account, "outbox.status"),
            Attempts = reader.GetInt32(16),
            NextAttemptAt = Instant(reader, 17),
            LastError = reader.IsDBNull(18) ? null : reader.GetString(18),
        };
    }

    /// <summary>Reads a contact; a corrupted address names the recipient and the column.</summary>
    public static RecipientContact ReadContact(string recipient, string? email, string? phone)
    {
        try
        {
            return new RecipientContact(email, phone);
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(null, ex.ParamName == "phone" ? "contacts.phone" : "contacts.email", $"recipient {StoreCodec.Quote(recipient)}: {ex.Message}", ex);
        }
    }

    private static Instant Instant(NpgsqlDataReader reader, int ordinal) => Nanoseconds.ToInstant(reader.GetInt64(ordinal));

    private static Instant? NullableInstant(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Nanoseconds.ToInstant(reader.GetInt64(ordinal));
}

/// <summary>An account's row, before its products, ledger and usage are added to make a <see cref="StoredAccount"/>.</summary>
internal sealed class AccountRow(AccountRegistration registration, long version, Instant? dueAt, Instant? nextReviewAt, bool alarmArmed, Instant? lastEvaluatedAt)
{
    public string Id => Registration.Id;

    public AccountRegistration Registration { get; } = registration;

    public long Version { get; } = version;

    public Instant? DueAt { get; } = dueAt;

    public Instant? NextReviewAt { get; } = nextReviewAt;

    public bool AlarmArmed { get; } = alarmArmed;

    public Instant? LastEvaluatedAt { get; } = lastEvaluatedAt;

    public List<ProductLifecycle> Products { get; } = [];

    public List<LedgerEntry> Entries { get; } = [];

    public List<UsageRecord> Usage { get; } = [];

    public List<HoldRecord> Holds { get; } = [];

    /// <summary>
    /// Builds the stored account; with <paramref name="snapshot"/> (a claim, whose accounts the store keeps), over a compact
    /// ledger snapshot when the entries fit its layout.
    /// </summary>
    public StoredAccount ToStored(bool snapshot = false)
    {
        var state = StoreCodec.State(Id, "account_products", Products, AlarmArmed, LastEvaluatedAt);
        if (snapshot && AccountSnapshots.Build(Id, "ledger_entries", Registration.Currency, Registration.OpeningBalance, Entries) is { } compact)
        {
            return StoreCodec.Stored(Id, Registration, state, Version, DueAt, compact, Usage, NextReviewAt, Holds.Count == 0 ? null : Holds);
        }

        var ledger = StoreCodec.Ledger(Id, "ledger_entries", Registration.Currency, Registration.OpeningBalance, Entries);
        return Holds.Count == 0
            ? new(Registration, state, Version, DueAt, ledger, Usage, NextReviewAt)
            : StoreCodec.Build(Id, "hold_facts.revokes", () => new StoredAccount(Registration, state, Version, DueAt, ledger, Usage, NextReviewAt, Holds));
    }
}
