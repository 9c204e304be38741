using System.Globalization;
using System.Text;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Keeps text from a scenario (ids, names, recipients, file names) from driving the terminal it is printed on. This file
/// is also compiled into the command-line tool, so that the library and the tool escape text the same way.
/// </summary>
internal static class ControlCharacters
{
    /// <summary>Whether a text holds a C0 or C1 control character (U+0000 to U+001F, U+007F to U+009F).</summary>
    public static bool Any(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes control characters as escapes such as <c>\u001b</c>; other text is unchanged.</summary>
    public static string Escape(string text)
    {
        if (!Any(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
