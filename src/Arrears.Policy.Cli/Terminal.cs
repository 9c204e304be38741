namespace Arrears.Policy.Cli;

/// <summary>Keeps text from the input (file names, ids, recipients) from driving the terminal it is printed on.</summary>
internal static class Terminal
{
    /// <summary>Writes control characters (U+0000 to U+001F, U+007F to U+009F) as <c>\u001b</c> escapes; other text is unchanged.</summary>
    public static string Printable(string text) => ControlCharacters.Escape(text);

    /// <summary>Quotes a value for a message: <c>"TABLE"</c>, with quotes, backslashes and control characters escaped.</summary>
    public static string Quote(string text) =>
        "\"" + Printable(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)) + "\"";
}
