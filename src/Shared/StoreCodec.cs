using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Arrears.Policy.Billing;
using Arrears.Policy.Runtime;
using Arrears.Policy.Text;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Stores;

/// <summary>
/// How the durable stores write the library's values into columns and read them back, exactly: one codec compiled into
/// every store package (linked from <c>src/Shared</c>), so an operator sees the same text in SQLite and PostgreSQL, and a
/// corrupted value is reported the same way, as a <see cref="StoreDataException"/> naming the account and the column.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Instants</b> are text in one fixed-width form, <c>2026-02-01T08:30:00.000000000Z</c> (UTC, nine fraction
/// digits): lossless to the nanosecond over NodaTime's whole range (an integer count of nanoseconds would not reach past
/// 2262, and scenarios hold instants up to the year 8999), readable in any SQL console, and ordered as text exactly as in
/// time for the years 0000 to 9999, so an instant column compares as text with an index. (The instants every pass writes
/// are not text: PostgreSQL's <c>*_ns</c> columns and, since its schema version 4, SQLite's <c>account_runs</c> keep
/// 64-bit nanoseconds, 1677 to 2262.)</item>
/// <item><b>Amounts</b> are decimal text in the invariant culture (<c>-12.50</c>), parsed back to the same
/// <see cref="decimal"/>, scale included; no exponent, no grouping.</item>
/// <item><b>Enums</b> are their names (<c>Suspended</c>, <c>GraceExpired</c>), parsed strictly: a number or an unknown
/// name is corruption, not a value.</item>
/// <item><b>Billing items</b> and <b>collaborators</b> are JSON (items as in the scenario format: decimals as strings,
/// durations and cycles in ISO 8601; tiers bounded, the item's unit price beyond the last).</item>
/// <item><b>Products</b> are the product's name, or the empty string for a single-product account (a product name is
/// never empty), so that the column can be part of a key.</item>
/// </list>
/// </remarks>
internal static class StoreCodec
{
    /// <summary>The length of an instant in the fixed-width form for the years 0000 to 9999.</summary>
    public const int InstantLength = 30;

    /// <summary>The product column's value for a single-product account.</summary>
    public const string NoProduct = "";

    /// <summary>The most characters of a corrupted value quoted in a message.</summary>
    private const int MaxQuoted = 64;

    private static readonly InstantPattern InstantText = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffff'Z'");

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // ---- instants ----

    /// <summary>Writes an instant in the fixed-width form <c>yyyy-MM-ddTHH:mm:ss.fffffffffZ</c>.</summary>
    public static string FormatInstant(Instant instant)
    {
        var utc = instant.InUtc();
        var year = utc.Year;
        if (year is < 0 or > 9999)
        {
            return InstantText.Format(instant);
        }

        return string.Create(InstantLength, utc.LocalDateTime, static (span, local) =>
        {
            Digits(span[..4], local.Year);
            span[4] = '-';
            Digits(span.Slice(5, 2), local.Month);
            span[7] = '-';
            Digits(span.Slice(8, 2), local.Day);
            span[10] = 'T';
            Digits(span.Slice(11, 2), local.Hour);
            span[13] = ':';
            Digits(span.Slice(14, 2), local.Minute);
            span[16] = ':';
            Digits(span.Slice(17, 2), local.Second);
            span[19] = '.';
            Digits(span.Slice(20, 9), local.NanosecondOfSecond);
            span[29] = 'Z';
        });
    }

    /// <summary>Writes an optional instant; <see langword="null"/> stays <see langword="null"/>.</summary>
    public static string? FormatInstant(Instant? instant) => instant is { } value ? FormatInstant(value) : null;

    /// <summary>Reads an instant written by <see cref="FormatInstant(Instant)"/>.</summary>
    /// <exception cref="StoreDataException">The text is missing or not an instant in that form.</exception>
    public static Instant ParseInstant(string? text, string? account, string column)
    {
        if (text is null)
        {
            throw new StoreDataException(account, column, "must be an instant, got null", null);
        }

        if (text.Length == InstantLength && TryParseFixed(text, out var fast))
        {
            return fast;
        }

        // Years outside 0000-9999 (and nothing else) take the slow path; whatever it reads must format back to the same text.
        var parsed = InstantText.Parse(text);
        return parsed.Success && string.Equals(FormatInstant(parsed.Value), text, StringComparison.Ordinal)
            ? parsed.Value
            : throw new StoreDataException(account, column, $"must be an instant such as \"2026-02-01T08:30:00.000000000Z\", got {Quote(text)}", null);
    }

