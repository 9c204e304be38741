using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Cli.Stores;

/// <summary>One account of an import file, with the line it came from.</summary>
/// <param name="Line">The line number, from 1.</param>
/// <param name="Import">What the line imports.</param>
internal sealed record ImportLine(int Line, AccountImport Import);

/// <summary>
/// Reads the JSON Lines of <c>arrears import</c>: one account per line in the scenario format of the simulate contract
/// without <c>until</c> (holds and revocations included, each recorded at its <c>recordedAt</c>, by default its
/// <c>from</c> or <c>at</c>), plus optional <c>contacts</c>. Each line is checked by the scenario reader of <c>simulate</c>
/// (so an import accepts and rejects exactly what a scenario does), and every problem of the file is collected, as
/// <c>line 3: entries[0].amount: must be positive, got "-5"</c>, before anything is applied.
/// </summary>
internal sealed class ImportReader
{
    /// <summary>The largest line read: 64 MiB, as the largest scenario.</summary>
    public const int MaxLineBytes = Commands.MaxInputBytes;

    /// <summary>
    /// When an account without entries or usage is due: the earliest instant a scenario can name, so that the first
    /// <c>evaluate</c>, at whatever instant, evaluates it.
    /// </summary>
    public static readonly Instant NoFactsDueAt = Instant.FromUtc(1, 1, 1, 0, 0);

    /// <summary>The <c>until</c> given to the scenario reader, which requires one: the latest instant it accepts, so that no fact is after it.</summary>
    private const string ReaderUntil = "8999-12-31T23:59:59Z";

