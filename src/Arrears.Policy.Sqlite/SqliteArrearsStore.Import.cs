using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Sqlite;

/// <summary>Imports: a whole file of accounts in one transaction.</summary>
public sealed partial class SqliteArrearsStore
{
    /// <inheritdoc />
    public ValueTask<ImportResult> ImportAsync(IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        foreach (var import in accounts)
        {
            ArgumentNullException.ThrowIfNull(import, nameof(accounts));
            SqliteInstants.From(import.DueAt, DueAtField(import));
        }

        return WriteAsync(Durability.Synced, session => new Importer(session).Run(accounts), cancellationToken);
    }

    /// <summary>The name of an import's due instant in messages, as the PostgreSQL store names it.</summary>
    private static string DueAtField(AccountImport import) => $"accounts[\"{import.Registration.Id}\"].dueAt";

    /// <summary>
    /// One import inside one <c>BEGIN IMMEDIATE</c> transaction: every account is checked first (in the order given, with the
    /// in-memory store's messages), then applied with statements prepared once for the whole import. An exception anywhere
    /// rolls the transaction back, so nothing of a bad import is applied.
    /// </summary>
    private sealed class Importer(SqliteSession session)
    {
        private readonly SqliteCommand _insertAccount = session.Command(InsertAccountSql);
        private readonly SqliteCommand _updateRegistration = session.Command(UpdateRegistrationSql);
        private readonly SqliteCommand _insertEntry = session.Command(InsertEntrySql);
        private readonly SqliteCommand _touch = session.Command(TouchSql);
        private readonly SqliteCommand _insertBatch = session.Command(InsertBatchSql);
        private readonly SqliteCommand _insertUsage = session.Command(InsertUsageSql);
        private readonly SqliteCommand _insertHoldFact = session.Command(InsertHoldFactSql);
        private readonly SqliteCommand _saveContact = session.Command("""
            INSERT INTO contacts (recipient, email, phone) VALUES ($recipient, $email, $phone)
            ON CONFLICT (recipient) DO UPDATE SET email = excluded.email, phone = excluded.phone
            """);

