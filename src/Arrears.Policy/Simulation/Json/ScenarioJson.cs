using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime;

using Arrears.Policy.Billing;

using Arrears.Policy.Presets;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads the scenario JSON of the simulate contract (docs/spec/simulate-contract.md) into a <see cref="Scenario"/>,
/// reporting every problem with its JSON path and value instead of throwing.
/// </summary>
/// <remarks>
/// <para>
/// Every field is checked: unknown and duplicate fields, wrong JSON types, missing required fields, and the values the
/// lifecycle specification rejects (non-positive amounts, a negative opening balance, a non-positive unit, a negative unit
/// price or quantity, unknown currencies, time zones, presets and billing items, negative durations or durations with
/// years or months, instants that are not ISO 8601 UTC, and an entry id repeated with different content). Reading never
/// stops at the first problem, and never throws for bad input, whatever the document holds.
/// </para>
/// <para>
/// Amounts, prices, quantities and units are decimals held in JSON strings (<c>"12.50"</c>); a JSON number is rejected,
/// because a parser on the way may already have turned it into a binary floating-point value. Amounts lie within
/// ±10^15 and instants between the years 1 and 8999, so that no balance and no deadline can overflow.
/// </para>
/// <para>
/// An entry repeated with the same id and the same content is kept once (an idempotent replay), as a ledger would.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var result = ScenarioJson.Read(File.ReadAllText("scenario.json"));
/// if (!result.IsValid)
/// {
///     foreach (var error in result.Errors) Console.Error.WriteLine(error);   // entries[3].amount: must be positive, got "-5"
///     return 2;
/// }
/// var timeline = Simulator.Run(result.Scenario);
/// Console.WriteLine(TimelineJson.ToJson(timeline));
/// </code>
/// </example>
public static class ScenarioJson
{
    private static readonly string[] RootFields = ["policy", "account", "items", "entries", "usage", "until"];
    private static readonly string[] AccountFields = ["id", "currency", "openingBalance", "timeZone", "creator", "collaborators", "balanceAlarm"];
    private static readonly string[] ItemFields = ["id", "unit", "unitPrice", "cycle", "settlementDelay"];
    private static readonly string[] EntryFields = ["id", "kind", "at", "amount"];
    private static readonly string[] UsageFields = ["item", "at", "quantity"];
    private static readonly string[] EntryKinds = ["charge", "payment", "credit", "refund"];
    private static readonly string[] Boundaries = ["Inclusive", "Exclusive"];

