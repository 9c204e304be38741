using Arrears.Policy.Cli.Stores;
using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Cli.Tests;

/// <summary>Runs the real entry point in process, with captured streams, a fixed width of 80 columns, no colours and a fixed clock.</summary>
internal static class Cli
{
    public static readonly CliConsole Console = new(Interactive: false, Width: 80);

    /// <summary>The instant the tests' clock says it is: "now" of an <c>evaluate</c> without <c>--as-of</c>.</summary>
    public static readonly Instant Now = Instant.FromUtc(2026, 6, 1, 12, 0);

    /// <summary>The tool as it runs, with the tests' clock: <c>--store</c> opens the real SQLite and PostgreSQL stores.</summary>
    public static readonly CliHost Host = new(new FakeClock(Now));

    public static (int Exit, string Out, string Error) Run(params string[] args) => RunWithInput(string.Empty, args);

    public static (int Exit, string Out, string Error) RunWithInput(string stdin, params string[] args) =>
        RunWithStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stdin)), args);

    public static (int Exit, string Out, string Error) RunWithBytes(byte[] stdin, params string[] args) => RunWithStream(new MemoryStream(stdin), args);

    public static (int Exit, string Out, string Error) RunWithStream(Stream stdin, params string[] args) => RunOn(Host, stdin, args);

    public static (int Exit, string Out, string Error) RunOn(CliHost host, Stream stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = stdin;
        var exit = ArrearsCli.RunAsync(args, stdout, stderr, input, Console, host).GetAwaiter().GetResult();
        return (exit, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary>
    /// A host whose <c>--store</c> values all open in-memory stores, one per value, kept for the test (so that a store
    /// outlives the command that filled it).
    /// </summary>
    public static CliHost InMemory(out Func<string, InMemoryArrearsStore> storeOf, IClock? clock = null)
    {
        var stores = new System.Collections.Concurrent.ConcurrentDictionary<string, InMemoryArrearsStore>(StringComparer.Ordinal);
        storeOf = value => stores.GetOrAdd(value, _ => new InMemoryArrearsStore());
        var open = storeOf;
        return new CliHost(
            clock ?? new FakeClock(Now),
            (location, _) => ValueTask.FromResult(new OpenedStore(open(location.ToString()), location, owned: false)));
    }

    public static string Example(string file) => Path.Combine(AppContext.BaseDirectory, "examples", file);

    public static List<string> ExampleNames() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.scenario.json")
            .Order(StringComparer.Ordinal)
            .Select(file => Path.GetFileName(file)[..^".scenario.json".Length])];

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
