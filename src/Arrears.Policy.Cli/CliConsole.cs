using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>How the tool talks to its output: whether a person is watching a terminal, and how wide it is.</summary>
/// <param name="Interactive">Whether standard output is a terminal (tables by default, colours, a live progress bar).</param>
/// <param name="Width">The width in columns; <see langword="null"/> to let Spectre.Console detect it.</param>
/// <param name="ErrorInteractive">Whether standard error is a terminal (the progress of <c>evaluate</c>, whose summary may be redirected).</param>
internal sealed record CliConsole(bool Interactive, int? Width, bool ErrorInteractive = false)
{
    /// <summary>Gets the settings of the real process: interactive when standard output is not redirected.</summary>
    public static CliConsole Detect() =>
        Console.IsOutputRedirected ? new CliConsole(false, 80, !Console.IsErrorRedirected) : new CliConsole(true, null, !Console.IsErrorRedirected);

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