    /// <summary>Gets the fields of a policy object: <c>preset</c> and every setting.</summary>
    private static readonly string[] PolicyFields =
        ["preset", "grace", "graceBoundary", "retention", "retentionBoundary", "tolerance", "resumeMinimumBalance", "purgeWarnings", "channels"];

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <summary>Reads a scenario from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The scenario, or every problem found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    public static ScenarioReadResult Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return TryEncode(json, out var utf8, out var error) ? Read(utf8) : new ScenarioReadResult(null, [error]);
    }

    /// <summary>Reads a scenario from a stream of UTF-8 JSON (read to its end; the stream is not closed).</summary>
    /// <param name="utf8Json">The stream.</param>
    /// <returns>The scenario, or every problem found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="utf8Json"/> is null.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static ScenarioReadResult Read(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var buffer = new MemoryStream();
        utf8Json.CopyTo(buffer);
        return Read(buffer.ToArray());
    }

    /// <summary>Reads a scenario from UTF-8 JSON bytes.</summary>
    /// <param name="utf8Json">The UTF-8 bytes (a leading byte order mark is skipped; invalid UTF-8 is reported with its line and column).</param>
    /// <returns>The scenario, or every problem found.</returns>
    public static ScenarioReadResult Read(ReadOnlyMemory<byte> utf8Json)
    {
        if (!TryParseDocument(utf8Json, out var document, out var error))
        {
            return new ScenarioReadResult(null, [error]);
        }

        using (document)
        {
            var reader = new ScenarioReader();
            var scenario = reader.Read(document.RootElement);
            return reader.Fields.Count > 0
                ? new ScenarioReadResult(null, [.. reader.Fields.Errors])
                : new ScenarioReadResult(scenario, []);
        }
    }

    /// <summary>
    /// Reads a policy on its own, as it appears in the <c>policy</c> field of a scenario: a JSON string naming a preset, or a
    /// policy object (<c>{ "preset": NAME, ...overrides }</c> or every setting).
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The policy, or every problem found (paths start with <c>policy</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    public static PolicyReadResult ReadPolicy(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return TryEncode(json, out var utf8, out var error) ? ReadPolicy(utf8) : new PolicyReadResult(null, [error]);
    }

    /// <summary>Reads a policy on its own from UTF-8 JSON bytes, as <see cref="ReadPolicy(string)"/> does from text.</summary>
    /// <param name="utf8Json">The UTF-8 bytes (a leading byte order mark is skipped; invalid UTF-8 is reported with its line and column).</param>
    /// <returns>The policy, or every problem found (paths start with <c>policy</c>).</returns>
    public static PolicyReadResult ReadPolicy(ReadOnlyMemory<byte> utf8Json)
    {
        if (!TryParseDocument(utf8Json, out var document, out var error))
        {
            return new PolicyReadResult(null, [error]);
        }

        using (document)
        {
            var reader = new ScenarioReader();
            var policy = reader.ReadPolicy(document.RootElement, "policy");
            return reader.Fields.Count > 0 || policy is null
                ? new PolicyReadResult(null, [.. reader.Fields.Errors])
                : new PolicyReadResult(policy, []);
        }
    }

    /// <summary>Encodes text as UTF-8, reporting a lone surrogate instead of replacing it with U+FFFD.</summary>
    private static bool TryEncode(string json, out byte[] utf8, out ValidationError error)
    {
        try
        {
            utf8 = StrictUtf8.GetBytes(json);
            error = null!;
            return true;
        }
        catch (EncoderFallbackException exception)
        {
            var (line, column) = Position(json.AsSpan(0, Math.Clamp(exception.Index, 0, json.Length)));
            error = new ValidationError("$", string.Create(CultureInfo.InvariantCulture, $"invalid text at line {line}, column {column}: a lone UTF-16 surrogate"));
            utf8 = [];
            return false;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool TryParseDocument(ReadOnlyMemory<byte> utf8Json, out JsonDocument document, out ValidationError error)
    {
        if (utf8Json.Span.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        document = null!;
        var bytes = utf8Json.Span;
        var invalid = FirstInvalidUtf8(bytes);
        if (invalid >= 0)
        {
            var (line, column) = Position(bytes[..invalid]);
            error = new ValidationError(
                "$",
                string.Create(CultureInfo.InvariantCulture, $"invalid UTF-8 at line {line}, column {column}: byte 0x{bytes[invalid]:X2} does not begin a valid character"));
            return false;
        }

        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
            error = null!;
            return true;
        }
        catch (JsonException exception)
        {
            // Only the position is taken from the exception; its message is the runtime's wording, not a contract.
            error = JsonSyntaxError.At(bytes, exception.LineNumber ?? 0, exception.BytePositionInLine ?? 0, DocumentOptions.MaxDepth);
            return false;
        }
    }

    /// <summary>Returns the index of the first byte that does not begin a valid UTF-8 sequence, or -1.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return -1;
        }

        var index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return -1;
    }

    /// <summary>The line and column (both from 1, in characters) just after <paramref name="before"/>.</summary>
    private static (int Line, int Column) Position(ReadOnlySpan<byte> before)
    {
        var lastNewLine = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n') + 1, JsonSyntaxError.Utf8Characters(before[(lastNewLine + 1)..]) + 1);
    }

    /// <summary>The line and column (both from 1, in characters) just after <paramref name="before"/>.</summary>
    private static (int Line, int Column) Position(ReadOnlySpan<char> before)
    {
        var lastNewLine = before.LastIndexOf('\n');
        var rest = before[(lastNewLine + 1)..];
        var column = 1;
        for (var i = 0; i < rest.Length; i++)
        {
            if (!char.IsLowSurrogate(rest[i]) || i == 0 || !char.IsHighSurrogate(rest[i - 1]))
            {
                column++;
            }
        }

        return (before.Count('\n') + 1, column);
    }

    /// <summary>An exception's message without the <c> (Parameter 'name')</c> that .NET appends for argument exceptions.</summary>
    private static string MessageOf(ArgumentException exception)
    {
        var message = exception.Message;
        var suffix = exception.ParamName is { } name ? $" (Parameter '{name}')" : null;
        if (suffix is not null && message.EndsWith(suffix, StringComparison.Ordinal))
        {
            message = message[..^suffix.Length];
        }

        return JsonFields.Printable(message.ReplaceLineEndings(" "));
    }

    /// <summary>Reads one document, collecting every problem in <see cref="Fields"/>.</summary>
    private sealed class ScenarioReader
    {
        public JsonFields Fields { get; } = new();

        /// <summary>Gets the currency of the account once it is known, to check that amounts fit its minor units.</summary>
        private Currency? AccountCurrency { get; set; }

        /// <summary>Gets the amounts of the policy object, checked against the minor units once the account's currency is known.</summary>
        private List<(string Path, JsonElement Element, decimal Value)> PolicyAmounts { get; } = [];

        public Scenario? Read(JsonElement root)
        {
            var fields = Fields.ReadObject(root, string.Empty, RootFields);
            if (fields is null)
            {
                return null;
            }

            var policy = fields.TryGetValue("policy", out var policyElement) ? ReadPolicy(policyElement, "policy") : Required<LifecyclePolicy>("policy");
            var account = fields.TryGetValue("account", out var accountElement) ? ReadAccount(accountElement) : Required<AccountData>("account");
            if (AccountCurrency is { } currency)
            {
                foreach (var (path, element, value) in PolicyAmounts)
                {
                    Fields.CheckMinorUnits(path, element, value, currency);
                }
            }

            var items = ReadItems(fields);
            var until = Fields.ReadInstant(fields, string.Empty, "until", required: true);
            var entries = ReadEntries(fields);
            var usage = ReadUsage(fields, items);

            if (Fields.Count > 0 || policy is null || account is null || items is null || until is null || entries is null || usage is null)
            {
                return null;
            }

            Scenario scenario;
            try
            {
                scenario = new Scenario(policy, account.Profile, account.Currency, until.Value)
                {
                    OpeningBalance = account.OpeningBalance,
                    TimeZone = account.Zone,
                    Items = [.. items.Select(item => item.Item)],
                    Entries = [.. entries.Select(entry => entry.Entry)],
                    Usage = [.. usage.Select(record => record.Record)],
                };
            }
            catch (ArgumentException exception)
            {
                // Every value was checked above; this is a safety net so that bad input is reported, never thrown.
                Fields.Add("$", MessageOf(exception));
                return null;
            }

            CheckRating(scenario, items, entries, usage);
            return Fields.Count > 0 ? null : scenario;
        }

        public LifecyclePolicy? ReadPolicy(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    var name = element.GetString()!;
                    if (PolicyPresets.TryGet(name, out var preset))
                    {
                        return preset.Policy;
                    }

                    Fields.Add(path, UnknownPreset(name));
                    return null;
                case JsonValueKind.Object:
                    return ReadPolicyObject(element, path);
                default:
                    Fields.Add(path, $"must be a preset name such as \"{PolicyPresets.Names[0]}\" or a policy object, got {JsonFields.Describe(element)}");
                    return null;
            }
        }

        private static string UnknownPreset(string name) =>
            $"unknown preset {JsonFields.Quote(name)}; known presets: {string.Join(", ", PolicyPresets.Names)}";

        private T? Required<T>(string name)
            where T : class
        {
            Fields.ReportMissing(string.Empty, name, required: true);
            return null;
        }

        private LifecyclePolicy? ReadPolicyObject(JsonElement element, string path)
        {
            var before = Fields.Count;
            var fields = Fields.ReadObject(element, path, PolicyFields)!;
            LifecyclePolicyOptions options;
            var presetName = Fields.ReadString(fields, path, "preset", required: false);
            if (presetName is not null)
            {
                if (!PolicyPresets.TryGet(presetName, out var preset))
                {
                    Fields.Add(JsonFields.Field(path, "preset"), UnknownPreset(presetName));
                    return null;
                }

                options = preset.Policy.ToOptions();
                if (fields.Count > 1)
                {
                    options.Name = "custom";
                }
            }
            else
            {
                options = new LifecyclePolicyOptions();
            }

            if (Fields.ReadDuration(fields, path, "grace", required: false) is { } grace)
            {
                options.Grace = grace;
            }

            if (Fields.OneOf(fields, path, "graceBoundary", required: false, Boundaries) is { } graceBoundary)
            {
                options.GraceBoundary = Enum.Parse<DeadlineBoundary>(graceBoundary);
            }

            if (Fields.ReadDuration(fields, path, "retention", required: false) is { } retention)
            {
                options.Retention = retention;
            }

            if (Fields.OneOf(fields, path, "retentionBoundary", required: false, Boundaries) is { } retentionBoundary)
            {
                options.RetentionBoundary = Enum.Parse<DeadlineBoundary>(retentionBoundary);
            }

            if (Fields.ReadDecimal(fields, path, "tolerance", required: false) is { } tolerance)
            {
                options.Tolerance = tolerance;
                PolicyAmounts.Add((JsonFields.Field(path, "tolerance"), fields["tolerance"], tolerance));
            }

            if (fields.TryGetValue("resumeMinimumBalance", out var resume))
            {
                options.ResumeMinimumBalance = resume.ValueKind == JsonValueKind.Null
                    ? null
                    : Fields.ReadDecimal(resume, JsonFields.Field(path, "resumeMinimumBalance"));
                if (options.ResumeMinimumBalance is { } minimum)
                {
                    PolicyAmounts.Add((JsonFields.Field(path, "resumeMinimumBalance"), resume, minimum));
                }
            }

            if (fields.ContainsKey("purgeWarnings") && Fields.ReadOptionalArray(fields, path, "purgeWarnings") is { } warnings)
            {
                options.PurgeWarnings.Clear();
                for (var i = 0; i < warnings.Length; i++)
                {
                    if (Fields.ReadDuration(warnings[i], JsonFields.Index(JsonFields.Field(path, "purgeWarnings"), i)) is { } warning)
                    {
                        options.PurgeWarnings.Add(warning);
                    }
                }
            }

            if (fields.ContainsKey("channels") && Fields.ReadOptionalArray(fields, path, "channels") is { } channels)
            {
                options.Channels.Clear();
                for (var i = 0; i < channels.Length; i++)
                {
                    if (Fields.ReadString(channels[i], JsonFields.Index(JsonFields.Field(path, "channels"), i), allowEmpty: true) is { } channel)
                    {
                        options.Channels.Add(channel);
                    }
                }
            }

            if (Fields.Count > before)
            {
                return null;
            }

            var problems = LifecyclePolicy.Validate(options);
            foreach (var problem in problems)
            {
                Fields.Add(path + "." + problem.Path, problem.Message);
            }

            return problems.Count > 0 ? null : LifecyclePolicy.Create(options);
        }

        private AccountData? ReadAccount(JsonElement element)
        {
            const string Path = "account";
            var before = Fields.Count;
            var fields = Fields.ReadObject(element, Path, AccountFields);
            if (fields is null)
            {
                return null;
            }

            var id = Fields.ReadString(fields, Path, "id", required: true);
            Currency currency = default;
            var code = Fields.ReadString(fields, Path, "currency", required: true);
            if (code is not null && !Currency.TryFromCode(code, out currency))
            {
                Fields.Add(JsonFields.Field(Path, "currency"), $"unknown ISO 4217 currency code, got {JsonFields.Quote(code)}");
            }
            else if (code is not null)
            {
                AccountCurrency = currency;
            }

            var opening = Fields.ReadDecimal(fields, Path, "openingBalance", required: false) ?? 0m;
            if (AccountCurrency is { } openingCurrency && fields.TryGetValue("openingBalance", out var openingElement))
            {
                Fields.CheckMinorUnits(JsonFields.Field(Path, "openingBalance"), openingElement, opening, openingCurrency);
            }
            if (opening < 0)
            {
                Fields.Add(JsonFields.Field(Path, "openingBalance"), $"must not be negative (a debt carried over is a charge with its own instant), got {JsonFields.Describe(fields["openingBalance"])}");
            }

            DateTimeZone zone = DateTimeZone.Utc;
            var zoneId = Fields.ReadString(fields, Path, "timeZone", required: false);
            if (zoneId is not null)
            {
                var found = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId);
                if (found is null)
                {
                    Fields.Add(JsonFields.Field(Path, "timeZone"), $"unknown IANA time zone such as \"Asia/Shanghai\", got {JsonFields.Quote(zoneId)}");
                }
                else
                {
                    zone = found;
                }
            }

            var creator = Fields.ReadString(fields, Path, "creator", required: true);
            var collaborators = new List<string>();
            if (Fields.ReadOptionalArray(fields, Path, "collaborators") is { } array)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                if (creator is not null)
                {
                    seen.Add(creator);
                }

                for (var i = 0; i < array.Length; i++)
                {
                    var itemPath = JsonFields.Index(JsonFields.Field(Path, "collaborators"), i);
                    if (Fields.ReadString(array[i], itemPath) is not { } collaborator)
                    {
                        continue;
                    }

                    if (!seen.Add(collaborator))
                    {
                        Fields.Add(itemPath, $"is already the creator or another collaborator, got {JsonFields.Quote(collaborator)}");
                        continue;
                    }

                    collaborators.Add(collaborator);
                }
            }

            decimal? alarm = null;
            if (fields.TryGetValue("balanceAlarm", out var alarmElement) && alarmElement.ValueKind != JsonValueKind.Null)
            {
                alarm = Fields.ReadDecimal(alarmElement, JsonFields.Field(Path, "balanceAlarm"));
                if (alarm is { } value && AccountCurrency is { } alarmCurrency)
                {
                    Fields.CheckMinorUnits(JsonFields.Field(Path, "balanceAlarm"), alarmElement, value, alarmCurrency);
                }
            }

            if (Fields.Count > before || id is null || creator is null)
            {
                return null;
            }

            var profile = new AccountProfile(id, creator) { Collaborators = collaborators, BalanceAlarm = alarm };
            return new AccountData(profile, currency, opening, zone);
        }

        private List<ItemData>? ReadItems(Dictionary<string, JsonElement> root)
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var items = ReadObjects(root, "items", ItemFields, (i, itemPath, fields) =>
            {
                var itemBefore = Fields.Count;
                var id = Fields.ReadString(fields, itemPath, "id", required: true);
                if (id is not null && !ids.TryAdd(id, i))
                {
                    Fields.Add(JsonFields.Field(itemPath, "id"), $"duplicate billing item id (also items[{ids[id].ToString(CultureInfo.InvariantCulture)}]), got {JsonFields.Quote(id)}");
                }

                var unit = Fields.ReadDecimal(fields, itemPath, "unit", required: true);
                if (unit <= 0)
                {
                    Fields.Add(JsonFields.Field(itemPath, "unit"), $"must be positive, got {JsonFields.Describe(fields["unit"])}");
                }

                var unitPrice = Fields.ReadDecimal(fields, itemPath, "unitPrice", required: true);
                if (unitPrice < 0)
                {
                    Fields.Add(JsonFields.Field(itemPath, "unitPrice"), $"must not be negative, got {JsonFields.Describe(fields["unitPrice"])}");
                }

                var cycleText = Fields.ReadString(fields, itemPath, "cycle", required: true);
                var cycle = BillingCycle.None;
                if (cycleText is not null && !BillingCycle.TryParse(cycleText, out cycle))
                {
                    Fields.Add(
                        JsonFields.Field(itemPath, "cycle"),
                        $"must be \"none\", a sub-day duration such as \"PT1H\", \"P1D\", \"P1W\" or \"P1M\", got {JsonFields.Quote(cycleText)}");
                }

                var delay = Fields.ReadDuration(fields, itemPath, "settlementDelay", required: false) ?? Duration.Zero;
                return Fields.Count > itemBefore || id is null || unit is null || unitPrice is null
                    ? null
                    : new ItemData(i, new BillingItem(id, unit.Value, unitPrice.Value, cycle) { SettlementDelay = delay });
            });

            // Usage is checked against every item id that was readable, even when the item itself has problems.
            KnownItems = ids.Keys.ToHashSet(StringComparer.Ordinal);
            return items;
        }

        /// <summary>
        /// Reads an optional array of objects with <paramref name="read"/> (given the index, the path and the fields of each
        /// object, returning <see langword="null"/> for an object with problems). Returns <see langword="null"/> when the
        /// array has any problem.
        /// </summary>
        private List<T>? ReadObjects<T>(
            Dictionary<string, JsonElement> root, string name, string[] known, Func<int, string, Dictionary<string, JsonElement>, T?> read)
            where T : class
        {
            var array = Fields.ReadOptionalArray(root, string.Empty, name);
            if (array is null)
            {
                return null;
            }

            var before = Fields.Count;
            var result = new List<T>();
            for (var i = 0; i < array.Length; i++)
            {
                var path = JsonFields.Index(name, i);
                if (Fields.ReadObject(array[i], path, known) is { } fields && read(i, path, fields) is { } value)
                {
                    result.Add(value);
                }
            }

            return Fields.Count > before ? null : result;
        }

        private HashSet<string> KnownItems { get; set; } = new(StringComparer.Ordinal);

        private List<EntryData>? ReadEntries(Dictionary<string, JsonElement> root)
        {
            var byId = new Dictionary<string, EntryData>(StringComparer.Ordinal);
            return ReadObjects(root, "entries", EntryFields, (i, entryPath, fields) =>
            {
                var entryBefore = Fields.Count;
                var id = Fields.ReadString(fields, entryPath, "id", required: true);
                var kind = Fields.OneOf(fields, entryPath, "kind", required: true, EntryKinds);
                var at = Fields.ReadInstant(fields, entryPath, "at", required: true);
                var amount = Fields.ReadDecimal(fields, entryPath, "amount", required: true);
                if (amount <= 0)
                {
                    Fields.Add(JsonFields.Field(entryPath, "amount"), $"must be positive, got {JsonFields.Describe(fields["amount"])}");
                }
                else if (amount is { } value && AccountCurrency is { } currency)
                {
                    Fields.CheckMinorUnits(JsonFields.Field(entryPath, "amount"), fields["amount"], value, currency);
                }

                if (Fields.Count > entryBefore || id is null || kind is null || at is null || amount is null)
                {
                    return null;
                }

                var entry = new LedgerEntry(id, Enum.Parse<LedgerEntryKind>(kind, ignoreCase: true), at.Value, amount.Value);
                if (byId.TryGetValue(id, out var existing))
                {
                    if (existing.Entry != entry)
                    {
                        Fields.Add(
                            JsonFields.Field(entryPath, "id"),
                            $"an entry with this id already exists with different content (entries[{existing.Index.ToString(CultureInfo.InvariantCulture)}]: {existing.Entry}), got {JsonFields.Quote(id)} ({entry})");
                    }

                    return null;
                }

                var data = new EntryData(i, entry);
                byId.Add(id, data);
                return data;
            });
        }

        private List<UsageData>? ReadUsage(Dictionary<string, JsonElement> root, List<ItemData>? items)
        {
            var usage = ReadObjects(root, "usage", UsageFields, (i, recordPath, fields) =>
            {
                var recordBefore = Fields.Count;
                var item = Fields.ReadString(fields, recordPath, "item", required: true);
                if (item is not null && !KnownItems.Contains(item))
                {
                    var known = KnownItems.Count == 0 ? "no billing items are defined" : "known items: " + string.Join(", ", KnownItems.Order(StringComparer.Ordinal));
                    Fields.Add(JsonFields.Field(recordPath, "item"), $"unknown billing item ({known}), got {JsonFields.Quote(item)}");
                }

                var at = Fields.ReadInstant(fields, recordPath, "at", required: true);
                var quantity = Fields.ReadDecimal(fields, recordPath, "quantity", required: true);
                if (quantity < 0)
                {
                    Fields.Add(JsonFields.Field(recordPath, "quantity"), $"must not be negative, got {JsonFields.Describe(fields["quantity"])}");
                }

                return Fields.Count > recordBefore || item is null || at is null || quantity is null
                    ? null
                    : new UsageData(i, new UsageRecord(item, at.Value, quantity.Value));
            });

            return items is null ? null : usage;
        }

        /// <summary>
        /// Rates the usage as the simulator will, so that an overflow or a clash of ids is reported here, with its path,
        /// rather than thrown by <see cref="Simulator.Run"/>.
        /// </summary>
        private void CheckRating(Scenario scenario, List<ItemData> items, List<EntryData> entries, List<UsageData> usage)
        {
            var (charges, error) = Simulator.RateUsage(scenario);
            if (error is not null)
            {
                // Scenario.Items and Scenario.Usage hold the read items and records in order; map back to their JSON positions.
                var path = error.Argument == "items" ? JsonFields.Index("items", items[error.Index].Index) : JsonFields.Index("usage", usage[error.Index].Index);
                Fields.Add(error.Field.Length == 0 ? path : JsonFields.Field(path, error.Field), JsonFields.Printable(error.Message));
                return;
            }

            var entryIds = entries.ToDictionary(e => e.Entry.Id, e => e.Index, StringComparer.Ordinal);
            foreach (var charge in charges!)
            {
                if (charge.Amount > JsonFields.MaxAmount)
                {
                    var item = items.First(i => string.Equals(i.Item.Id, charge.Item, StringComparison.Ordinal));
                    Fields.Add(
                        JsonFields.Index("items", item.Index),
                        $"the charge \"{charge.Id}\" rated from usage comes to {Invariant.Format(charge.Amount)}, more than the largest amount {Invariant.Format(JsonFields.MaxAmount)}");
                }

                if (entryIds.TryGetValue(charge.Id, out var entryIndex))
                {
                    Fields.Add(
                        JsonFields.Field(JsonFields.Index("entries", entryIndex), "id"),
                        $"is also the id of a charge rated from usage, got {JsonFields.Quote(charge.Id)}");
                }
            }
        }
    }

    private sealed record AccountData(AccountProfile Profile, Currency Currency, decimal OpeningBalance, DateTimeZone Zone);

    private sealed record ItemData(int Index, BillingItem Item);

    private sealed record EntryData(int Index, LedgerEntry Entry);

    private sealed record UsageData(int Index, UsageRecord Record);
}
