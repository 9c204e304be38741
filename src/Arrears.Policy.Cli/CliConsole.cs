using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>How the tool talks to its output: whether a person is watching a terminal, and how wide it is.</summary>
/// <param name="Interactive">Whether standard output is a terminal (tables by default, colours, a live progress bar).</param>
/// <param name="Width">The width in columns; <see langword="null"/> to let Spectre.Console detect it.</param>
/// <param name="ErrorInteractive">Whether standard error is a terminal (the progress of <c>evaluate</c>, whose summary may be redirected).</param>
internal sealed record CliConsole(bool Interactive, int? Width, bool ErrorInteractive = false)
{
    /// <summary>The width when standard output is redirected and <c>COLUMNS</c> does not say: 80 columns.</summary>
    public const int DefaultWidth = 80;

    /// <summary>
    /// Gets the settings of the real process: interactive, with the terminal's width, when standard output is a terminal;
    /// otherwise the width in the <c>COLUMNS</c> environment variable, or 80.
    /// </summary>
    public static CliConsole Detect() => Detect(Console.IsOutputRedirected, Environment.GetEnvironmentVariable("COLUMNS"));

    /// <summary>Gets the settings for an output that is or is not redirected, with <paramref name="columns"/> the value of <c>COLUMNS</c>.</summary>
    /// <param name="redirected">Whether standard output is redirected (not a terminal).</param>
    /// <param name="columns">The value of <c>COLUMNS</c>: a whole number from 1 to 10000 is the width; anything else is ignored.</param>
    public static CliConsole Detect(bool redirected, string? columns)
    {
        if (!redirected)
        {
            return new CliConsole(true, null, !Console.IsErrorRedirected);
        }

        return int.TryParse(columns, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var width) && width is >= 1 and <= 10_000
            ? new CliConsole(false, width, !Console.IsErrorRedirected)
            : new CliConsole(false, DefaultWidth, !Console.IsErrorRedirected);
    }

    /// <summary>Creates a Spectre.Console console writing to <paramref name="writer"/>, without colours unless interactive.</summary>
    public IAnsiConsole Create(TextWriter writer) => Create(writer, Interactive);

    /// <summary>Creates a Spectre.Console console writing to <paramref name="writer"/>, interactive (colours, live progress) or not.</summary>
    public IAnsiConsole Create(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (Width is { } width)
        {
            console.Profile.Width = width;
        }

        return console;
    }
}
