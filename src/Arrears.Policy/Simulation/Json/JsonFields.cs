using System.Globalization;
using System.Text.Json;
using Arrears.Policy.Text;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads typed fields out of a <see cref="JsonDocument"/> and collects every problem with its JSON path and value,
/// instead of stopping at the first one.
/// </summary>
internal sealed class JsonFields
{
    /// <summary>The largest amount (in absolute value) a scenario may hold, so that no sum of a ledger can overflow <see cref="decimal"/>.</summary>
    public const decimal MaxAmount = 1_000_000_000_000_000m;

    /// <summary>The longest duration a scenario may hold (36500 days, about a century, well inside NodaTime's range).</summary>
    public static readonly Duration MaxDuration = Duration.FromDays(36500);

    /// <summary>The earliest instant a scenario may hold.</summary>
    public static readonly Instant MinInstant = Instant.FromUtc(1, 1, 1, 0, 0);

    /// <summary>The latest instant a scenario may hold; deadlines up to three maximal durations later still fit NodaTime's range.</summary>
    public static readonly Instant MaxInstant = Instant.FromUtc(8999, 12, 31, 23, 59, 59);

    public List<ValidationError> Errors { get; } = [];

    public int Count => Errors.Count;

    public void Add(string path, string message) => Errors.Add(new ValidationError(path, message));

    /// <summary>Joins an object path and a field name: <c>account</c> + <c>id</c> is <c>account.id</c>; odd names are quoted.</summary>
    public static string Field(string path, string name)
    {
        var simple = name.Length > 0;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$'))
            {
                simple = false;
                break;
            }
        }

