using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Sqlite;

/// <summary>Reading and writing the rows of one account: the helpers every operation shares.</summary>
public sealed partial class SqliteArrearsStore
{
    private const string InsertAccountSql = $"""
        INSERT INTO accounts (id, policy, currency, time_zone, opening_balance, creator, collaborators, balance_alarm, items, created_at)
        VALUES ($id, $policy, $currency, $time_zone, $opening_balance, $creator, $collaborators, $balance_alarm, $items, {SqliteSql.DatabaseNow});
        INSERT INTO account_runs (id, version, due_at, claimed_until, last_evaluated_at, next_review_at, alarm_armed)
        VALUES ($id, 1, $due, NULL, NULL, NULL, 0)
        """;

    private const string UpdateRegistrationSql = """
        UPDATE accounts SET policy = $policy, currency = $currency, time_zone = $time_zone, opening_balance = $opening_balance,
                            creator = $creator, collaborators = $collaborators, balance_alarm = $balance_alarm, items = $items
        WHERE id = $id
        """;

    /// <summary>Makes an account due no later than an instant (<c>$due</c>, in nanoseconds), and bumps its version: something about it changed.</summary>
    private const string TouchSql = """
        UPDATE account_runs SET version = version + 1, due_at = CASE WHEN due_at IS NULL OR due_at > $due THEN $due ELSE due_at END
        WHERE id = $id
        """;

    private const string InsertEntrySql = """
        INSERT INTO ledger_entries (account, id, kind, at, amount, product, billing_item, external_reference)
        VALUES ($account, $id, $kind, $at, $amount, $product, $billing_item, $external_reference)
        """;

    private const string InsertBatchSql = "INSERT INTO usage_batches (account, batch, records, fingerprint) VALUES ($account, $batch, $records, $fingerprint)";

    private const string InsertUsageSql = "INSERT INTO usage (account, batch, item, at, quantity) VALUES ($account, $batch, $item, $at, $quantity)";

    private const string LoadProductsSql = """
        SELECT account, product, status, episode, overdue_since, suspend_at, purge_at
        FROM account_products WHERE account IN (SELECT value FROM json_each($ids)) ORDER BY account, position
        """;

    /// <summary>
    /// The claimed accounts' entries; the last column says whether any of the three optional columns holds a value, so
    /// the usual entry (none does) is read with six calls into SQLite rather than nine (a claim's time goes into reading
    /// entries).
    /// </summary>
    private const string LoadEntriesSql = """
        SELECT account, id, kind, at, amount, product, billing_item, external_reference,
               product IS NOT NULL OR billing_item IS NOT NULL OR external_reference IS NOT NULL
        FROM ledger_entries WHERE account IN (SELECT value FROM json_each($ids)) ORDER BY account, seq
        """;

    private const string LoadUsageSql = """
        SELECT account, item, at, quantity FROM usage WHERE account IN (SELECT value FROM json_each($ids)) ORDER BY account, seq
        """;

    private static SqliteCommand BindRegistration(SqliteCommand command, AccountRegistration registration) =>
        command
            .Set("$id", registration.Id)
            .Set("$policy", registration.Policy)
            .Set("$currency", registration.Currency.Code)
            .Set("$time_zone", registration.TimeZone.Id)
            .Set("$opening_balance", StoreCodec.FormatDecimal(registration.OpeningBalance))
            .Set("$creator", registration.Profile.Creator)
            .Set("$collaborators", StoreCodec.FormatCollaborators(registration.Profile.Collaborators))
            .Set("$balance_alarm", StoreCodec.FormatDecimal(registration.Profile.BalanceAlarm))
            .Set("$items", StoreCodec.FormatItems(registration.Items));

    private static bool Exists(SqliteSession session, string account)
    {
        var select = session.Command("SELECT 1 FROM accounts WHERE id = $id");
        return select.Set("$id", account).ExecuteScalar() is not null;
    }

    private static AccountRow? FindRow(SqliteSession session, string account)
    {
        var select = session.Command($"SELECT {SqliteSql.AccountColumns} FROM {SqliteSql.AccountTables} WHERE a.id = $id");
        using var reader = select.Set("$id", account).ExecuteReader();
        return reader.Read() ? SqliteRows.Account(reader) : null;
    }