    /// <summary>Reads an optional instant; <see langword="null"/> stays <see langword="null"/>.</summary>
    /// <exception cref="StoreDataException">The text is not an instant.</exception>
    public static Instant? ParseOptionalInstant(string? text, string? account, string column) =>
        text is null ? null : ParseInstant(text, account, column);

    // ---- decimals ----

    /// <summary>Writes an amount or a quantity as invariant decimal text, keeping its scale (<c>10.50</c>).</summary>
    public static string FormatDecimal(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes an optional decimal; <see langword="null"/> stays <see langword="null"/>.</summary>
    public static string? FormatDecimal(decimal? value) => value is { } d ? FormatDecimal(d) : null;

    /// <summary>Reads a decimal written by <see cref="FormatDecimal(decimal)"/>: digits, an optional sign and point, nothing else.</summary>
    /// <exception cref="StoreDataException">The text is missing or not such a number.</exception>
    public static decimal ParseDecimal(string? text, string? account, string column) =>
        text is not null && TryParseDecimal(text, out var value)
            ? value
            : throw new StoreDataException(account, column, $"must be a decimal number such as \"-12.50\", got {Quote(text)}", null);

    /// <summary>Reads an optional decimal; <see langword="null"/> stays <see langword="null"/>.</summary>
    /// <exception cref="StoreDataException">The text is not such a number.</exception>
    public static decimal? ParseOptionalDecimal(string? text, string? account, string column) =>
        text is null ? null : ParseDecimal(text, account, column);

    // ---- enums, products, currencies, zones ----

    /// <summary>Writes an enum value as its name.</summary>
    public static string FormatEnum<TEnum>(TEnum value)
        where TEnum : struct, Enum => EnumNames<TEnum>.Name(value);

    /// <summary>Reads an enum written by <see cref="FormatEnum{TEnum}(TEnum)"/>: exactly one of its names (case-sensitive, no numbers).</summary>
    /// <exception cref="StoreDataException">The text names no value of the enum.</exception>
    public static TEnum ParseEnum<TEnum>(string? text, string? account, string column)
        where TEnum : struct, Enum =>
        text is not null && EnumNames<TEnum>.TryParse(text, out var value)
            ? value
            : throw new StoreDataException(account, column, $"must be one of {EnumNames<TEnum>.List}, got {Quote(text)}", null);

    /// <summary>Returns the product column's value: the product's name, or <see cref="NoProduct"/> for a single-product account.</summary>
    public static string ProductKey(string? product) => product ?? NoProduct;

    /// <summary>Returns the product a product column's value stands for.</summary>
    public static string? ProductOf(string key) => key.Length == 0 ? null : key;

    /// <summary>Reads a currency code.</summary>
    /// <exception cref="StoreDataException">The code is no ISO 4217 currency the library knows.</exception>
    public static Currency ParseCurrency(string? code, string? account, string column) =>
        Currency.TryFromCode(code, out var currency)
            ? currency
            : throw new StoreDataException(account, column, $"must be an ISO 4217 currency code, got {Quote(code)}", null);

    /// <summary>Reads a time zone id from the TZDB (the form <see cref="CheckTimeZone"/> lets in).</summary>
    /// <exception cref="StoreDataException">The id is no TZDB zone.</exception>
    public static DateTimeZone ParseTimeZone(string? id, string? account, string column) =>
        (id is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id))
            ?? throw new StoreDataException(account, column, $"must be an IANA time zone id such as \"Asia/Shanghai\", got {Quote(id)}", null);

