using System.Globalization;
using Arrears.Policy.Text;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>The actions of the simulate, explain, validate, diagram and policies commands.</summary>
internal static class Commands
{
    private static readonly InstantPattern TableMinutes = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm");
    private static readonly InstantPattern TableSeconds = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm':'ss;FFFFFFFFF");

    public static async Task<int> SimulateAsync(CliIo io, string path, string? format, CancellationToken cancellationToken)
    {
        var scenario = await ReadScenarioAsync(io, path, cancellationToken).ConfigureAwait(false);
        if (scenario is null)
        {
            return ArrearsCli.InvalidInput;
        }

        var timeline = Simulator.Run(scenario);
        var asTable = format is null ? io.Console.Interactive : string.Equals(format, "table", StringComparison.Ordinal);
        if (asTable)
        {
            TimelineTable.Write(io.CreateConsole(), scenario, timeline);
        }
        else
        {
            await io.Out.WriteLineAsync(TimelineJson.ToJson(timeline)).ConfigureAwait(false);
        }

        return ArrearsCli.Success;
    }

    public static async Task<int> ExplainAsync(CliIo io, string path, bool utc, CancellationToken cancellationToken)
    {
        var scenario = await ReadScenarioAsync(io, path, cancellationToken).ConfigureAwait(false);
        if (scenario is null)
        {
            return ArrearsCli.InvalidInput;
        }

        // Instants in the account's time zone with its offset, or in UTC on request.
        foreach (var sentence in TimelineExplainer.Explain(scenario, Simulator.Run(scenario), utc ? DateTimeZone.Utc : null))
        {
            await io.Out.WriteLineAsync(sentence).ConfigureAwait(false);
        }

        return ArrearsCli.Success;
    }

    public static async Task<int> ValidateAsync(CliIo io, string path, CancellationToken cancellationToken)
    {
        var scenario = await ReadScenarioAsync(io, path, cancellationToken).ConfigureAwait(false);
        if (scenario is null)
        {
            return ArrearsCli.InvalidInput;
        }

        await io.Out.WriteLineAsync("valid").ConfigureAwait(false);
        return ArrearsCli.Success;
    }

