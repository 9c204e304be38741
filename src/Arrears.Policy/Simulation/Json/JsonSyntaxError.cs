using System.Globalization;
using System.Text;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Says where and why a document is not valid JSON, in the library's own words: from the position that
/// <see cref="System.Text.Json.JsonException"/> reports (<see cref="JsonInput"/> turns it into a byte index) and from the
/// input bytes themselves, never from the wording of the exception's message (which is not a contract and changes
/// between runtimes).
/// </summary>
/// <remarks>
/// The bytes before the position are valid JSON as far as they go (the reader stopped at the first problem), so a
/// simple scan of them is reliable: it tells the nesting, whether the position is inside a string or an escape, and
/// the last character that mattered. The description names the character at the position and, where that context
/// makes it certain, what was expected instead.
/// </remarks>
internal static class JsonSyntaxError
{
    /// <summary>Describes malformed JSON as <c>$: invalid JSON at line L, column C: what is wrong</c>.</summary>
    /// <param name="utf8">The whole input (valid UTF-8, without a byte order mark).</param>
    /// <param name="index">The index of the byte where the JSON reader found the problem (the length at the end of the input).</param>
    /// <param name="maxDepth">The deepest nesting the reader allows.</param>
    public static ValidationError At(ReadOnlySpan<byte> utf8, int index, int maxDepth)
    {
        var (line, column) = JsonInput.Position(utf8[..index]);
        return new ValidationError(
            "$",
            string.Create(CultureInfo.InvariantCulture, $"invalid JSON at line {line}, column {column}: {Problem(utf8, index, maxDepth)}"));
    }

    private static string Problem(ReadOnlySpan<byte> utf8, int index, int maxDepth)
    {
        var context = Context.Of(utf8[..index]);
        if (index >= utf8.Length)
        {
            return context switch
            {
                { InString: true } => "the input ends inside a string",
                { Innermost: '{' } => "the input ends inside an object",
                { Innermost: '[' } => "the input ends inside an array",
                { Last: '\0' } => "the input is empty",
                _ => "the input ends inside a value",
            };
        }

        var b = (char)utf8[index];
        var found = Character(utf8[index..]);
        if (context.InString)
        {
            return context switch
            {
                { AfterBackslash: true } =>
                    $"unexpected {found} after a backslash in a string (the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)",
                { InUnicodeEscape: true } => $"unexpected {found} in a \\u escape, expected a hex digit",
                _ when b < ' ' => $"unexpected {found} in a string (control characters must be escaped)",
                _ => $"unexpected {found} in a string",
            };
        }

        if (b is '[' or '{' && context.Depth >= maxDepth)
        {
            return string.Create(CultureInfo.InvariantCulture, $"nested more than {maxDepth} levels deep");
        }

        var closer = context.Innermost == '{' ? "\"}\"" : "\"]\"";
        return (b, context) switch
        {
            ('}' or ']', { Last: ',' }) => $"unexpected {found} after a comma (JSON allows no trailing comma)",
            (_, { Innermost: '{', Last: '{' or ',' }) => $"unexpected {found}, expected a field name in double quotes",
            (_, { AfterFieldName: true }) => $"unexpected {found}, expected \":\" after a field name",
            (_, { AfterValue: true, Depth: 0 }) => $"unexpected {found} after the end of the document",
            (_, { AfterValue: true }) => $"unexpected {found}, expected \",\" or {closer}",
            (_, { Last: ':' } or { Innermost: '[', Last: '[' or ',' } or { Depth: 0, Last: '\0' }) when !StartsValue(b) =>
                $"unexpected {found}, expected a value",
            _ => $"unexpected {found}",
        };
    }

    /// <summary>Whether a character can begin a JSON value.</summary>
    private static bool StartsValue(char c) => c is '{' or '[' or '"' or '-' or 't' or 'f' or 'n' || char.IsAsciiDigit(c);

    /// <summary>Names the character that <paramref name="utf8"/> starts with: <c>"x"</c>, or <c>"\t" (U+0009)</c> and <c>"é" (U+00E9)</c> beyond printable ASCII.</summary>
    private static string Character(ReadOnlySpan<byte> utf8)
    {
        Rune.DecodeFromUtf8(utf8, out var rune, out _);
        var code = string.Create(CultureInfo.InvariantCulture, $"U+{rune.Value:X4}");
        return rune.Value is > ' ' and < 0x7F ? Invariant.Quote(rune.ToString())
            : rune.IsBmp ? $"{Invariant.Quote(rune.ToString())} ({code})"
            : code;
    }

    /// <summary>What the bytes before the problem say about its position.</summary>
    /// <param name="Depth">How many objects and arrays are open.</param>
    /// <param name="Innermost">The bracket of the innermost open object or array (<c>{</c> or <c>[</c>), or <c>\0</c> at the top.</param>
    /// <param name="Last">The last character outside strings that is not white space (<c>"</c> for a string), or <c>\0</c>.</param>
    /// <param name="InString">Whether the position is inside a string.</param>
    /// <param name="AfterBackslash">Whether the position is just after the backslash of an escape in a string.</param>
    /// <param name="InUnicodeEscape">Whether the position is within the four hex digits of a <c>\u</c> escape.</param>
    /// <param name="AfterFieldName">Whether the last thing read is the name of a field (a string where a name belongs).</param>
    private readonly record struct Context(
        int Depth, char Innermost, char Last, bool InString, bool AfterBackslash, bool InUnicodeEscape, bool AfterFieldName)
    {
        /// <summary>
        /// Gets whether the last thing read is a whole value: an object, an array, a string that is not a field name, or a
        /// number (a number that ends in a digit is whole; literals are left out, as <c>1e</c> would look like one).
        /// </summary>
        public bool AfterValue => !InString && (Last is '}' or ']' || (Last == '"' && !AfterFieldName) || char.IsAsciiDigit(Last));

        public static Context Of(ReadOnlySpan<byte> before)
        {
            var open = new Stack<char>();
            var last = '\0';
            var inString = false;
            var isName = false;
            var backslashAt = -1;
            var unicodeAt = -1;
            for (var i = 0; i < before.Length; i++)
            {
                var c = (char)before[i];
                if (inString)
                {
                    if (backslashAt == i - 1)
                    {
                        unicodeAt = c == 'u' ? i : -1;
                        backslashAt = -1;
                    }
                    else if (c == '\\')
                    {
                        backslashAt = i;
                    }
                    else if (c == '"')
                    {
                        inString = false;
                        last = '"';
                    }

                    continue;
                }

                switch (c)
                {
                    case '"':
                        inString = true;
                        isName = open.TryPeek(out var container) && container == '{' && last is '{' or ',';
                        backslashAt = unicodeAt = -1;
                        break;
                    case '{' or '[':
                        open.Push(c);
                        last = c;
                        break;
                    case '}' or ']':
                        open.TryPop(out _);
                        last = c;
                        break;
                    case ' ' or '\t' or '\r' or '\n':
                        break;
                    default:
                        last = c;
                        break;
                }
            }

            return new Context(
                open.Count,
                open.TryPeek(out var innermost) ? innermost : '\0',
                last,
                inString,
                inString && backslashAt >= 0 && backslashAt == before.Length - 1,
                inString && unicodeAt >= 0 && before.Length - unicodeAt <= 4,
                !inString && last == '"' && isName);
        }
    }
}
