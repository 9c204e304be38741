using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Turns the input of a reader (text or UTF-8 bytes) into a <see cref="JsonDocument"/>, or into one problem at path
/// <c>$</c> with its line and column: a lone UTF-16 surrogate in text, invalid UTF-8, or malformed JSON.
/// </summary>
internal static class JsonInput
{
    /// <summary>Strict JSON: no comments, no trailing commas, at most 64 levels of nesting.</summary>
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes text as UTF-8, reporting a lone surrogate instead of replacing it with U+FFFD.</summary>
    public static bool TryEncode(string json, out byte[] utf8, [NotNullWhen(false)] out ValidationError? error)
    {
        try
        {
            utf8 = StrictUtf8.GetBytes(json);
            error = null;
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

    /// <summary>
    /// Parses UTF-8 JSON (a leading byte order mark is skipped); the caller disposes the document. Invalid UTF-8 and
    /// malformed JSON are reported with their line and column, in words of our own (<see cref="JsonSyntaxError"/>).
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out ValidationError? error)
    {
        if (utf8Json.Span.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        document = null;
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
        }
        catch (JsonException exception)
        {
            // Only the position is taken from the exception; its message is the runtime's wording, not a contract.
            var index = ByteIndex(bytes, exception.LineNumber ?? 0, exception.BytePositionInLine ?? 0);
            error = JsonSyntaxError.At(bytes, index, DocumentOptions.MaxDepth);
            return false;
        }

        // The JSON reader accepts an escaped lone surrogate ("\ud800"), but reading that string throws; report it instead.
        var lone = LoneSurrogateEscape(bytes);
        if (lone >= 0)
        {
            document.Dispose();
            document = null;
            var (line, column) = Position(bytes[..lone]);
            var escape = Encoding.ASCII.GetString(bytes.Slice(lone, 6));
            error = new ValidationError(
                "$",
                string.Create(CultureInfo.InvariantCulture, $"invalid JSON at line {line}, column {column}: the escape {escape} is a lone UTF-16 surrogate"));
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The line and column (both from 1, in characters) just after <paramref name="before"/>, valid UTF-8.</summary>
    public static (int Line, int Column) Position(ReadOnlySpan<byte> before)
    {
        var lastNewLine = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n') + 1, Utf8Characters(before[(lastNewLine + 1)..]) + 1);
    }

    /// <summary>
    /// Returns the index of the first <c>\uXXXX</c> escape in a string of valid JSON that is half of a UTF-16 surrogate pair
    /// without the other half, or -1.
    /// </summary>
    private static int LoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\u"u8) < 0)
        {
            return -1;
        }

        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (!inString)
            {
                inString = b == '"';
                continue;
            }

            if (b == '"')
            {
                inString = false;
                continue;
            }

            if (b != '\\')
            {
                continue;
            }

            if (json[i + 1] != 'u')
            {
                i++;
                continue;
            }

            // Valid JSON: four hex digits follow.
            var unit = (char)int.Parse(json.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (char.IsHighSurrogate(unit)
                && i + 12 <= json.Length && json[i + 6] == '\\' && json[i + 7] == 'u'
                && char.IsLowSurrogate((char)int.Parse(json.Slice(i + 8, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)))
            {
                i += 11;
                continue;
            }

            if (char.IsSurrogate(unit))
            {
                return i;
            }

            i += 5;
        }

        return -1;
    }

    /// <summary>The index in <paramref name="utf8"/> of a position given as a line and a byte in it, both counted from 0.</summary>
    private static int ByteIndex(ReadOnlySpan<byte> utf8, long lineIndex, long bytePositionInLine)
    {
        var start = 0;
        for (var line = 0L; line < lineIndex && start < utf8.Length; line++)
        {
            var next = utf8[start..].IndexOf((byte)'\n');
            start = next < 0 ? utf8.Length : start + next + 1;
        }

        return (int)Math.Clamp(start + bytePositionInLine, start, utf8.Length);
    }

    /// <summary>Returns the index of the first byte that does not begin a valid UTF-8 sequence, or -1.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return -1;
        }

        var index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out var consumed) != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return -1;
    }

    /// <summary>Counts the characters (Unicode scalar values) in valid UTF-8.</summary>
    private static int Utf8Characters(ReadOnlySpan<byte> bytes)
    {
        var count = 0;
        foreach (var b in bytes)
        {
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
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
}
