using System.Globalization;
using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
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
    public const string TransitionColumns = "account_id, at_ns, from_status, to_status, reason, episode, product, is_late, evaluated_at_ns";

    /// <summary>The columns of <c>outbox</c> that <see cref="ReadOutbox"/> reads, in order.</summary>
    public const string OutboxColumns =
        "seq, key, account_id, kind, notification, enforcement, product, episode, at_ns, balance, recipient, channel, next_deadline_ns, currency, time_zone, status, attempts, next_attempt_at_ns, last_error";

    public static AccountRow ReadAccount(NpgsqlDataReader reader)
    {
        var id = reader.GetString(0);
        var policy = reader.GetString(1);
        var creator = reader.GetString(2);
        var collaborators = reader.GetFieldValue<string[]>(3);
        decimal? alarm = reader.IsDBNull(4) ? null : reader.GetDecimal(4);
        var currencyCode = reader.GetString(5);
        var zoneId = reader.GetString(6);
        var opening = reader.GetDecimal(7);
        var itemsText = reader.GetString(8);

        if (!Currency.TryFromCode(currencyCode, out var currency))
        {
            throw new StoreDataException(id, "accounts.currency", $"not an ISO 4217 currency, got \"{currencyCode}\"", null);
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)
            ?? throw new StoreDataException(id, "accounts.time_zone", $"not a time zone id, got \"{zoneId}\"", null);
        BillingItem[] items;
        try
        {
            items = ItemsJson.Read(itemsText);
        }
        catch (FormatException ex)
        {
            throw new StoreDataException(id, "accounts.items", $"not a list of billing items ({ex.Message}), got {Shorten(itemsText)}", ex);
        }

        AccountProfile profile;
        try
        {
            profile = new AccountProfile(id, creator, collaborators, alarm);
        }
        catch (ArgumentException ex)
        {
            var column = ex.ParamName switch
            {
                "creator" => "accounts.creator",
                "collaborators" => "accounts.collaborators",
                "balanceAlarm" => "accounts.balance_alarm",
                _ => "accounts.id",
            };
            throw new StoreDataException(id, column, ex.Message, ex);
        }

        AccountRegistration registration;
        try
        {
            registration = new AccountRegistration(profile, policy, currency, zone, opening, items);
        }
        catch (ArgumentException ex)
        {
            var column = ex.ParamName switch
            {
                "policy" => "accounts.policy",
                "items" => "accounts.items",
                _ => "accounts.opening_balance",
            };
            throw new StoreDataException(id, column, ex.Message, ex);
        }

        return new AccountRow(
            registration,
            reader.GetInt64(9),
            NullableInstant(reader, 10),
            NullableInstant(reader, 11),
            reader.GetBoolean(12),
            NullableInstant(reader, 13));
    }

    public static ProductLifecycle ReadProduct(NpgsqlDataReader reader, string account)
    {
        var product = reader.IsDBNull(1) ? null : reader.GetString(1);
        var status = Enum<LifecycleStatus>(reader.GetString(2), account, "account_products.status");
        try
        {
            return new ProductLifecycle(product, status, reader.GetInt32(3), NullableInstant(reader, 4), NullableInstant(reader, 5), NullableInstant(reader, 6));
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, "account_products.status", $"row at position {reader.GetInt32(7).ToString(CultureInfo.InvariantCulture)}: {ex.Message}", ex);
        }
    }

    public static LedgerEntry ReadEntry(NpgsqlDataReader reader, string account)
    {
        var id = reader.GetString(1);
        var kind = Enum<LedgerEntryKind>(reader.GetString(2), account, "ledger_entries.kind");
        try
        {
            return new LedgerEntry(id, kind, Instant(reader, 3), reader.GetDecimal(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7));
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, ex.ParamName == "amount" ? "ledger_entries.amount" : "ledger_entries.id", $"entry \"{id}\": {ex.Message}", ex);
        }
    }

    public static UsageRecord ReadUsage(NpgsqlDataReader reader, string account)
    {
        try
        {
            return new UsageRecord(reader.GetString(1), Instant(reader, 2), reader.GetDecimal(3));
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, ex.ParamName == "item" ? "usage.item" : "usage.quantity", ex.Message, ex);
        }
    }

    public static TransitionRecord ReadTransition(NpgsqlDataReader reader)
    {
        var account = reader.GetString(0);
        var from = Enum<LifecycleStatus>(reader.GetString(2), account, "transitions.from_status");
        var to = Enum<LifecycleStatus>(reader.GetString(3), account, "transitions.to_status");
        var reason = Enum<TransitionReason>(reader.GetString(4), account, "transitions.reason");
        try
        {
            return new TransitionRecord(Instant(reader, 1), from, to, reason, reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetBoolean(7), Instant(reader, 8));
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, $"transitions.{ex.ParamName switch { "episode" => "episode", "product" => "product", "evaluatedAt" => "evaluated_at_ns", _ => "to_status" }}", ex.Message, ex);
        }
    }

    public static OutboxMessage ReadOutbox(NpgsqlDataReader reader)
    {
        var account = reader.GetString(2);
        var kind = Enum<OutboxKind>(reader.GetString(3), account, "outbox.kind");
        return new OutboxMessage
        {
            Sequence = reader.GetInt64(0),
            Key = reader.GetString(1),
            Account = account,
            Kind = kind,
            Notification = reader.IsDBNull(4) ? default : Enum<NotificationKind>(reader.GetString(4), account, "outbox.notification"),
            Enforcement = reader.IsDBNull(5) ? default : Enum<EnforcementKind>(reader.GetString(5), account, "outbox.enforcement"),
            Product = reader.IsDBNull(6) ? null : reader.GetString(6),
            Episode = reader.GetInt32(7),
            At = Instant(reader, 8),
            Balance = reader.GetDecimal(9),
            Recipient = reader.IsDBNull(10) ? null : reader.GetString(10),
            Channel = reader.IsDBNull(11) ? null : reader.GetString(11),
            NextDeadline = NullableInstant(reader, 12),
            Currency = reader.GetString(13),
            TimeZone = reader.GetString(14),
            Status = Enum<OutboxStatus>(reader.GetString(15), account, "outbox.status"),
            Attempts = reader.GetInt32(16),
            NextAttemptAt = Instant(reader, 17),
            LastError = reader.IsDBNull(18) ? null : reader.GetString(18),
        };
    }

    /// <summary>Parses an enum by its name only (not a number), as the store writes it.</summary>
    public static T Enum<T>(string value, string? account, string column)
        where T : struct, Enum =>
        value.Length > 0 && char.IsAsciiLetter(value[0]) && System.Enum.TryParse<T>(value, ignoreCase: false, out var parsed) && System.Enum.IsDefined(parsed)
            ? parsed
            : throw new StoreDataException(account, column, $"not a {typeof(T).Name} ({string.Join(", ", System.Enum.GetNames<T>())}), got \"{value}\"", null);

    private static Instant Instant(NpgsqlDataReader reader, int ordinal) => Nanoseconds.ToInstant(reader.GetInt64(ordinal));

    private static Instant? NullableInstant(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Nanoseconds.ToInstant(reader.GetInt64(ordinal));

    private static string Shorten(string text) => text.Length <= 80 ? $"\"{text}\"" : $"\"{text[..77]}...\"";
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

    public StoredAccount ToStored()
    {
        AccountState state;
        try
        {
            state = new AccountState(Products, AlarmArmed, LastEvaluatedAt);
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(Id, "account_products.status", $"the products do not make a state ({ex.Message})", ex);
        }

        var ledger = new Ledger(Registration.Currency, Registration.OpeningBalance);
        try
        {
            ledger.Append(Entries);
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(Id, "ledger_entries.amount", ex.Message, ex);
        }

        return new StoredAccount(Registration, state, Version, DueAt, ledger, Usage, NextReviewAt);
    }
}
