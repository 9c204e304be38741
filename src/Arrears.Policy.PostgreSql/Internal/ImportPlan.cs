using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Npgsql;
using NpgsqlTypes;

namespace Arrears.Policy.PostgreSql.Internal;

/// <summary>
/// One import, in one transaction: read what exists of the imported accounts (locked, in id order), check everything,
/// then write it all with binary COPY and batched statements. Nothing is written before every check has passed, and a
/// failure anywhere rolls the whole transaction back.
/// </summary>
internal sealed class ImportPlan
{
    /// <summary>Statements per batch for the updates of existing accounts.</summary>
    private const int UpdatesPerBatch = 500;

    private readonly PostgreSqlArrearsStore _store;
    private readonly Dictionary<string, AccountRow> _existing = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Id), LedgerEntry> _entries = [];
    private readonly Dictionary<(string Account, string Batch), List<UsageRecord>> _batches = [];
    private readonly Dictionary<string, RecipientContact> _contacts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<HoldRecord>> _holds = new(StringComparer.Ordinal);

    private readonly List<AccountImport> _created = [];
    private readonly List<AccountImport> _updated = [];
    private readonly List<(string Account, LedgerEntry Entry)> _newEntries = [];
    private readonly List<(string Account, string Batch, IReadOnlyList<UsageRecord> Usage)> _newBatches = [];
    private readonly Dictionary<string, RecipientContact> _contactWrites = new(StringComparer.Ordinal);
    private readonly List<(string Account, HoldRecord Record)> _newHolds = [];

    private ImportPlan(PostgreSqlArrearsStore store)
    {
        _store = store;
    }

    public static async Task<ImportPlan> ReadAsync(PostgreSqlArrearsStore store, NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AccountImport> accounts, CancellationToken cancellationToken)
    {
        var plan = new ImportPlan(store);
        var s = store.Quoted;
        var ids = accounts.Select(a => a.Registration.Id).ToArray();
        var entryAccounts = accounts.SelectMany(a => a.Entries.Select(_ => a.Registration.Id)).ToArray();
        var entryIds = accounts.SelectMany(a => a.Entries.Select(e => e.Id)).ToArray();
        var withBatch = accounts.Where(a => a.UsageBatch is not null).ToArray();
        var batchAccounts = withBatch.Select(a => a.Registration.Id).ToArray();
        var batchIds = withBatch.Select(a => a.UsageBatch!).ToArray();
        var recipients = accounts.SelectMany(a => a.Contacts.Keys).Distinct(StringComparer.Ordinal).ToArray();
        var withHolds = accounts.Where(a => a.Holds.Count > 0).Select(a => a.Registration.Id).ToArray();

        var batch = new NpgsqlBatch(connection, transaction);
        await using var batchScope = batch.ConfigureAwait(false);
        var lockAccounts = new NpgsqlBatchCommand($"SELECT {Rows.AccountColumns} FROM {s}.accounts WHERE id = ANY(@ids) ORDER BY id FOR UPDATE");
        lockAccounts.Parameters.AddWithValue("ids", ids);
        var entries = new NpgsqlBatchCommand(
            $"SELECT {Rows.EntryColumns} FROM {s}.ledger_entries WHERE (account_id, id) IN (SELECT w.a, w.i FROM unnest(@accounts::text[], @ids::text[]) AS w (a, i))");
        entries.Parameters.AddWithValue("accounts", entryAccounts);
        entries.Parameters.AddWithValue("ids", entryIds);
        var batches = new NpgsqlBatchCommand(
            $"SELECT account_id, batch FROM {s}.usage_batches WHERE (account_id, batch) IN (SELECT w.a, w.b FROM unnest(@accounts::text[], @batches::text[]) AS w (a, b))");
        batches.Parameters.AddWithValue("accounts", batchAccounts);
        batches.Parameters.AddWithValue("batches", batchIds);
        var usage = new NpgsqlBatchCommand(
            $"""
            SELECT {Rows.UsageColumns}, batch FROM {s}.usage
            WHERE (account_id, batch) IN (SELECT w.a, w.b FROM unnest(@accounts::text[], @batches::text[]) AS w (a, b))
            ORDER BY account_id, batch, position
            """);
        usage.Parameters.AddWithValue("accounts", batchAccounts);
        usage.Parameters.AddWithValue("batches", batchIds);
        var contacts = new NpgsqlBatchCommand($"SELECT recipient, email, phone FROM {s}.contacts WHERE recipient = ANY(@recipients)");
        contacts.Parameters.AddWithValue("recipients", recipients);
        batch.BatchCommands.Add(lockAccounts);
        batch.BatchCommands.Add(entries);
        batch.BatchCommands.Add(batches);
        batch.BatchCommands.Add(usage);
        batch.BatchCommands.Add(contacts);
        var holds = new NpgsqlBatchCommand($"SELECT {PostgreSqlArrearsStore.HoldFactColumns} FROM {s}.hold_facts WHERE account_id = ANY(@ids) ORDER BY seq");
        holds.Parameters.AddWithValue("ids", withHolds);
        batch.BatchCommands.Add(holds);

        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = Rows.ReadAccount(reader);
            plan._existing.Add(row.Id, row);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var account = reader.GetString(0);
            var entry = Rows.ReadEntry(reader, account);
            plan._entries[(account, entry.Id)] = entry;
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            plan._batches[(reader.GetString(0), reader.GetString(1))] = [];
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var account = reader.GetString(0);
            plan._batches[(account, reader.GetString(4))].Add(Rows.ReadUsage(reader, account));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var recipient = reader.GetString(0);
            plan._contacts[recipient] = Rows.ReadContact(recipient, reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var account = reader.GetString(0);
            if (!plan._holds.TryGetValue(account, out var list))
            {
                plan._holds[account] = list = [];
            }

            list.Add(PostgreSqlArrearsStore.ReadHoldFact(reader));
        }

        return plan;
    }

    /// <summary>Checks every account as the in-memory store does, then decides what to write; throws before anything is written.</summary>
    public ImportResult Check(IReadOnlyList<AccountImport> accounts)
    {
        foreach (var import in accounts)
        {
            var id = import.Registration.Id;
            if (!_existing.TryGetValue(id, out var row))
            {
                CheckAmounts(import, []);
                continue;
            }

            var repeated = new List<LedgerEntry>();
            foreach (var entry in import.Entries)
            {
                if (_entries.TryGetValue((id, entry.Id), out var existing))
                {
                    if (!existing.Equals(entry))
                    {
                        throw StoreErrors.ImportEntryDiffers(id, entry.Id);
                    }

                    repeated.Add(existing);
                }
            }

            if (import.UsageBatch is { } batch && _batches.TryGetValue((id, batch), out var recorded) && !recorded.SequenceEqual(import.Usage))
            {
                throw StoreErrors.ImportBatchDiffers(id, batch);
            }

            if (!import.Registration.Currency.Equals(row.Registration.Currency) || import.Registration.OpeningBalance != row.Registration.OpeningBalance)
            {
                throw StoreErrors.ImportLedgerChanges(id);
            }

            CheckAmounts(import, repeated);
        }

        // Hold facts: checked for every account (a new one's revocations must name its own holds) before anything is written.
        var newHolds = new Dictionary<string, List<HoldRecord>>(StringComparer.Ordinal);
        foreach (var import in accounts)
        {
            if (import.Holds.Count > 0)
            {
                var id = import.Registration.Id;
                PostgreSqlArrearsStore.CheckRange(import.Holds, $"accounts[\"{id}\"].");
                newHolds[id] = HoldFacts.New(id, _holds.GetValueOrDefault(id) ?? [], import.Holds, import: true);
            }
        }

        int entries = 0, usage = 0, holds = 0;
        var contacts = new Dictionary<string, RecipientContact>(_contacts, StringComparer.Ordinal);
        foreach (var import in accounts)
        {
            var id = import.Registration.Id;
            var isNew = !_existing.TryGetValue(id, out var row);
            var changed = row is not null && !StoreCodec.SameRegistration(row.Registration, import.Registration);
            foreach (var entry in import.Entries)
            {
                if (!_entries.ContainsKey((id, entry.Id)))
                {
                    _newEntries.Add((id, entry));
                    entries++;
                    changed = true;
                }
            }

            if (import.UsageBatch is { } batch && !_batches.ContainsKey((id, batch)))
            {
                _newBatches.Add((id, batch, import.Usage));
                usage += import.Usage.Count;
                changed = true;
            }

            foreach (var record in newHolds.GetValueOrDefault(id) ?? [])
            {
                _newHolds.Add((id, record));
                holds++;
                changed = true;
            }

            foreach (var (recipient, contact) in import.Contacts)
            {
                changed |= !contacts.TryGetValue(recipient, out var old) || old.Email != contact.Email || old.Phone != contact.Phone;
                contacts[recipient] = contact;
                _contactWrites[recipient] = contact;
            }

            if (isNew)
            {
                _created.Add(import);
            }
            else if (changed)
            {
                _updated.Add(import);
            }
        }

        return new ImportResult(_created.Count, _updated.Count, entries, usage, holds);
    }

    public async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var s = _store.Quoted;
        if (_created.Count > 0)
        {
            var writer = await connection.BeginBinaryImportAsync(
                $"COPY {s}.accounts (id, policy, creator, collaborators, balance_alarm, currency, time_zone, opening_balance, items, version, due_at_ns) FROM STDIN (FORMAT BINARY)",
                cancellationToken).ConfigureAwait(false);
            await using var writerScope = writer.ConfigureAwait(false);
            foreach (var import in _created)
            {
                var r = import.Registration;
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(r.Id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(r.Policy, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(r.Profile.Creator, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(r.Profile.Collaborators.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteAsync(writer, r.Profile.BalanceAlarm, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(r.Currency.Code, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(r.TimeZone.Id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(r.OpeningBalance, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(StoreCodec.FormatItems(r.Items), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(Nanoseconds.From(import.DueAt, "dueAt"), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var start = 0; start < _updated.Count; start += UpdatesPerBatch)
        {
            var batch = new NpgsqlBatch(connection, transaction);
            await using var batchScope = batch.ConfigureAwait(false);
            foreach (var import in _updated.Skip(start).Take(UpdatesPerBatch))
            {
                var update = new NpgsqlBatchCommand(
                    $"""
                    UPDATE {s}.accounts SET policy = @policy, creator = @creator, collaborators = @collaborators, balance_alarm = @alarm,
                      currency = @currency, time_zone = @zone, opening_balance = @opening, items = @items::jsonb,
                      version = version + 1, due_at_ns = least(due_at_ns, @due)
                    WHERE id = @id
                    """);
                PostgreSqlArrearsStore.AddRegistration(update.Parameters, import.Registration);
                update.Parameters.AddWithValue("due", Nanoseconds.From(import.DueAt, "dueAt"));
                batch.BatchCommands.Add(update);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_newEntries.Count > 0)
        {
            var writer = await connection.BeginBinaryImportAsync(
                $"COPY {s}.ledger_entries (account_id, id, kind, at_ns, amount, product, billing_item, external_reference) FROM STDIN (FORMAT BINARY)",
                cancellationToken).ConfigureAwait(false);
            await using var writerScope = writer.ConfigureAwait(false);
            foreach (var (account, entry) in _newEntries)
            {
                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(account, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(entry.Id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(entry.Kind.ToString(), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(Nanoseconds.From(entry.At, "entries.at"), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(entry.Amount, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                await WriteAsync(writer, entry.Product, cancellationToken).ConfigureAwait(false);
                await WriteAsync(writer, entry.BillingItem, cancellationToken).ConfigureAwait(false);
                await WriteAsync(writer, entry.ExternalReference, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_newBatches.Count > 0)
        {
            var writer = await connection.BeginBinaryImportAsync(
                $"COPY {s}.usage_batches (account_id, batch, records) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var (account, batch, usage) in _newBatches)
                {
                    await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(account, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(batch, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(usage.Count, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            var usageWriter = await connection.BeginBinaryImportAsync(
                $"COPY {s}.usage (account_id, batch, position, item, at_ns, quantity) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            await using (usageWriter.ConfigureAwait(false))
            {
                foreach (var (account, batch, usage) in _newBatches)
                {
                    for (var i = 0; i < usage.Count; i++)
                    {
                        await usageWriter.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await usageWriter.WriteAsync(account, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await usageWriter.WriteAsync(batch, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await usageWriter.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                        await usageWriter.WriteAsync(usage[i].Item, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await usageWriter.WriteAsync(Nanoseconds.From(usage[i].At, "usage.at"), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        await usageWriter.WriteAsync(usage[i].Quantity, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                    }
                }

                await usageWriter.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (_newHolds.Count > 0)
        {
            var insert = new NpgsqlBatch(connection, transaction);
            await using var insertScope = insert.ConfigureAwait(false);
            insert.BatchCommands.Add(_store.InsertHoldFacts(_newHolds));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_contactWrites.Count > 0)
        {
            var upsert = new NpgsqlCommand(
                $"""
                INSERT INTO {s}.contacts (recipient, email, phone)
                SELECT * FROM unnest(@recipients::text[], @emails::text[], @phones::text[])
                ON CONFLICT (recipient) DO UPDATE SET email = excluded.email, phone = excluded.phone
                """,
                connection,
                transaction);
            await using var upsertScope = upsert.ConfigureAwait(false);
            var contacts = _contactWrites.ToArray();
            upsert.Parameters.AddWithValue("recipients", contacts.Select(c => c.Key).ToArray());
            upsert.Parameters.AddWithValue("emails", PostgreSqlArrearsStore.Texts(contacts, c => c.Value.Email));
            upsert.Parameters.AddWithValue("phones", PostgreSqlArrearsStore.Texts(contacts, c => c.Value.Phone));
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks the entries' amounts against the account's currency as a ledger does, naming the account.</summary>
    private static void CheckAmounts(AccountImport import, List<LedgerEntry> repeated)
    {
        var ledger = new Ledger(import.Registration.Currency, import.Registration.OpeningBalance);
        try
        {
            ledger.Append(repeated);
            ledger.Append(import.Entries);
        }
        catch (ArgumentException ex)
        {
            throw StoreErrors.ImportInvalid(import.Registration.Id, ex);
        }
    }

    private static Task WriteAsync(NpgsqlBinaryImporter writer, string? value, CancellationToken cancellationToken) =>
        value is null ? writer.WriteNullAsync(cancellationToken) : writer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter writer, decimal? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is { } v ? writer.WriteAsync(v, type, cancellationToken) : writer.WriteNullAsync(cancellationToken);
}
