using System.Globalization;
using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace Arrears.Policy.Sqlite;

/// <summary>An <c>accounts</c> row with its <c>account_runs</c> row, decoded.</summary>
internal sealed record AccountRow(
    AccountRegistration Registration, long Version, Instant? DueAt, Instant? LastEvaluatedAt, Instant? NextReviewAt, bool AlarmArmed);

/// <summary>Decodes rows into the library's values; every corrupted value is a <see cref="StoreDataException"/> naming the account and the column.</summary>
internal static class SqliteRows
{
    /// <summary>Reads an account selected with <see cref="SqliteSql.AccountColumns"/> from <see cref="SqliteSql.AccountTables"/>.</summary>
    public static AccountRow Account(SqliteDataReader reader)
    {
        var id = reader.GetString(0);
        var currency = StoreCodec.ParseCurrency(reader.GetString(2), id, "accounts.currency");
        var zone = StoreCodec.ParseTimeZone(reader.GetString(3), id, "accounts.time_zone");
        var opening = StoreCodec.ParseDecimal(reader.GetString(4), id, "accounts.opening_balance");
        var collaborators = StoreCodec.ParseCollaborators(reader.GetString(6), id, "accounts.collaborators");
        var alarm = StoreCodec.ParseOptionalDecimal(reader.Text(7), id, "accounts.balance_alarm");
        var items = StoreCodec.ParseItems(reader.GetString(8), id, "accounts.items");
        var registration = StoreCodec.Registration(id, reader.GetString(1), currency, zone, opening, reader.GetString(5), collaborators, alarm, items, "accounts");
        var armed = reader.GetInt64(13) switch
        {
            0 => false,
            1 => true,
            var other => throw new StoreDataException(id, "account_runs.alarm_armed", string.Create(CultureInfo.InvariantCulture, $"must be 0 or 1, got {other}"), null),
        };
        return new AccountRow(
            registration,
            reader.GetInt64(9),
            SqliteInstants.Read(reader, 10),
            SqliteInstants.Read(reader, 11),
            SqliteInstants.Read(reader, 12),
            armed);
    }

    /// <summary>Reads an <c>account_products</c> row selected as <c>account, product, status, episode, overdue_since, suspend_at, purge_at</c>.</summary>
    public static ProductLifecycle Lifecycle(SqliteDataReader reader)
    {
        var account = reader.GetString(0);
        var product = StoreCodec.ProductOf(reader.GetString(1));
        var status = StoreCodec.ParseEnum<LifecycleStatus>(reader.GetString(2), account, "account_products.status");
        var episode = Int(reader.GetInt64(3), account, "account_products.episode");
        return StoreCodec.Lifecycle(
            account,
            "account_products",
            product,
            status,
            episode,
            StoreCodec.ParseOptionalInstant(reader.Text(4), account, "account_products.overdue_since"),
            StoreCodec.ParseOptionalInstant(reader.Text(5), account, "account_products.suspend_at"),
            StoreCodec.ParseOptionalInstant(reader.Text(6), account, "account_products.purge_at"));
    }

    /// <summary>Reads a <c>ledger_entries</c> row selected as <c>account, id, kind, at, amount, product, billing_item, external_reference</c>.</summary>
    public static LedgerEntry Entry(SqliteDataReader reader) => Entry(reader, reader.GetString(0), optional: true);

