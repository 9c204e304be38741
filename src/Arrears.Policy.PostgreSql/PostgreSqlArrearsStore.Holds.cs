using Arrears.Policy.PostgreSql.Internal;
using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Npgsql;
using NodaTime;

namespace Arrears.Policy.PostgreSql;

/// <summary>
/// Hold facts: holds granted and revocations, one row each in <c>hold_facts</c> (a <c>fact</c> column tells them apart), in
/// the order recorded (<c>seq</c>), each with its <c>recorded_at_ns</c>. A claim reads them with the account's other children,
/// in the same round trip.
/// </summary>
public sealed partial class PostgreSqlArrearsStore
{
    /// <summary>The columns of <c>hold_facts</c> that <see cref="ReadHoldFact"/> reads, in order.</summary>
    internal const string HoldFactColumns = "account_id, fact, id, kind, from_ns, until_ns, product, revokes, at_ns, actor, reason, recorded_at_ns";

    /// <inheritdoc />
    public async ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, Instant recordedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var records = HoldFacts.Records(holds, revocations, recordedAt);
        var recorded = Nanoseconds.From(recordedAt, nameof(recordedAt));
        CheckRange(records, string.Empty);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        // Lock the account, as every change to it does, then read its hold facts (an account has a handful).
        var found = false;
        var stored = new List<HoldRecord>();
        var read = new NpgsqlBatch(connection, transaction);
        await using (read.ConfigureAwait(false))
        {
            var lockRow = new NpgsqlBatchCommand($"SELECT 1 FROM {_s}.accounts WHERE id = @id FOR UPDATE");
            lockRow.Parameters.AddWithValue("id", account);
            var facts = new NpgsqlBatchCommand($"SELECT {HoldFactColumns} FROM {_s}.hold_facts WHERE account_id = @id ORDER BY seq");
            facts.Parameters.AddWithValue("id", account);
            read.BatchCommands.Add(lockRow);
            read.BatchCommands.Add(facts);
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            found = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored.Add(ReadHoldFact(reader));
            }
        }

        if (!found)
        {
            throw StoreErrors.UnknownAccount(account);
        }

        var added = HoldFacts.New(account, stored, records);
        if (added.Count > 0)
        {
            var write = new NpgsqlBatch(connection, transaction);
            await using (write.ConfigureAwait(false))
            {
                write.BatchCommands.Add(InsertHoldFacts([.. added.Select(record => (account, record))]));
                var touch = new NpgsqlBatchCommand($"UPDATE {_s}.accounts SET version = version + 1, due_at_ns = least(due_at_ns, @recorded) WHERE id = @id");
                touch.Parameters.AddWithValue("id", account);
                touch.Parameters.AddWithValue("recorded", recorded);
                write.BatchCommands.Add(touch);
                await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var granted = added.Count(record => record.Hold is not null);
        return new HoldFactsResult(granted, added.Count - granted);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken) =>
        await AccountRowsAsync(account, $"SELECT {HoldFactColumns} FROM {_s}.hold_facts WHERE account_id = @id ORDER BY seq", ReadHoldFact, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Checks that every instant of <paramref name="records"/> fits the store's range, naming the field.</summary>
    internal static void CheckRange(IReadOnlyList<HoldRecord> records, string prefix)
    {
        foreach (var record in records)
        {
            Nanoseconds.From(record.RecordedAt, $"{prefix}holds[\"{record.Id}\"].recordedAt");
            if (record.Hold is { } hold)
            {
                Nanoseconds.From(hold.From, $"{prefix}holds[\"{hold.Id}\"].from");
                Nanoseconds.From(hold.Until, $"{prefix}holds[\"{hold.Id}\"].until");
            }
            else
            {
                Nanoseconds.From(record.Revocation!.At, $"{prefix}revocations[\"{record.Id}\"].at");
            }
        }
    }

    /// <summary>Returns the statement that inserts hold facts (of one or several accounts) in the order given.</summary>
    internal NpgsqlBatchCommand InsertHoldFacts(IReadOnlyList<(string Account, HoldRecord Record)> facts)
    {
        var insert = new NpgsqlBatchCommand(
            $"""
            INSERT INTO {_s}.hold_facts (account_id, fact, id, kind, from_ns, until_ns, product, revokes, at_ns, actor, reason, recorded_at_ns)
            SELECT f.account_id, f.fact, f.id, f.kind, f.from_ns, f.until_ns, f.product, f.revokes, f.at_ns, f.actor, f.reason, f.recorded_at_ns
            FROM unnest(@accounts::text[], @facts::text[], @ids::text[], @kinds::text[], @froms::bigint[], @untils::bigint[], @products::text[],
                        @revokes::text[], @ats::bigint[], @actors::text[], @reasons::text[], @recorded::bigint[])
              WITH ORDINALITY AS f (account_id, fact, id, kind, from_ns, until_ns, product, revokes, at_ns, actor, reason, recorded_at_ns, ord)
            ORDER BY f.ord
            """);
        var p = insert.Parameters;
        p.AddWithValue("accounts", Texts(facts, f => f.Account));
        p.AddWithValue("facts", Texts(facts, f => f.Record.Hold is null ? "Revocation" : "Hold"));
        p.AddWithValue("ids", Texts(facts, f => f.Record.Id));
        p.AddWithValue("kinds", Texts(facts, f => f.Record.Hold?.Kind.ToString()));
        p.AddWithValue("froms", facts.Select(f => Nanoseconds.From(f.Record.Hold?.From, "holds.from")).ToArray());
        p.AddWithValue("untils", facts.Select(f => Nanoseconds.From(f.Record.Hold?.Until, "holds.until")).ToArray());
        p.AddWithValue("products", Texts(facts, f => f.Record.Hold?.Product));
        p.AddWithValue("revokes", Texts(facts, f => f.Record.Revocation?.Revokes));
        p.AddWithValue("ats", facts.Select(f => Nanoseconds.From(f.Record.Revocation?.At, "revocations.at")).ToArray());
        p.AddWithValue("actors", Texts(facts, f => f.Record.Hold?.GrantedBy ?? f.Record.Revocation!.RevokedBy));
        p.AddWithValue("reasons", Texts(facts, f => f.Record.Hold?.Reason ?? f.Record.Revocation!.Reason));
        p.AddWithValue("recorded", facts.Select(f => Nanoseconds.From(f.Record.RecordedAt, "holds.recordedAt")).ToArray());
        return insert;
    }

    /// <summary>Reads a <c>hold_facts</c> row selected with <see cref="HoldFactColumns"/>.</summary>
    internal static HoldRecord ReadHoldFact(NpgsqlDataReader reader)
    {
        var account = reader.GetString(0);
        var fact = reader.GetString(1);
        var id = reader.GetString(2);
        var actor = reader.GetString(9);
        var reason = reader.GetString(10);
        var recordedAt = Nanoseconds.ToInstant(reader.GetInt64(11));
        switch (fact)
        {
            case "Hold":
                var kind = StoreCodec.ParseEnum<HoldKind>(reader.IsDBNull(3) ? null : reader.GetString(3), account, "hold_facts.kind");
                var from = reader.IsDBNull(4) ? throw new StoreDataException(account, "hold_facts.from_ns", "must not be null for a hold", null) : Nanoseconds.ToInstant(reader.GetInt64(4));
                Instant? until = reader.IsDBNull(5) ? null : Nanoseconds.ToInstant(reader.GetInt64(5));
                var product = reader.IsDBNull(6) ? null : reader.GetString(6);
                return StoreCodec.Build(account, "hold_facts.until_ns", () => new HoldRecord(new Hold(id, kind, from, until, actor, reason, product), recordedAt));
            case "Revocation":
                var revokes = reader.IsDBNull(7) ? null : reader.GetString(7);
                var at = reader.IsDBNull(8) ? throw new StoreDataException(account, "hold_facts.at_ns", "must not be null for a revocation", null) : Nanoseconds.ToInstant(reader.GetInt64(8));
                return StoreCodec.Build(account, "hold_facts.revokes", () => new HoldRecord(new HoldRevocation(id, revokes!, at, actor, reason), recordedAt));
            default:
                throw new StoreDataException(account, "hold_facts.fact", $"must be Hold or Revocation, got {StoreCodec.Quote(fact)}", null);
        }
    }

    /// <summary>Reads the hold facts of the children batch (its fourth result) into the rows.</summary>
    private static async Task ReadHoldChildrenAsync(NpgsqlDataReader reader, Dictionary<string, AccountRow> byId, CancellationToken cancellationToken)
    {
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            byId[reader.GetString(0)].Holds.Add(ReadHoldFact(reader));
        }
    }
}
