using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>How the tool talks to its output: whether a person is watching a terminal, and how wide it is.</summary>
/// <param name="Interactive">Whether standard output is a terminal (tables by default, colours, a live progress bar).</param>
/// <param name="Width">The width in columns; <see langword="null"/> to let Spectre.Console detect it.</param>
internal sealed record CliConsole(bool Interactive, int? Width)
{
    /// <summary>Gets the settings of the real process: interactive when standard output is not redirected.</summary>
    public static CliConsole Detect() =>
        Console.IsOutputRedirected ? new CliConsole(false, 80) : new CliConsole(true, null);

    /// <summary>Creates a Spectre.Console console writing to <paramref name="writer"/>, without colours unless interactive.</summary>
    public IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (Width is { } width)
        {
            console.Profile.Width = width;
        }

        return console;
    }
}