    /// <summary>
    /// Builds the snapshots of several accounts: their product lifecycles, ledger entries, usage and hold facts read with one
    /// query per table for all of them, in the order each was written. With <paramref name="snapshots"/> (a claim), each
    /// account is built over a compact ledger snapshot and kept there.
    /// </summary>
    private static List<StoredAccount> LoadAccounts(SqliteSession session, List<AccountRow> rows, AccountSnapshots? snapshots = null)
    {
        var ids = StoreCodec.JsonArray(rows.Select(row => row.Registration.Id));
        var lifecycles = new Dictionary<string, List<ProductLifecycle>>(StringComparer.Ordinal);
        var entries = new Dictionary<string, List<LedgerEntry>>(StringComparer.Ordinal);
        var usage = new Dictionary<string, List<UsageRecord>>(StringComparer.Ordinal);

        using (var reader = session.Command(LoadProductsSql).Set("$ids", ids).ExecuteReader())
        {
            while (reader.Read())
            {
                ListOf(lifecycles, reader.GetString(0)).Add(SqliteRows.Lifecycle(reader));
            }
        }

        using (var reader = session.Command(LoadEntriesSql).Set("$ids", ids).ExecuteReader())
        {
            while (reader.Read())
            {
                var account = reader.GetString(0);
                ListOf(entries, account).Add(SqliteRows.Entry(reader, account, optional: reader.GetInt64(8) != 0));
            }
        }

        using (var reader = session.Command(LoadUsageSql).Set("$ids", ids).ExecuteReader())
        {
            while (reader.Read())
            {
                ListOf(usage, reader.GetString(0)).Add(SqliteRows.Usage(reader));
            }
        }

        var holds = LoadHoldFacts(session, ids);
        var accounts = new List<StoredAccount>(rows.Count);
        foreach (var row in rows)
        {
            var id = row.Registration.Id;
            var state = StoreCodec.State(id, "account_runs", lifecycles.GetValueOrDefault(id) ?? [], row.AlarmArmed, row.LastEvaluatedAt);
            var accountEntries = entries.GetValueOrDefault(id) ?? [];
            var accountUsage = usage.GetValueOrDefault(id) ?? [];
            var facts = holds.GetValueOrDefault(id);
            if (snapshots is not null
                && AccountSnapshots.Build(id, "ledger_entries", row.Registration.Currency, row.Registration.OpeningBalance, accountEntries) is { } snapshot)
            {
                var account = StoreCodec.Stored(id, row.Registration, state, row.Version, row.DueAt, snapshot, accountUsage, row.NextReviewAt, facts);
                snapshots.Keep(account);
                accounts.Add(account);
                continue;
            }

            var ledger = StoreCodec.Ledger(id, "ledger_entries", row.Registration.Currency, row.Registration.OpeningBalance, accountEntries);
            accounts.Add(facts is null
                ? new StoredAccount(row.Registration, state, row.Version, row.DueAt, ledger, accountUsage, row.NextReviewAt)
                : StoreCodec.Build(id, "hold_facts.revokes", () => new StoredAccount(row.Registration, state, row.Version, row.DueAt, ledger, accountUsage, row.NextReviewAt, facts)));
        }

        return accounts;
    }

    /// <summary>
    /// Checks a batch of entries against the account's ledger as <see cref="Ledger.Append(IEnumerable{LedgerEntry})"/> would
    /// (same messages), reading back only the entries whose ids the batch repeats; returns the counts and the entries to add.
    /// </summary>
    private static (AppendResult Result, List<LedgerEntry> Added) CheckEntries(
        SqliteSession session, string account, Currency currency, decimal openingBalance, IReadOnlyList<LedgerEntry> entries)
    {
        var existing = ExistingEntries(session, account, entries);
        var probe = StoreCodec.Ledger(account, "ledger_entries", currency, openingBalance, existing);
        var result = probe.Append(entries);
        var added = new List<LedgerEntry>(result.Added);
        var seen = new HashSet<string>(existing.Select(entry => entry.Id), StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (seen.Add(entry.Id))
            {
                added.Add(entry);
            }
        }

        return (result, added);
    }

    /// <summary>Reads the account's entries whose ids appear in <paramref name="entries"/>.</summary>
    private static List<LedgerEntry> ExistingEntries(SqliteSession session, string account, IReadOnlyList<LedgerEntry> entries)
    {
        var found = new List<LedgerEntry>();
        if (entries.Count == 0)
        {
            return found;
        }

        var ids = StoreCodec.JsonArray(entries.Select(entry => entry?.Id ?? string.Empty));
        var select = session.Command("SELECT account, id, kind, at, amount, product, billing_item, external_reference FROM ledger_entries INDEXED BY ledger_entries_id WHERE account = $account AND id IN (SELECT value FROM json_each($ids)) ORDER BY seq");
        using var reader = select.Set("$account", account).Set("$ids", ids).ExecuteReader();
        while (reader.Read())
        {
            found.Add(SqliteRows.Entry(reader));
        }

        return found;
    }

    private static void InsertEntries(SqliteSession session, string account, IReadOnlyList<LedgerEntry> entries)
    {
        var insert = session.Command(InsertEntrySql);
        foreach (var entry in entries)
        {
            BindEntry(insert, account, entry).ExecuteNonQuery();
        }
    }

    private static SqliteCommand BindEntry(SqliteCommand insert, string account, LedgerEntry entry) =>
        insert
            .Set("$account", account)
            .Set("$id", entry.Id)
            .Set("$kind", StoreCodec.FormatEnum(entry.Kind))
            .Set("$at", StoreCodec.FormatInstant(entry.At))
            .Set("$amount", StoreCodec.FormatDecimal(entry.Amount))
            .Set("$product", entry.Product)
            .Set("$billing_item", entry.BillingItem)
            .Set("$external_reference", entry.ExternalReference);

    private static void Touch(SqliteSession session, string account, long due)
    {
        var update = session.Command(TouchSql);
        update.Set("$id", account).Set("$due", due).ExecuteNonQuery();
    }

    private static (long Records, string Fingerprint)? FindBatch(SqliteSession session, string account, string batch)
    {
        var select = session.Command("SELECT records, fingerprint FROM usage_batches WHERE account = $account AND batch = $batch");
        using var reader = select.Set("$account", account).Set("$batch", batch).ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private static void InsertBatch(SqliteSession session, string account, string batch, IReadOnlyList<UsageRecord> usage, string fingerprint)
    {
        var insertBatch = session.Command(InsertBatchSql);
        insertBatch.Set("$account", account).Set("$batch", batch).Set("$records", usage.Count).Set("$fingerprint", fingerprint).ExecuteNonQuery();
        var insert = session.Command(InsertUsageSql);
        insert.Set("$account", account).Set("$batch", batch);
        foreach (var record in usage)
        {
            insert
                .Set("$item", record.Item)
                .Set("$at", StoreCodec.FormatInstant(record.At))
                .Set("$quantity", StoreCodec.FormatDecimal(record.Quantity))
                .ExecuteNonQuery();
        }
    }

    private static List<T> ListOf<T>(Dictionary<string, List<T>> lists, string account)
    {
        if (!lists.TryGetValue(account, out var list))
        {
            list = [];
            lists.Add(account, list);
        }

        return list;
    }
}
