using Arrears.Policy.Runtime;
using Arrears.Policy.Stores;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace Arrears.Policy.Sqlite;

/// <summary>
/// Hold facts: holds granted and revocations, one row each in <c>hold_facts</c> (a <c>fact</c> column tells them apart),
/// in the order recorded (<c>seq</c>), each with its <c>recorded_at</c>.
/// </summary>
public sealed partial class SqliteArrearsStore
{
    private const string HoldFactColumns = "account, fact, id, kind, from_at, until_at, product, revokes, at, actor, reason, recorded_at";

    private const string InsertHoldFactSql = $"""
        INSERT INTO hold_facts ({HoldFactColumns})
        VALUES ($account, $fact, $id, $kind, $from_at, $until_at, $product, $revokes, $at, $actor, $reason, $recorded_at)
        """;

    /// <summary>Every hold fact of a batch of accounts in one query, through the <c>hold_facts_account</c> index: rows come back only for accounts that have holds.</summary>
    private const string LoadHoldFactsSql = $"""
        SELECT {HoldFactColumns} FROM hold_facts INDEXED BY hold_facts_account
        WHERE account IN (SELECT value FROM json_each($ids)) ORDER BY account, seq
        """;

    /// <inheritdoc />
    public ValueTask<HoldFactsResult> AddHoldFactsAsync(string account, IReadOnlyList<Hold> holds, IReadOnlyList<HoldRevocation> revocations, Instant recordedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var records = HoldFacts.Records(holds, revocations, recordedAt);
        var recorded = SqliteInstants.From(recordedAt, nameof(recordedAt));
        return WriteAsync(
            Durability.Synced,
            session =>
            {
                if (!Exists(session, account))
                {
                    throw StoreErrors.UnknownAccount(account);
                }

                var added = HoldFacts.New(account, ReadHoldFacts(session, account), records);
                if (added.Count == 0)
                {
                    return default;
                }

                InsertHoldFacts(session, account, added);
                Touch(session, account, recorded);
                var granted = added.Count(record => record.Hold is not null);
                return new HoldFactsResult(granted, added.Count - granted);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<HoldRecord>> HoldsAsync(string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return ReadAsync<IReadOnlyList<HoldRecord>>(
            session => Exists(session, account) ? ReadHoldFacts(session, account) : throw StoreErrors.UnknownAccount(account),
            cancellationToken);
    }

    /// <summary>Reads one account's hold facts in the order recorded.</summary>
    private static List<HoldRecord> ReadHoldFacts(SqliteSession session, string account)
    {
        var select = session.Command($"SELECT {HoldFactColumns} FROM hold_facts INDEXED BY hold_facts_account WHERE account = $account ORDER BY seq");
        using var reader = select.Set("$account", account).ExecuteReader();
        var records = new List<HoldRecord>();
        while (reader.Read())
        {
            records.Add(HoldFact(reader));
        }

        return records;
    }

    /// <summary>Reads the hold facts of several accounts (a JSON array of ids) in one query; accounts without holds are absent.</summary>
    private static Dictionary<string, List<HoldRecord>> LoadHoldFacts(SqliteSession session, string ids)
    {
        var facts = new Dictionary<string, List<HoldRecord>>(StringComparer.Ordinal);
        using var reader = session.Command(LoadHoldFactsSql).Set("$ids", ids).ExecuteReader();
        while (reader.Read())
        {
            ListOf(facts, reader.GetString(0)).Add(HoldFact(reader));
        }

        return facts;
    }

    private static void InsertHoldFacts(SqliteSession session, string account, IReadOnlyList<HoldRecord> records)
    {
        var insert = session.Command(InsertHoldFactSql);
        foreach (var record in records)
        {
            BindHoldFact(insert, account, record).ExecuteNonQuery();
        }
    }

    private static SqliteCommand BindHoldFact(SqliteCommand insert, string account, HoldRecord record)
    {
        insert.Set("$account", account).Set("$id", record.Id).Set("$recorded_at", StoreCodec.FormatInstant(record.RecordedAt));
        if (record.Hold is { } hold)
        {
            return insert
                .Set("$fact", "Hold")
                .Set("$kind", StoreCodec.FormatEnum(hold.Kind))
                .Set("$from_at", StoreCodec.FormatInstant(hold.From))
                .Set("$until_at", StoreCodec.FormatInstant(hold.Until))
                .Set("$product", hold.Product)
                .Set("$revokes", null)
                .Set("$at", null)
                .Set("$actor", hold.GrantedBy)
                .Set("$reason", hold.Reason);
        }

        var revocation = record.Revocation!;
        return insert
            .Set("$fact", "Revocation")
            .Set("$kind", null)
            .Set("$from_at", null)
            .Set("$until_at", null)
            .Set("$product", null)
            .Set("$revokes", revocation.Revokes)
            .Set("$at", StoreCodec.FormatInstant(revocation.At))
            .Set("$actor", revocation.RevokedBy)
            .Set("$reason", revocation.Reason);
    }

    /// <summary>Reads a <c>hold_facts</c> row selected with <see cref="HoldFactColumns"/>.</summary>
    private static HoldRecord HoldFact(SqliteDataReader reader)
    {
        var account = reader.GetString(0);
        var fact = reader.GetString(1);
        var id = reader.GetString(2);
        var recordedAt = StoreCodec.ParseInstant(reader.GetString(11), account, "hold_facts.recorded_at");
        var by = reader.GetString(9);
        var reason = reader.GetString(10);
        switch (fact)
        {
            case "Hold":
                var kind = StoreCodec.ParseEnum<HoldKind>(reader.Text(3), account, "hold_facts.kind");
                var from = StoreCodec.ParseInstant(reader.Text(4), account, "hold_facts.from_at");
                var until = StoreCodec.ParseOptionalInstant(reader.Text(5), account, "hold_facts.until_at");
                var product = reader.Text(6);
                return StoreCodec.Build(account, "hold_facts.until_at", () => new HoldRecord(new Hold(id, kind, from, until, by, reason, product), recordedAt));
            case "Revocation":
                var revokes = reader.Text(7);
                var at = StoreCodec.ParseInstant(reader.Text(8), account, "hold_facts.at");
                return StoreCodec.Build(account, "hold_facts.revokes", () => new HoldRecord(new HoldRevocation(id, revokes!, at, by, reason), recordedAt));
            default:
                throw new StoreDataException(account, "hold_facts.fact", $"must be Hold or Revocation, got {StoreCodec.Quote(fact)}", null);
        }
    }
}