    private static readonly string[] ContactFields = ["recipient", "email", "phone"];

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    private static readonly JsonWriterOptions CanonicalWriter = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<string, int> _accountLines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _resolvable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, RecipientContact Contact)> _contacts = new(StringComparer.Ordinal);

    /// <summary>Gets the accounts read, in file order.</summary>
    public List<ImportLine> Accounts { get; } = [];

    /// <summary>Gets every problem found, one line each, in file order.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Reads a whole input, line by line.</summary>
    /// <exception cref="IOException">The input cannot be read.</exception>
    public static async Task<ImportReader> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new ImportReader();
        var chunk = new byte[81920];
        using var pending = new MemoryStream();
        var lineNumber = 0;
        var tooLong = false;
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            while (Array.IndexOf(chunk, (byte)'\n', start, read - start) is var newLine and >= 0)
            {
                lineNumber++;
                if (!tooLong)
                {
                    pending.Write(chunk, start, newLine - start);
                    reader.ReadLine(lineNumber, pending.GetBuffer().AsMemory(0, (int)pending.Length));
                }

                pending.SetLength(0);
                tooLong = false;
                start = newLine + 1;
            }

            if (!tooLong)
            {
                if (pending.Length + (read - start) > MaxLineBytes)
                {
                    reader.Errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber + 1}: longer than 64 MiB"));
                    pending.SetLength(0);
                    tooLong = true;
                }
                else
                {
                    pending.Write(chunk, start, read - start);
                }
            }
        }

        if (pending.Length > 0)
        {
            reader.ReadLine(lineNumber + 1, pending.GetBuffer().AsMemory(0, (int)pending.Length));
        }

        return reader;
    }

    /// <summary>Reads one line; a blank line is skipped.</summary>
    internal void ReadLine(int lineNumber, ReadOnlyMemory<byte> line)
    {
        var bytes = line.Span;
        if (bytes.Length > 0 && bytes[^1] == '\r')
        {
            line = line[..^1];
            bytes = line.Span;
        }

        if (bytes.Trim(" \t\r"u8).IsEmpty)
        {
            return;
        }

        var errors = new List<string>();
        var import = ReadAccount(line, errors);
        foreach (var error in errors)
        {
            Errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: {error}"));
        }

        if (import is null)
        {
            return;
        }

        // The name the policy is stored by must rebuild it in any later process (checked once per name).
        var policy = import.Registration.Policy;
        if (!_resolvable.TryGetValue(policy, out var resolvable))
        {
            resolvable = PolicyNames.Resolve(policy) is not null;
            _resolvable.Add(policy, resolvable);
        }

        if (!resolvable)
        {
            Errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: policy: cannot be stored so that evaluate rebuilds it, got {Terminal.Quote(policy)}"));
            return;
        }

        var id = import.Registration.Id;
        if (_accountLines.TryGetValue(id, out var first))
        {
            Errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: account.id: account {Terminal.Quote(id)} is already on line {first} (one line per account)"));
            return;
        }

        foreach (var (recipient, contact) in import.Contacts)
        {
            if (_contacts.TryGetValue(recipient, out var earlier) && !Same(earlier.Contact, contact))
            {
                Errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: contacts: recipient {Terminal.Quote(recipient)} has other addresses on line {earlier.Line}"));
                return;
            }

            _contacts.TryAdd(recipient, (lineNumber, contact));
        }

        _accountLines.Add(id, lineNumber);
        Accounts.Add(new ImportLine(lineNumber, import));
    }

    /// <summary>Returns the line an account is on, if the file has it.</summary>
    public int? LineOf(string account) => _accountLines.TryGetValue(account, out var line) ? line : null;

    private static bool Same(RecipientContact a, RecipientContact b) =>
        string.Equals(a.Email, b.Email, StringComparison.Ordinal) && string.Equals(a.Phone, b.Phone, StringComparison.Ordinal);

    /// <summary>Reads one account: the scenario reader checks everything but <c>until</c> (not allowed) and <c>contacts</c> (read here).</summary>
    private static AccountImport? ReadAccount(ReadOnlyMemory<byte> line, List<string> errors)
    {
        byte[] scenarioJson;
        string? policyName;
        Dictionary<string, RecipientContact>? contacts;
        try
        {
            using var document = JsonDocument.Parse(line, DocumentOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                // The scenario reader says so in its own words.
                errors.AddRange(ScenarioJson.Read(line).Errors.Select(e => e.ToString()));
                return null;
            }

            (scenarioJson, policyName, contacts) = Rewrite(root, errors);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException)
        {
            // Malformed JSON, invalid UTF-8 or a lone surrogate: the scenario reader reports where, with the line's own
            // line and column (always line 1 of the line).
            var syntax = ScenarioJson.Read(line).Errors.Where(e => e.Path == "$").Select(e => e.ToString().Replace(" at line 1, column ", " at column ", StringComparison.Ordinal)).ToList();
            errors.AddRange(syntax.Count > 0 ? syntax : [$"$: invalid JSON: {Terminal.Printable(exception.Message.ReplaceLineEndings(" "))}"]);
            return null;
        }

        var read = ScenarioJson.Read(scenarioJson);
        errors.InsertRange(0, read.Errors.Select(e => e.ToString()));
        if (!read.IsValid || errors.Count > 0 || policyName is null)
        {
            return null;
        }

        var scenario = read.Scenario;
        var registration = new AccountRegistration(scenario.Account, policyName, scenario.Currency, scenario.TimeZone, scenario.OpeningBalance, scenario.Items);

        // Usage has no ids: the line's usage is one batch named by its content, so importing the same line again is a
        // no-op. Records are sorted first, so that the order they are listed in does not make a second batch.
        var usage = scenario.Usage
            .OrderBy(u => u.At)
            .ThenBy(u => u.Item, StringComparer.Ordinal)
            .ThenBy(u => u.Quantity)
            .ToList();
        // Holds and revocations are recorded when the line says (recordedAt), by default at their own instant, as simulate
        // reads them: an evaluation before that instant does not see them.
        var recorded = scenario.Schedule;
        var holds = scenario.Holds.Holds
            .Select(hold => new HoldRecord(hold, recorded is not null && recorded.HoldsRecordedAt.TryGetValue(hold.Id, out var at) ? at : hold.From))
            .Concat(scenario.Holds.Revocations.Select(revocation =>
                new HoldRecord(revocation, recorded is not null && recorded.RevocationsRecordedAt.TryGetValue(revocation.Id, out var at) ? at : revocation.At)))
            .ToList();
        var facts = scenario.Entries.Select(e => e.At).Concat(usage.Select(u => u.At)).Concat(holds.Select(h => h.RecordedAt)).ToList();
        return new AccountImport(
            registration,
            scenario.Entries,
            usage,
            usage.Count > 0 ? UsageBatchId(usage) : null,
            contacts,
            facts.Count > 0 ? facts.Min() : NoFactsDueAt,
            holds);
    }

    /// <summary>
    /// The scenario the reader checks: the line without <c>contacts</c>, with the latest <c>until</c>; the policy's name
    /// (a preset name as it is, a policy object as its canonical JSON); and the contacts.
    /// </summary>
    private static (byte[] Scenario, string? PolicyName, Dictionary<string, RecipientContact>? Contacts) Rewrite(JsonElement root, List<string> errors)
    {
        Dictionary<string, RecipientContact>? contacts = null;
        var contactsSeen = false;
        var holdFacts = false;
        var policyParts = new List<JsonProperty>();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "until":
                        errors.Add($"until: an import has no until (evaluate --as-of chooses the instant); remove it, got {Describe(property.Value)}");
                        continue;
                    case "evaluations":
                        errors.Add($"evaluations: an import has no evaluation schedule (each evaluate --as-of is an evaluation); remove it, got {Describe(property.Value)}");
                        continue;
                    case "holds" or "revocations":
                        holdFacts = true;
                        break;
                    case "contacts" when contactsSeen:
                        errors.Add("contacts: duplicate field");
                        continue;
                    case "contacts":
                        contactsSeen = true;
                        contacts = ReadContacts(property.Value, errors);
                        continue;
                    case "entries":
                        RefuseRecordedAt(property.Value, errors);
                        break;
                    case "policy" or "products" or "channels":
                        policyParts.Add(property);
                        break;
                }

                property.WriteTo(writer);
            }

            writer.WriteString("until", ReaderUntil);
            if (holdFacts)
            {
                // An empty schedule makes the reader keep each hold's and revocation's recordedAt (and check that no
                // revocation is recorded before its hold); entries' recordedAt are refused above.
                writer.WriteStartArray("evaluations");
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return (buffer.ToArray(), PolicyNames.Of(policyParts), contacts);
    }

    /// <summary>An entry's <c>recordedAt</c> says when a replay learns of it; an import records every entry when it is imported.</summary>
    private static void RefuseRecordedAt(JsonElement entries, List<string> errors)
    {
        if (entries.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("recordedAt", out var recordedAt))
            {
                errors.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"entries[{index}].recordedAt: an import records every entry when it is imported (evaluations after that see it late); remove it, got {Describe(recordedAt)}"));
            }

            index++;
        }
    }

    private static Dictionary<string, RecipientContact>? ReadContacts(JsonElement element, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"contacts: must be a JSON array of {{ \"recipient\", \"email\", \"phone\" }}, got {Describe(element)}");
            return null;
        }

        var before = errors.Count;
        var contacts = new Dictionary<string, RecipientContact>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"contacts[{index++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}: must be a JSON object, got {Describe(item)}");
                continue;
            }

            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in item.EnumerateObject())
            {
                if (!ContactFields.Contains(property.Name, StringComparer.Ordinal))
                {
                    errors.Add($"{path}.{Terminal.Printable(property.Name)}: unknown field, got {Describe(property.Value)}; a contact has recipient, email and phone");
                }
                else if (!fields.TryAdd(property.Name, property.Value))
                {
                    errors.Add($"{path}.{property.Name}: duplicate field, got {Describe(property.Value)}");
                }
            }

            var recipient = fields.TryGetValue("recipient", out var r) ? Text(r, path + ".recipient", nullable: false, errors) : null;
            if (!fields.ContainsKey("recipient"))
            {
                errors.Add($"{path}.recipient: is required");
            }

            var email = fields.TryGetValue("email", out var e) ? Text(e, path + ".email", nullable: true, errors) : null;
            var phone = fields.TryGetValue("phone", out var p) ? Text(p, path + ".phone", nullable: true, errors) : null;
            if (recipient is null)
            {
                continue;
            }

            if (!fields.ContainsKey("email") && recipient.Contains('@', StringComparison.Ordinal))
            {
                email = recipient;
            }

            if (!contacts.TryAdd(recipient, new RecipientContact(email, phone)))
            {
                errors.Add($"{path}.recipient: listed twice, got {Terminal.Quote(recipient)}");
            }
        }

        return errors.Count > before ? null : contacts;
    }

    /// <summary>Reads a contact's string: not empty, no control characters; <c>null</c> allowed for an address.</summary>
    private static string? Text(JsonElement element, string path, bool nullable, List<string> errors)
    {
        if (nullable && element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path}: must be a string{(nullable ? " or null" : string.Empty)}, got {Describe(element)}");
            return null;
        }

        var value = element.GetString()!;
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{path}: must not be empty, got {Terminal.Quote(value)}");
            return null;
        }

        if (value.Any(char.IsControl))
        {
            errors.Add($"{path}: must not contain control characters, got {Terminal.Quote(value)}");
            return null;
        }

        return value;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => Terminal.Quote(element.GetString() ?? string.Empty),
        _ => Terminal.Printable(element.GetRawText().Length > 40 ? element.GetRawText()[..40] + "..." : element.GetRawText()),
    };

    /// <summary>The id of a line's usage batch: <c>import:</c> and the SHA-256 of its records (item, instant, quantity without trailing zeros).</summary>
    internal static string UsageBatchId(IReadOnlyList<UsageRecord> usage)
    {
        var text = new StringBuilder();
        foreach (var record in usage)
        {
            text.Append(record.Item).Append('\u001f')
                .Append(InstantPattern.ExtendedIso.Format(record.At)).Append('\u001f')
                .Append(record.Quantity.ToString("G29", CultureInfo.InvariantCulture)).Append('\u001e');
        }

        return "import:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Writes a JSON value canonically: compact, object properties in ordinal order, strings re-escaped.</summary>
    internal static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    internal static JsonWriterOptions CanonicalOptions => CanonicalWriter;
}
