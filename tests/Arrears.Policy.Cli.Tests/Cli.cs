namespace Arrears.Policy.Cli.Tests;

/// <summary>Runs the real entry point in process, with captured streams, a fixed width of 80 columns and no colours.</summary>
internal static class Cli
{
    public static readonly CliConsole Console = new(Interactive: false, Width: 80);

    public static (int Exit, string Out, string Error) Run(params string[] args) => RunWithInput(string.Empty, args);

    public static (int Exit, string Out, string Error) RunWithInput(string stdin, params string[] args) =>
        RunWithStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stdin)), args);

    public static (int Exit, string Out, string Error) RunWithBytes(byte[] stdin, params string[] args) => RunWithStream(new MemoryStream(stdin), args);

    public static (int Exit, string Out, string Error) RunWithStream(Stream stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = stdin;
        var exit = ArrearsCli.RunAsync(args, stdout, stderr, input, Console).GetAwaiter().GetResult();
        return (exit, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString().ReplaceLineEndings("\n"));
    }

    public static string Example(string file) => Path.Combine(AppContext.BaseDirectory, "examples", file);

    public static List<string> ExampleNames() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.scenario.json")
            .Order(StringComparer.Ordinal)
            .Select(file => Path.GetFileName(file)[..^".scenario.json".Length])];

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
