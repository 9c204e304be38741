using System.Text;
using Spectre.Console.Rendering;

namespace Arrears.Policy.Cli;

/// <summary>
/// Lays out text made of atoms, pieces that are never broken (an id, an instant such as <c>2026-02-01 16:30 +08</c>, a
/// word), joined by single spaces. A line breaks only between atoms; an atom wider than the line stands alone on its
/// line and overflows it rather than being cut.
/// </summary>
internal static class Atoms
{
    /// <summary>Returns the width of a text in terminal cells (a wide character such as 日 takes two).</summary>
    public static int Width(string text) => new Segment(text).CellCount();

    /// <summary>Splits a text into atoms at its spaces, for text whose words may break anywhere between them.</summary>
    public static List<string> Words(string text) => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>Returns the width of the atoms on one line.</summary>
    public static int Width(IReadOnlyList<string> atoms)
    {
        var width = 0;
        foreach (var atom in atoms)
        {
            width += Width(atom);
        }

        return width + Math.Max(0, atoms.Count - 1);
    }

    /// <summary>Returns the width of the widest atom: no line can be narrower without breaking it.</summary>
    public static int Widest(IReadOnlyList<string> atoms) => atoms.Count == 0 ? 0 : atoms.Max(Width);

    /// <summary>
    /// Lays out atoms in lines of at most <paramref name="width"/> cells, the first indented by <paramref name="indent"/>
    /// spaces and the others by <paramref name="hangingIndent"/>.
    /// </summary>
    public static List<string> Wrap(IReadOnlyList<string> atoms, int width, int indent = 0, int hangingIndent = 0)
    {
        var lines = new List<string>();
        var line = new StringBuilder().Append(' ', indent);
        var used = indent;
        var empty = true;
        foreach (var atom in atoms)
        {
            var atomWidth = Width(atom);
            if (!empty && used + 1 + atomWidth > width)
            {
                lines.Add(line.ToString());
                line.Clear().Append(' ', hangingIndent);
                used = hangingIndent;
                empty = true;
            }

            if (!empty)
            {
                line.Append(' ');
                used++;
            }

            line.Append(atom);
            used += atomWidth;
            empty = false;
        }

        if (!empty || lines.Count == 0)
        {
            lines.Add(line.ToString());
        }

        return lines;
    }

    /// <summary>Pads a text with spaces to <paramref name="width"/> cells, on the right or, for numbers, on the left.</summary>
    public static string Pad(string text, int width, bool right = false)
    {
        var padding = new string(' ', Math.Max(0, width - Width(text)));
        return right ? padding + text : text + padding;
    }
}