    public static async Task<int> DiagramAsync(CliIo io, string policyOrFile, CancellationToken cancellationToken)
    {
        LifecyclePolicy policy;
        if (PolicyPresets.TryGet(policyOrFile, out var preset))
        {
            policy = preset.Policy;
        }
        else if (File.Exists(policyOrFile) || policyOrFile == "-" || policyOrFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = await ReadInputAsync(io, policyOrFile, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                return ArrearsCli.InvalidInput;
            }

            var read = ScenarioJson.ReadPolicy(bytes);
            if (!read.IsValid)
            {
                await WriteErrorsAsync(io, read.Errors).ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            policy = read.Policy;
        }
        else
        {
            await io.Error.WriteLineAsync(
                $"policy: unknown preset {Terminal.Quote(policyOrFile)} and no such file; known presets: {string.Join(", ", PolicyPresets.Names)}").ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        await io.Out.WriteAsync(PolicyDiagram.ToMermaid(policy)).ConfigureAwait(false);
        return ArrearsCli.Success;
    }

    public static Task<int> PoliciesAsync(CliIo io, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        var console = io.CreateConsole();
        var table = new Table().Border(TableBorder.Simple).Title("Policy presets");
        table.AddColumn(new TableColumn("Preset").NoWrap());
        table.AddColumn("Grace");
        table.AddColumn("Retention");
        table.AddColumn("Warnings");
        table.AddColumn("Tolerance");
        table.AddColumn("Resume");
        foreach (var preset in PolicyPresets.All)
        {
            var p = preset.Policy;
            table.AddRow(
                Markup.Escape(preset.Name),
                $"{IsoDurationPattern.Instance.Format(p.Grace)} {Short(p.GraceBoundary)}",
                $"{IsoDurationPattern.Instance.Format(p.Retention)} {Short(p.RetentionBoundary)}",
                p.PurgeWarnings.Count == 0 ? "none" : string.Join(" ", p.PurgeWarnings.Select(IsoDurationPattern.Instance.Format)),
                p.Tolerance.ToString(CultureInfo.InvariantCulture),
                p.ResumeMinimumBalance?.ToString(CultureInfo.InvariantCulture) ?? "-");
        }

        console.Write(table);
        console.WriteLine("incl = inclusive boundary, excl = exclusive boundary.");
        foreach (var preset in PolicyPresets.All)
        {
            console.WriteLine();
            console.Write(new Spectre.Console.Text($"{preset.Name}: {preset.Product}", new Style(decoration: Decoration.Bold)));
            console.WriteLine();
            console.WriteLine(preset.Summary);
            console.WriteLine($"Source: {preset.Source} (read on {LocalDatePattern.Iso.Format(preset.ReadOn)})");
        }

        return Task.FromResult(ArrearsCli.Success);
    }

    /// <summary>Formats an instant for a table: <c>2026-02-02 08:30</c>, with seconds only when they are not zero.</summary>
    public static string FormatInstant(Instant instant) =>
        instant.InUtc().Second == 0 && instant.InUtc().NanosecondOfSecond == 0 ? TableMinutes.Format(instant) : TableSeconds.Format(instant);

    private static string Short(DeadlineBoundary boundary) => boundary == DeadlineBoundary.Inclusive ? "incl" : "excl";

    /// <summary>Reads and checks a scenario; on any problem writes one line per problem to standard error and returns null.</summary>
    private static async Task<Scenario?> ReadScenarioAsync(CliIo io, string path, CancellationToken cancellationToken)
    {
        var bytes = await ReadInputAsync(io, path, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var read = ScenarioJson.Read(bytes);
        if (!read.IsValid)
        {
            await WriteErrorsAsync(io, read.Errors).ConfigureAwait(false);
            return null;
        }

        // What the replay ignores is worth knowing, but the scenario is valid: the exit code stays 0.
        foreach (var warning in read.Warnings)
        {
            await io.Error.WriteLineAsync("warning: " + Terminal.Printable(warning)).ConfigureAwait(false);
        }

        return read.Scenario;
    }

    private static async Task WriteErrorsAsync(CliIo io, IReadOnlyList<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            await io.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads a whole input as raw bytes (the JSON reader checks the UTF-8): a file, or standard input for <c>-</c>. On a
    /// problem (no such file, a directory, an unreadable file or stream, more than <see cref="MaxInputBytes"/>) writes one
    /// line naming the input and returns <see langword="null"/>.
    /// </summary>
    private static async Task<byte[]?> ReadInputAsync(CliIo io, string path, CancellationToken cancellationToken)
    {
        var name = Terminal.Printable(path);
        if (path == "-")
        {
            return await ReadCappedAsync(io, name, io.In, cancellationToken).ConfigureAwait(false);
        }

        if (Directory.Exists(path))
        {
            await io.Error.WriteLineAsync($"{name}: is a directory, expected a JSON file").ConfigureAwait(false);
            return null;
        }

        if (!File.Exists(path))
        {
            await io.Error.WriteLineAsync($"{name}: file not found").ConfigureAwait(false);
            return null;
        }

        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await CannotReadAsync(io, name, exception).ConfigureAwait(false);
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            return await ReadCappedAsync(io, name, stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The largest input read: 64 MiB, far beyond any scenario, so that <c>/dev/zero</c> is an error, not an exhausted memory.</summary>
    internal const int MaxInputBytes = 64 * 1024 * 1024;

    private static async Task<byte[]?> ReadCappedAsync(CliIo io, string name, Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            while (true)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.ToArray();
                }

                if (buffer.Length + read > MaxInputBytes)
                {
                    await io.Error.WriteLineAsync($"{name}: larger than 64 MiB").ConfigureAwait(false);
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await CannotReadAsync(io, name, exception).ConfigureAwait(false);
            return null;
        }
    }

    private static Task CannotReadAsync(CliIo io, string name, Exception exception) =>
        io.Error.WriteLineAsync($"{name}: cannot be read: {Terminal.Printable(exception.Message.ReplaceLineEndings(" "))}");
}