        public ImportResult Run(IReadOnlyList<AccountImport> accounts)
        {
            var existing = ExistingAccounts(accounts);
            var plans = new List<Plan>(accounts.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var import in accounts)
            {
                plans.Add(Check(import, seen, existing.GetValueOrDefault(import.Registration.Id)));
            }

            var contacts = ExistingContacts(accounts);
            int created = 0, updated = 0, entries = 0, usage = 0, holds = 0;
            foreach (var plan in plans)
            {
                var import = plan.Import;
                var id = import.Registration.Id;
                var changed = plan.Existing is { } row && !StoreCodec.SameRegistration(row.Registration, import.Registration);
                if (plan.Existing is null)
                {
                    BindRegistration(_insertAccount, import.Registration).Set("$due", SqliteInstants.From(import.DueAt, DueAtField(import))).ExecuteNonQuery();
                }
                else
                {
                    BindRegistration(_updateRegistration, import.Registration).ExecuteNonQuery();
                }

                foreach (var entry in plan.NewEntries)
                {
                    BindEntry(_insertEntry, id, entry).ExecuteNonQuery();
                }

                entries += plan.NewEntries.Count;
                changed |= plan.NewEntries.Count > 0;
                if (plan.NewBatch && import.UsageBatch is { } batch)
                {
                    InsertUsage(id, batch, import.Usage);
                    usage += import.Usage.Count;
                    changed = true;
                }

                foreach (var record in plan.NewHolds)
                {
                    BindHoldFact(_insertHoldFact, id, record).ExecuteNonQuery();
                }

                holds += plan.NewHolds.Count;
                changed |= plan.NewHolds.Count > 0;
                foreach (var (recipient, contact) in import.Contacts)
                {
                    if (contacts.TryGetValue(recipient, out var old) && string.Equals(old.Email, contact.Email, StringComparison.Ordinal) &&
                        string.Equals(old.Phone, contact.Phone, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    changed = true;
                    contacts[recipient] = contact;
                    _saveContact.Set("$recipient", recipient).Set("$email", contact.Email).Set("$phone", contact.Phone).ExecuteNonQuery();
                }

                if (plan.Existing is null)
                {
                    created++;
                }
                else if (changed)
                {
                    updated++;
                    _touch.Set("$id", id).Set("$due", SqliteInstants.From(import.DueAt, DueAtField(import))).ExecuteNonQuery();
                }
            }

            return new ImportResult(created, updated, entries, usage, holds);
        }

        /// <summary>Checks one account of the import against the database; returns what to write for it.</summary>
        private Plan Check(AccountImport import, HashSet<string> seen, AccountRow? existing)
        {
            var registration = import.Registration;
            var id = registration.Id;
            if (!seen.Add(id))
            {
                throw StoreErrors.ImportRepeats(id);
            }

            StoreCodec.CheckTimeZone(registration.TimeZone, "account.timeZone");
            var stored = new List<LedgerEntry>();
            var newBatch = import.UsageBatch is not null;
            if (existing is not null)
            {
                stored = ExistingEntries(session, id, import.Entries);
                var byId = stored.ToDictionary(entry => entry.Id, StringComparer.Ordinal);
                foreach (var entry in import.Entries)
                {
                    if (byId.TryGetValue(entry.Id, out var old) && !old.Equals(entry))
                    {
                        throw StoreErrors.ImportEntryDiffers(id, entry.Id);
                    }
                }

                if (import.UsageBatch is { } batch && FindBatch(session, id, batch) is { } recorded)
                {
                    if (recorded.Records != import.Usage.Count || !string.Equals(recorded.Fingerprint, StoreCodec.UsageFingerprint(import.Usage), StringComparison.Ordinal))
                    {
                        throw StoreErrors.ImportBatchDiffers(id, batch);
                    }

                    newBatch = false;
                }

                if (!registration.Currency.Equals(existing.Registration.Currency) || registration.OpeningBalance != existing.Registration.OpeningBalance)
                {
                    throw StoreErrors.ImportLedgerChanges(id);
                }
            }

            // The entries must fit the ledger (the currency's minor units); checked on a probe holding the stored entries they repeat.
            try
            {
                new Ledger(registration.Currency, registration.OpeningBalance).Append([.. stored, .. import.Entries]);
            }
            catch (ArgumentException ex)
            {
                throw StoreErrors.ImportInvalid(id, ex);
            }

            var newHolds = import.Holds.Count == 0 ? [] : HoldFacts.New(id, existing is null ? [] : ReadHoldFacts(session, id), import.Holds, import: true);
            var storedIds = stored.Select(entry => entry.Id).ToHashSet(StringComparer.Ordinal);
            return new Plan(import, existing, [.. import.Entries.Where(entry => !storedIds.Contains(entry.Id))], newBatch, newHolds);
        }

        private void InsertUsage(string account, string batch, IReadOnlyList<UsageRecord> usage)
        {
            _insertBatch
                .Set("$account", account)
                .Set("$batch", batch)
                .Set("$records", usage.Count)
                .Set("$fingerprint", StoreCodec.UsageFingerprint(usage))
                .ExecuteNonQuery();
            _insertUsage.Set("$account", account).Set("$batch", batch);
            foreach (var record in usage)
            {
                _insertUsage
                    .Set("$item", record.Item)
                    .Set("$at", StoreCodec.FormatInstant(record.At))
                    .Set("$quantity", StoreCodec.FormatDecimal(record.Quantity))
                    .ExecuteNonQuery();
            }
        }

        private Dictionary<string, AccountRow> ExistingAccounts(IReadOnlyList<AccountImport> accounts)
        {
            var rows = new Dictionary<string, AccountRow>(StringComparer.Ordinal);
            var select = session.Command($"SELECT {SqliteSql.AccountColumns} FROM {SqliteSql.AccountTables} WHERE a.id IN (SELECT value FROM json_each($ids))");
            using var reader = select.Set("$ids", StoreCodec.JsonArray(accounts.Select(import => import.Registration.Id).Distinct(StringComparer.Ordinal))).ExecuteReader();
            while (reader.Read())
            {
                var row = SqliteRows.Account(reader);
                rows.Add(row.Registration.Id, row);
            }

            return rows;
        }

        private Dictionary<string, RecipientContact> ExistingContacts(IReadOnlyList<AccountImport> accounts)
        {
            var contacts = new Dictionary<string, RecipientContact>(StringComparer.Ordinal);
            var recipients = accounts.SelectMany(import => import.Contacts.Keys).Distinct(StringComparer.Ordinal).ToList();
            if (recipients.Count == 0)
            {
                return contacts;
            }

            var select = session.Command("SELECT recipient, email, phone FROM contacts WHERE recipient IN (SELECT value FROM json_each($recipients))");
            using var reader = select.Set("$recipients", StoreCodec.JsonArray(recipients)).ExecuteReader();
            while (reader.Read())
            {
                contacts.Add(reader.GetString(0), SqliteRows.Contact(reader));
            }

            return contacts;
        }

        /// <summary>What one account of the import writes: its entries not yet stored, whether its usage batch is new, and its new hold facts.</summary>
        private sealed record Plan(AccountImport Import, AccountRow? Existing, IReadOnlyList<LedgerEntry> NewEntries, bool NewBatch, IReadOnlyList<HoldRecord> NewHolds);
    }
}