        var segment = simple ? name : "[" + Invariant.Quote(name) + "]";
        return path.Length == 0 ? (simple ? segment : "$" + segment) : simple ? path + "." + segment : path + segment;
    }

    /// <summary>Appends an index: <c>entries</c> + 3 is <c>entries[3]</c>.</summary>
    public static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    /// <summary>Describes a JSON value for a message: strings and numbers as written (shortened), objects and arrays by kind.</summary>
    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => Invariant.Quote(element.GetString() ?? string.Empty),
        _ => Shorten(element.GetRawText()),
    };

    /// <summary>
    /// Lists the fields of an object, reporting duplicate and unknown fields. Returns <see langword="null"/> (and reports)
    /// when the element is not an object.
    /// </summary>
    public Dictionary<string, JsonElement>? ReadObject(JsonElement element, string path, IReadOnlyList<string> known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Add(path.Length == 0 ? "$" : path, $"must be a JSON object, got {Describe(element)}");
            return null;
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            var fieldPath = Field(path, name);
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                var suggestion = Suggest(name, known);
                Add(fieldPath, suggestion is null
                    ? $"unknown field, got {Describe(property.Value)}"
                    : $"unknown field, got {Describe(property.Value)}, did you mean \"{suggestion}\"?");
                continue;
            }

            if (!fields.TryAdd(name, property.Value))
            {
                Add(fieldPath, $"duplicate field (the first one is {Describe(fields[name])}), got {Describe(property.Value)}");
            }
        }

        return fields;
    }

    /// <summary>
    /// Reads an optional array of objects with <paramref name="read"/> (given the index, the path and the fields of each
    /// object, returning <see langword="null"/> for an object with problems). Returns <see langword="null"/> when the
    /// array has any problem.
    /// </summary>
    public List<T>? ReadObjects<T>(
        Dictionary<string, JsonElement> root, string name, IReadOnlyList<string> known, Func<int, string, Dictionary<string, JsonElement>, T?> read)
        where T : class
    {
        var array = ReadOptionalArray(root, string.Empty, name);
        if (array is null)
        {
            return null;
        }

        var before = Count;
        var result = new List<T>();
        for (var i = 0; i < array.Length; i++)
        {
            var path = Index(name, i);
            if (ReadObject(array[i], path, known) is { } fields && read(i, path, fields) is { } value)
            {
                result.Add(value);
            }
        }

        return Count > before ? null : result;
    }

    /// <summary>Returns the elements of an array field, or reports that the value is not an array.</summary>
    public JsonElement[]? ReadArray(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            Add(path, $"must be a JSON array, got {Describe(element)}");
            return null;
        }

        return [.. element.EnumerateArray()];
    }

    /// <summary>Reads an optional array field: missing is an empty array.</summary>
    public JsonElement[]? ReadOptionalArray(Dictionary<string, JsonElement> fields, string path, string name) =>
        fields.TryGetValue(name, out var element) ? ReadArray(element, Field(path, name)) : [];

    /// <summary>Reads a string field; reports missing (when required), wrong types and (when not allowed) empty strings.</summary>
    public string? ReadString(Dictionary<string, JsonElement> fields, string path, string name, bool required, bool allowEmpty = false)
    {
        if (!fields.TryGetValue(name, out var element))
        {
            ReportMissing(path, name, required);
            return null;
        }

        return ReadString(element, Field(path, name), allowEmpty);
    }

    /// <summary>Reads a string value.</summary>
    public string? ReadString(JsonElement element, string path, bool allowEmpty = false)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            Add(path, $"must be a string, got {Describe(element)}");
            return null;
        }

        var value = element.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(value))
        {
            Add(path, $"must not be empty, got {Invariant.Quote(value)}");
            return null;
        }

        if (HasControlCharacter(value))
        {
            Add(path, $"must not contain control characters, got {Invariant.Quote(value)}");
            return null;
        }

        return value;
    }

    /// <summary>Whether a text holds a C0 or C1 control character (U+0000 to U+001F, U+007F to U+009F).</summary>
    public static bool HasControlCharacter(string value) => ControlCharacters.Any(value);

    /// <summary>
    /// Returns a text safe to print on a terminal: control characters (which could move the cursor or change colours)
    /// are written as escapes such as <c>\u001b</c>.
    /// </summary>
    public static string Printable(string value) => ControlCharacters.Escape(value);

    /// <summary>
    /// Reports an amount of money with more decimal places than the currency's minor units (<c>"0.4"</c> for JPY); trailing
    /// zeros are fine (<c>"10.000"</c> for CNY). Returns whether the amount is exact in the currency.
    /// </summary>
    public bool CheckMinorUnits(string path, JsonElement element, decimal value, Currency currency)
    {
        if (decimal.Round(value, currency.MinorUnits) == value)
        {
            return true;
        }

        var places = currency.MinorUnits == 1 ? "1 decimal place" : string.Create(CultureInfo.InvariantCulture, $"{currency.MinorUnits} decimal places");
        Add(path, $"must have at most {places} for {currency.Code}, got {Describe(element)}");
        return false;
    }

    /// <summary>Reads a decimal held in a JSON string, such as <c>"12.50"</c>.</summary>
    public decimal? ReadDecimal(Dictionary<string, JsonElement> fields, string path, string name, bool required) =>
        fields.TryGetValue(name, out var element)
            ? ReadDecimal(element, Field(path, name))
            : Missing<decimal>(path, name, required);

    /// <summary>Reads a decimal value held in a JSON string.</summary>
    public decimal? ReadDecimal(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            Add(path, $"must be a decimal in a JSON string such as \"12.50\" (a JSON number could lose precision), got {Describe(element)}");
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            Add(path, $"must be a decimal in a JSON string such as \"12.50\", got {Describe(element)}");
            return null;
        }

        var text = element.GetString()!;
        if (!IsDecimalSyntax(text) ||
            !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            Add(path, $"must be a decimal such as \"12.50\", got {Invariant.Quote(text)}");
            return null;
        }

        if (!SameDecimal(text, value))
        {
            Add(path, $"has more digits than a decimal holds, got {Invariant.Quote(text)}");
            return null;
        }

        if (Math.Abs(value) > MaxAmount)
        {
            Add(path, $"must be between -{Invariant.Format(MaxAmount)} and {Invariant.Format(MaxAmount)}, got {Invariant.Quote(text)}");
            return null;
        }

        return value;
    }

    /// <summary>Reads an ISO 8601 UTC instant such as <c>"2026-01-01T00:00:00Z"</c>.</summary>
    public Instant? ReadInstant(Dictionary<string, JsonElement> fields, string path, string name, bool required) =>
        fields.TryGetValue(name, out var element)
            ? ReadInstant(element, Field(path, name))
            : Missing<Instant>(path, name, required);

    /// <summary>Reads an ISO 8601 UTC instant value.</summary>
    public Instant? ReadInstant(JsonElement element, string path)
    {
        const string Expected = "must be an ISO 8601 UTC instant such as \"2026-01-01T00:00:00Z\"";
        if (element.ValueKind != JsonValueKind.String)
        {
            Add(path, $"{Expected}, got {Describe(element)}");
            return null;
        }

        var text = element.GetString()!;
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        if (!parsed.Success)
        {
            Add(path, $"{Expected}, got {Invariant.Quote(text)}");
            return null;
        }

        if (parsed.Value < MinInstant || parsed.Value > MaxInstant)
        {
            Add(path, $"must be between {Invariant.Format(MinInstant)} and {Invariant.Format(MaxInstant)}, got {Invariant.Quote(text)}");
            return null;
        }

        return parsed.Value;
    }

    /// <summary>Reads a non-negative ISO 8601 duration such as <c>"PT24H"</c>.</summary>
    public Duration? ReadDuration(Dictionary<string, JsonElement> fields, string path, string name, bool required) =>
        fields.TryGetValue(name, out var element)
            ? ReadDuration(element, Field(path, name))
            : Missing<Duration>(path, name, required);

    /// <summary>Reads a non-negative ISO 8601 duration value.</summary>
    public Duration? ReadDuration(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            Add(path, $"must be an ISO 8601 duration in a JSON string such as \"PT24H\", got {Describe(element)}");
            return null;
        }

        var text = element.GetString()!;
        var parsed = IsoDurationPattern.Instance.Parse(text);
        if (!parsed.TryGetValue(default, out var duration))
        {
            // The pattern's message has the form of every message here: "must ..., got "TEXT"".
            Add(path, parsed.Exception.Message);
            return null;
        }

        if (duration < NodaTime.Duration.Zero)
        {
            Add(path, $"must not be negative, got {Invariant.Quote(text)}");
            return null;
        }

        if (duration > MaxDuration)
        {
            Add(path, $"must be at most \"{Invariant.Format(MaxDuration)}\", got {Invariant.Quote(text)}");
            return null;
        }

        return duration;
    }

    /// <summary>Reads a string that must be one of a set of words (case-sensitive).</summary>
    public string? OneOf(Dictionary<string, JsonElement> fields, string path, string name, bool required, IReadOnlyList<string> allowed)
    {
        if (!fields.TryGetValue(name, out var element))
        {
            ReportMissing(path, name, required);
            return null;
        }

        var fieldPath = Field(path, name);
        var choices = string.Join(", ", allowed.Select(a => "\"" + a + "\""));
        if (element.ValueKind != JsonValueKind.String || !allowed.Contains(element.GetString(), StringComparer.Ordinal))
        {
            Add(fieldPath, $"must be one of {choices}, got {Describe(element)}");
            return null;
        }

        return element.GetString();
    }

    /// <summary>Reports a missing required field; returns <see langword="null"/>.</summary>
    public T? Missing<T>(string path, string name, bool required)
        where T : struct
    {
        ReportMissing(path, name, required);
        return null;
    }

    /// <summary>Reports the field <paramref name="name"/> of <paramref name="path"/> as missing, when it is required.</summary>
    public void ReportMissing(string path, string name, bool required)
    {
        if (required)
        {
            Add(Field(path, name), "is required");
        }
    }

    private static bool IsDecimalSyntax(string text)
    {
        // Digits with an optional leading minus and one decimal point: no exponent, no spaces, no thousands separators.
        var i = 0;
        if (text.Length > 0 && text[0] == '-')
        {
            i = 1;
        }

        var digits = 0;
        var points = 0;
        for (; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                digits++;
            }
            else if (text[i] == '.' && points == 0)
            {
                points++;
            }
            else
            {
                return false;
            }
        }

        return digits > 0;
    }

    /// <summary>
    /// Whether <paramref name="value"/> is exactly the number written in <paramref name="text"/> (already checked by
    /// <see cref="IsDecimalSyntax"/>): <see cref="decimal"/> parsing rounds silently beyond 28 or 29 significant digits.
    /// </summary>
    private static bool SameDecimal(string text, decimal value) =>
        string.Equals(Canonical(text), Canonical(value.ToString(CultureInfo.InvariantCulture)), StringComparison.Ordinal);

    /// <summary>Writes a plain decimal without sign for zero, leading zeros, trailing fractional zeros or a trailing point.</summary>
    private static string Canonical(string text)
    {
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        var point = digits.IndexOf('.', StringComparison.Ordinal);
        var whole = (point < 0 ? digits : digits[..point]).TrimStart('0');
        var fraction = point < 0 ? string.Empty : digits[(point + 1)..].TrimEnd('0');
        if (whole.Length == 0 && fraction.Length == 0)
        {
            return "0";
        }

        return (negative ? "-" : string.Empty) + (whole.Length == 0 ? "0" : whole) + (fraction.Length == 0 ? string.Empty : "." + fraction);
    }

    private static string Shorten(string raw) => raw.Length > Invariant.MaxQuotedLength ? raw[..Invariant.MaxQuotedLength] + "…" : raw;

    /// <summary>
    /// Returns the known name closest to <paramref name="name"/> (a typo's likely intent), or <see langword="null"/> when none
    /// is within <paramref name="maxDistance"/> edits (by default a third of the name's length, between 1 and 3).
    /// </summary>
    public static string? Suggest(string name, IReadOnlyList<string> known, int? maxDistance = null)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= (maxDistance ?? Math.Max(1, Math.Min(3, name.Length / 3))) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3 || a.Length > 64)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