    /// <summary>Checks, before writing, that a zone can be read back by id from the TZDB (not a BCL or custom zone).</summary>
    /// <exception cref="ArgumentException">The zone's id is not a TZDB id; the message names it.</exception>
    public static void CheckTimeZone(DateTimeZone zone, string field)
    {
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone.Id) is null)
        {
            throw new ArgumentException($"{field}: a store keeps IANA (TZDB) time zone ids, got \"{zone.Id}\"", field);
        }
    }

    // ---- JSON columns ----

    /// <summary>Writes the collaborators as a JSON array of strings.</summary>
    public static string FormatCollaborators(IReadOnlyList<string> collaborators) => JsonArray(collaborators);

    /// <summary>Writes strings as a JSON array, for example a list of ids to pass as one parameter (<c>json_each</c>, <c>jsonb_array_elements_text</c>).</summary>
    public static string JsonArray(IEnumerable<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads collaborators written by <see cref="FormatCollaborators"/>.</summary>
    /// <exception cref="StoreDataException">The text is not a JSON array of strings.</exception>
    public static IReadOnlyList<string> ParseCollaborators(string? text, string? account, string column)
    {
        try
        {
            using var document = JsonDocument.Parse(text ?? throw new JsonException("got null"));
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException("not an array");
            }

            var list = new List<string>(document.RootElement.GetArrayLength());
            foreach (var element in document.RootElement.EnumerateArray())
            {
                list.Add(element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new JsonException("an element is not a string"));
            }

            return list;
        }
        catch (JsonException ex)
        {
            throw new StoreDataException(account, column, $"must be a JSON array of strings, got {Quote(text)}", ex);
        }
    }

    /// <summary>
    /// Writes billing items as a JSON array in the scenario's shape:
    /// <c>[{"id":"calls","unit":"10000","unitPrice":"0.06","cycle":"PT1H","settlementDelay":"PT30M","product":"apigw","tiers":[{"upTo":"1000000","unitPrice":"0.06"}]}]</c>
    /// (<c>product</c> and <c>tiers</c> only when set).
    /// </summary>
    public static string FormatItems(IReadOnlyList<BillingItem> items)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                writer.WriteStartObject();
                writer.WriteString("id", item.Id);
                writer.WriteString("unit", FormatDecimal(item.Unit));
                writer.WriteString("unitPrice", FormatDecimal(item.UnitPrice));
                writer.WriteString("cycle", item.Cycle.ToString());
                writer.WriteString("settlementDelay", IsoDurationPattern.Instance.Format(item.SettlementDelay));
                if (item.Product is not null)
                {
                    writer.WriteString("product", item.Product);
                }

                if (item.Tiers.Count > 0)
                {
                    writer.WriteStartArray("tiers");
                    foreach (var tier in item.Tiers)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("upTo", FormatDecimal(tier.UpTo));
                        writer.WriteString("unitPrice", FormatDecimal(tier.UnitPrice));
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads billing items written by <see cref="FormatItems"/>; every value is checked again by the item's constructor.</summary>
    /// <exception cref="StoreDataException">The text is not such an array, or an item is invalid; the message names the item's path.</exception>
    public static IReadOnlyList<BillingItem> ParseItems(string? text, string? account, string column)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text ?? throw new JsonException("got null"));
        }
        catch (JsonException ex)
        {
            throw new StoreDataException(account, column, $"must be a JSON array of billing items, got {Quote(text)}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new StoreDataException(account, column, $"must be a JSON array of billing items, got {Quote(text)}", null);
            }

            var items = new List<BillingItem>(document.RootElement.GetArrayLength());
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"[{index}]");
                items.Add(ReadItem(element, path, account, column));
                index++;
            }

            return items;
        }
    }

    // ---- registrations, states ----

    /// <summary>Returns whether two registrations say the same (a replayed registration is a no-op), as the in-memory store decides.</summary>
    public static bool SameRegistration(AccountRegistration a, AccountRegistration b) =>
        string.Equals(a.Id, b.Id, StringComparison.Ordinal) &&
        string.Equals(a.Policy, b.Policy, StringComparison.Ordinal) &&
        a.Currency == b.Currency &&
        string.Equals(a.TimeZone.Id, b.TimeZone.Id, StringComparison.Ordinal) &&
        a.OpeningBalance == b.OpeningBalance &&
        string.Equals(a.Profile.Creator, b.Profile.Creator, StringComparison.Ordinal) &&
        a.Profile.Collaborators.SequenceEqual(b.Profile.Collaborators, StringComparer.Ordinal) &&
        a.Profile.BalanceAlarm == b.Profile.BalanceAlarm &&
        a.Items.SequenceEqual(b.Items);

    /// <summary>Builds a registration from its columns, already decoded; a value the constructors refuse is corruption of <paramref name="table"/>.</summary>
    /// <exception cref="StoreDataException">The values do not make a registration; the message names the account and the constructor's complaint.</exception>
    public static AccountRegistration Registration(
        string id, string policy, Currency currency, DateTimeZone zone, decimal openingBalance, string creator, IReadOnlyList<string> collaborators,
        decimal? balanceAlarm, IReadOnlyList<BillingItem> items, string table)
    {
        try
        {
            return new AccountRegistration(new AccountProfile(id, creator, collaborators, balanceAlarm), policy, currency, zone, openingBalance, items);
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(id, $"{table}.{ColumnOf(ex.Message)}", ex.Message, ex);
        }
    }

    /// <summary>Builds a product's lifecycle from its columns; a combination the constructor refuses is corruption.</summary>
    /// <exception cref="StoreDataException">The values do not belong together; the message names the account and the row.</exception>
    public static ProductLifecycle Lifecycle(string? account, string table, string? product, LifecycleStatus status, int episode, Instant? overdueSince, Instant? suspendAt, Instant? purgeAt)
    {
        try
        {
            return new ProductLifecycle(product, status, episode, overdueSince, suspendAt, purgeAt);
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, $"{table}.status", ex.Message, ex);
        }
    }

    /// <summary>Builds an account's state from its lifecycles and columns; a state the constructor refuses is corruption.</summary>
    /// <exception cref="StoreDataException">The lifecycles and the last evaluation do not belong together.</exception>
    public static AccountState State(string account, string table, IReadOnlyList<ProductLifecycle> lifecycles, bool alarmArmed, Instant? lastEvaluatedAt)
    {
        if (lifecycles.Count == 0 && lastEvaluatedAt is null && !alarmArmed)
        {
            return AccountState.Initial;
        }

        try
        {
            return new AccountState(lifecycles, alarmArmed, lastEvaluatedAt);
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, $"{table}.last_evaluated_at", ex.Message, ex);
        }
    }

    /// <summary>Builds a ledger from an account's entries in the order they were written; an entry the ledger refuses is corruption.</summary>
    /// <exception cref="StoreDataException">An amount does not fit the currency, or an id repeats with other content.</exception>
    public static Ledger Ledger(string account, string table, Currency currency, decimal openingBalance, IReadOnlyList<LedgerEntry> entries)
    {
        var ledger = new Ledger(currency, openingBalance);
        try
        {
            ledger.Append(entries);
        }
        catch (ArgumentException ex)
        {
            throw LedgerCorruption(account, table, ex);
        }

        return ledger;
    }

    /// <summary>Builds a claimed account over a kept ledger snapshot; hold facts that do not make a set are corruption.</summary>
    /// <exception cref="StoreDataException">The hold facts revoke an unknown hold, or repeat an id with other content.</exception>
    public static StoredAccount Stored(
        string account, AccountRegistration registration, AccountState state, long version, Instant? dueAt, CompactLedger snapshot, IReadOnlyList<UsageRecord> usage,
        Instant? nextReviewAt, IReadOnlyList<HoldRecord>? holds) =>
        holds is null
            ? StoredAccount.OverSnapshot(registration, state, version, dueAt, snapshot, usage, nextReviewAt, null)
            : Build(account, "hold_facts.revokes", () => StoredAccount.OverSnapshot(registration, state, version, dueAt, snapshot, usage, nextReviewAt, holds));

    /// <summary>The corruption a ledger's refusal of stored entries means: an id repeated with other content, or an amount.</summary>
    public static StoreDataException LedgerCorruption(string account, string table, ArgumentException refusal)
    {
        var column = refusal.Message.Contains("].id:", StringComparison.Ordinal) ? "id" : "amount";
        return new StoreDataException(account, $"{table}.{column}", refusal.Message, refusal);
    }

    /// <summary>Builds a value with a constructor that validates; an <see cref="ArgumentException"/> becomes corruption of <paramref name="column"/>.</summary>
    /// <exception cref="StoreDataException">The constructor refused the values.</exception>
    public static T Build<T>(string? account, string column, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException ex)
        {
            throw new StoreDataException(account, column, ex.Message, ex);
        }
    }

    // ---- usage batches ----

    /// <summary>
    /// Returns a fingerprint of a usage batch's records (SHA-256 over each record's item, instant and normalized quantity, in
    /// order, as lowercase hex), equal for two lists exactly when the records are equal by <see cref="UsageRecord.Equals(UsageRecord)"/>:
    /// a replayed batch is recognised without reading its records back.
    /// </summary>
    public static string UsageFingerprint(IReadOnlyList<UsageRecord> usage)
    {
        var text = new StringBuilder(usage.Count * 48);
        foreach (var record in usage)
        {
            // Lengths make the encoding unambiguous whatever the item ids contain.
            text.Append(record.Item.Length).Append(':').Append(record.Item).Append('|')
                .Append(FormatInstant(record.At)).Append('|')
                .Append(NormalizedDecimal(record.Quantity)).Append(';');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // ---- messages ----

    /// <summary>Quotes a value found in a column for a message: JSON string escapes, shortened, <c>null</c> for none.</summary>
    public static string Quote(string? value) => Quote(value, raw: false);

    /// <summary>Quotes a value for a message; <paramref name="raw"/> JSON (a number, an object) is shown as it is, only shortened.</summary>
    private static string Quote(string? value, bool raw)
    {
        if (value is null)
        {
            return "null";
        }

        var shortened = value.Length > MaxQuoted ? value[..MaxQuoted] + "…" : value;
        return raw ? shortened : "\"" + JsonEncodedText.Encode(shortened, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\"";
    }

    private static BillingItem ReadItem(JsonElement element, string path, string? account, string column)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new StoreDataException(account, column, $"{path}: must be a billing item object, got {Quote(element.GetRawText(), raw: true)}", null);
        }

        string? id = null, unit = null, unitPrice = null, cycle = null, delay = null, product = null;
        List<PriceTier>? tiers = null;
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "id": id = Text(property.Value, $"{path}.id", account, column); break;
                case "unit": unit = Text(property.Value, $"{path}.unit", account, column); break;
                case "unitPrice": unitPrice = Text(property.Value, $"{path}.unitPrice", account, column); break;
                case "cycle": cycle = Text(property.Value, $"{path}.cycle", account, column); break;
                case "settlementDelay": delay = Text(property.Value, $"{path}.settlementDelay", account, column); break;
                case "product": product = Text(property.Value, $"{path}.product", account, column); break;
                case "tiers": tiers = ReadTiers(property.Value, $"{path}.tiers", account, column); break;
                default: throw new StoreDataException(account, column, $"{path}: unknown field {Quote(property.Name)}", null);
            }
        }

        var itemUnit = ParseDecimal(Required(unit, $"{path}.unit", account, column), account, $"{column}{path}.unit");
        var itemPrice = ParseDecimal(Required(unitPrice, $"{path}.unitPrice", account, column), account, $"{column}{path}.unitPrice");
        var cycleText = Required(cycle, $"{path}.cycle", account, column);
        if (!BillingCycle.TryParse(cycleText, out var itemCycle))
        {
            throw new StoreDataException(account, $"{column}{path}.cycle", $"must be a billing cycle such as \"PT1H\", got {Quote(cycleText)}", null);
        }

        var delayText = Required(delay, $"{path}.settlementDelay", account, column);
        var parsedDelay = IsoDurationPattern.Instance.Parse(delayText);
        if (!parsedDelay.Success)
        {
            throw new StoreDataException(account, $"{column}{path}.settlementDelay", parsedDelay.Exception.Message, null);
        }

        var itemId = Required(id, $"{path}.id", account, column);
        return Build(account, $"{column}{path}", () => new BillingItem(itemId, itemUnit, itemPrice, itemCycle, parsedDelay.Value, product, tiers));
    }

    private static List<PriceTier> ReadTiers(JsonElement element, string path, string? account, string column)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new StoreDataException(account, column, $"{path}: must be an array of tiers, got {Quote(element.GetRawText(), raw: true)}", null);
        }

        var tiers = new List<PriceTier>(element.GetArrayLength());
        var index = 0;
        foreach (var tier in element.EnumerateArray())
        {
            var tierPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
            if (tier.ValueKind != JsonValueKind.Object)
            {
                throw new StoreDataException(account, column, $"{tierPath}: must be a tier object, got {Quote(tier.GetRawText(), raw: true)}", null);
            }

            string? upTo = null, price = null;
            foreach (var property in tier.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "upTo": upTo = Text(property.Value, $"{tierPath}.upTo", account, column); break;
                    case "unitPrice": price = Text(property.Value, $"{tierPath}.unitPrice", account, column); break;
                    default: throw new StoreDataException(account, column, $"{tierPath}: unknown field {Quote(property.Name)}", null);
                }
            }

            var tierUpTo = ParseDecimal(Required(upTo, $"{tierPath}.upTo", account, column), account, $"{column}{tierPath}.upTo");
            var tierPrice = ParseDecimal(Required(price, $"{tierPath}.unitPrice", account, column), account, $"{column}{tierPath}.unitPrice");
            tiers.Add(Build(account, $"{column}{tierPath}", () => new PriceTier(tierUpTo, tierPrice)));
            index++;
        }

        return tiers;
    }

    private static string Text(JsonElement value, string path, string? account, string column) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new StoreDataException(account, column, $"{path}: must be a string, got {Quote(value.GetRawText(), raw: true)}", null);

    private static string Required(string? value, string path, string? account, string column) =>
        value ?? throw new StoreDataException(account, column, $"{path}: missing", null);

    /// <summary>Returns the field an <see cref="ArgumentException"/> of a constructor names (<c>openingBalance: must ...</c>), as a column name.</summary>
    private static string ColumnOf(string message)
    {
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        var field = colon > 0 ? message[..colon] : "row";
        return field switch
        {
            "openingBalance" => "opening_balance",
            "account.creator" => "creator",
            "account.id" => "id",
            "currency" => "currency",
            "policy" => "policy",
            _ when field.StartsWith("account.collaborators", StringComparison.Ordinal) => "collaborators",
            _ when field.StartsWith("items", StringComparison.Ordinal) => "items",
            _ => "row",
        };
    }

    private static bool TryParseDecimal(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    /// <summary>Writes a decimal without trailing zeros (<c>1.50</c> and <c>1.5</c> alike), so equal quantities fingerprint alike.</summary>
    private static string NormalizedDecimal(decimal value)
    {
        var text = FormatDecimal(value);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text is "-0" ? "0" : text;
    }

    private static void Digits(Span<char> span, int value)
    {
        for (var i = span.Length - 1; i >= 0; i--)
        {
            span[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool TryParseFixed(string text, out Instant instant)
    {
        instant = default;
        if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' || text[29] != 'Z')
        {
            return false;
        }

        if (!Number(text, 0, 4, out var year) || !Number(text, 5, 2, out var month) || !Number(text, 8, 2, out var day) ||
            !Number(text, 11, 2, out var hour) || !Number(text, 14, 2, out var minute) || !Number(text, 17, 2, out var second) ||
            !Number(text, 20, 9, out var nanos))
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        instant = Instant.FromUtc(year, month, day, hour, minute, second).PlusNanoseconds(nanos);
        return true;
    }

    private static bool Number(string text, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            var digit = text[i] - '0';
            if (digit is < 0 or > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    /// <summary>The names of an enum's values, for strict parsing (no numbers, no case folding) and for messages.</summary>
    private static class EnumNames<TEnum>
        where TEnum : struct, Enum
    {
        private static readonly Dictionary<string, TEnum> ByName = Enum.GetValues<TEnum>().ToDictionary(value => value.ToString(), StringComparer.Ordinal);

        private static readonly Dictionary<TEnum, string> ByValue = ByName.ToDictionary(pair => pair.Value, pair => pair.Key);

        public static string List { get; } = string.Join(", ", ByName.Keys);

        public static string Name(TEnum value) =>
            ByValue.TryGetValue(value, out var name) ? name : throw new ArgumentException($"{typeof(TEnum).Name}: not a defined value, got \"{value}\"", nameof(value));

        public static bool TryParse(string text, out TEnum value) => ByName.TryGetValue(text, out value);
    }
}