    /// <summary>
    /// Reads a <c>ledger_entries</c> row of <paramref name="account"/> selected as above; the optional columns
    /// (<c>product, billing_item, external_reference</c>) are read only when <paramref name="optional"/> says one holds a value.
    /// </summary>
    public static LedgerEntry Entry(SqliteDataReader reader, string account, bool optional)
    {
        var id = reader.GetString(1);
        var kind = StoreCodec.ParseEnum<LedgerEntryKind>(reader.GetString(2), account, "ledger_entries.kind");
        var at = StoreCodec.ParseInstant(reader.GetString(3), account, "ledger_entries.at");
        var amount = StoreCodec.ParseDecimal(reader.GetString(4), account, "ledger_entries.amount");
        var product = optional ? reader.Text(5) : null;
        var item = optional ? reader.Text(6) : null;
        var reference = optional ? reader.Text(7) : null;
        try
        {
            return new LedgerEntry(id, kind, at, amount, product, item, reference);
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, "ledger_entries." + (amount <= 0 ? "amount" : "id"), ex.Message, ex);
        }
    }

    /// <summary>Reads a <c>usage</c> row selected as <c>account, item, at, quantity</c>.</summary>
    public static UsageRecord Usage(SqliteDataReader reader)
    {
        var account = reader.GetString(0);
        var item = reader.GetString(1);
        var at = StoreCodec.ParseInstant(reader.GetString(2), account, "usage.at");
        var quantity = StoreCodec.ParseDecimal(reader.GetString(3), account, "usage.quantity");
        return StoreCodec.Build(account, "usage." + (quantity < 0 ? "quantity" : "item"), () => new UsageRecord(item, at, quantity));
    }

    /// <summary>Reads a <c>transitions</c> row selected as <c>account, at, from_status, to_status, reason, episode, product, late, evaluated_at, deferred_from, held_by</c>.</summary>
    public static TransitionRecord Transition(SqliteDataReader reader)
    {
        var account = reader.GetString(0);
        var at = StoreCodec.ParseInstant(reader.GetString(1), account, "transitions.at");
        var from = StoreCodec.ParseEnum<LifecycleStatus>(reader.GetString(2), account, "transitions.from_status");
        var to = StoreCodec.ParseEnum<LifecycleStatus>(reader.GetString(3), account, "transitions.to_status");
        var reason = StoreCodec.ParseEnum<TransitionReason>(reader.GetString(4), account, "transitions.reason");
        var episode = Int(reader.GetInt64(5), account, "transitions.episode");
        var product = reader.Text(6);
        var late = reader.GetInt64(7) != 0;
        var evaluatedAt = StoreCodec.ParseInstant(reader.GetString(8), account, "transitions.evaluated_at");
        var deferredFrom = StoreCodec.ParseOptionalInstant(reader.Text(9), account, "transitions.deferred_from");
        var heldBy = reader.Text(10) is { } held ? StoreCodec.ParseCollaborators(held, account, "transitions.held_by") : null;
        var column = "transitions." + (to == from ? "to_status" : episode < 1 ? "episode" : evaluatedAt < at ? "evaluated_at" : deferredFrom >= at ? "deferred_from" : "product");
        return StoreCodec.Build(account, column, () => new TransitionRecord(at, from, to, reason, episode, product, late, evaluatedAt, deferredFrom, heldBy));
    }

    /// <summary>Reads an <c>outbox</c> row selected with <see cref="SqliteSql.OutboxColumns"/>.</summary>
    public static OutboxMessage Outbox(SqliteDataReader reader)
    {
        var account = reader.GetString(2);
        var kind = StoreCodec.ParseEnum<OutboxKind>(reader.GetString(3), account, "outbox.kind");
        var notification = reader.Text(4);
        var enforcement = reader.Text(5);
        return new OutboxMessage
        {
            Sequence = reader.GetInt64(0),
            Key = reader.GetString(1),
            Account = account,
            Kind = kind,
            Notification = notification is null ? default : StoreCodec.ParseEnum<NotificationKind>(notification, account, "outbox.notification"),
            Enforcement = enforcement is null ? default : StoreCodec.ParseEnum<EnforcementKind>(enforcement, account, "outbox.enforcement"),
            Product = reader.Text(6),
            Episode = Int(reader.GetInt64(7), account, "outbox.episode"),
            At = StoreCodec.ParseInstant(reader.GetString(8), account, "outbox.at"),
            Balance = StoreCodec.ParseDecimal(reader.GetString(9), account, "outbox.balance"),
            Recipient = reader.Text(10),
            Channel = reader.Text(11),
            NextDeadline = StoreCodec.ParseOptionalInstant(reader.Text(12), account, "outbox.next_deadline"),
            Currency = reader.GetString(13),
            TimeZone = reader.GetString(14),
            Status = StoreCodec.ParseEnum<OutboxStatus>(reader.GetString(15), account, "outbox.status"),
            Attempts = Int(reader.GetInt64(16), account, "outbox.attempts"),
            NextAttemptAt = StoreCodec.ParseInstant(reader.GetString(17), account, "outbox.next_attempt_at"),
            LastError = reader.Text(18),
        };
    }

    /// <summary>Reads a <c>contacts</c> row selected as <c>recipient, email, phone</c>.</summary>
    public static RecipientContact Contact(SqliteDataReader reader)
    {
        var recipient = reader.GetString(0);
        var email = reader.Text(1);
        var phone = reader.Text(2);
        try
        {
            return new RecipientContact(email, phone);
        }
        catch (ArgumentException ex)
        {
            var column = email is not null && string.IsNullOrWhiteSpace(email) ? "contacts.email" : "contacts.phone";
            throw new StoreDataException(null, column, $"recipient {StoreCodec.Quote(recipient)}: {ex.Message}", ex);
        }
    }

    private static int Int(long value, string account, string column) =>
        value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new StoreDataException(account, column, string.Create(CultureInfo.InvariantCulture, $"must be a 32-bit integer, got {value}"), null);
}
