using System.Globalization;
using System.Text;
using System.Text.Json;
using Arrears.Policy.Text;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>The actions of the simulate, explain, validate, diagram and policies commands.</summary>
internal static class Commands
{
    /// <summary>
    /// The latest instant a scenario may hold (the library's reader rejects later ones): the tool prints no later instant,
    /// so that whatever it prints can be read back.
    /// </summary>
    public static readonly Instant LatestInstant = Instant.FromUtc(8999, 12, 31, 23, 59, 59);

    public static async Task<int> SimulateAsync(CliIo io, string path, string? format, bool utc, CancellationToken cancellationToken)
    {
        var scenario = await ReadScenarioAsync(io, path, cancellationToken).ConfigureAwait(false);
        if (scenario is null)
        {
            return ArrearsCli.InvalidInput;
        }

        await WarnAsync(io, scenario.Policy).ConfigureAwait(false);
        var timeline = Simulator.Run(scenario);
        if (timeline.Final.NextReviewAt > LatestInstant)
        {
            await io.Error.WriteLineAsync(
                $"warning: final.nextReviewAt: the next review falls after {NodaTime.Text.InstantPattern.ExtendedIso.Format(LatestInstant)}, the latest instant a scenario may hold, so it is not printed (null in JSON)").ConfigureAwait(false);
        }

        var asTable = format is null ? io.Console.Interactive : string.Equals(format, "table", StringComparison.Ordinal);
        if (asTable)
        {
            TimelineTable.Write(io.CreateConsole(), scenario, timeline, TableInstants.For(scenario.TimeZone, utc));
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

        await WarnAsync(io, scenario.Policy).ConfigureAwait(false);
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

            var (read, problem) = ReadPolicyOrScenarioPolicy(bytes, policyOrFile);
            if (problem is not null)
            {
                await io.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            if (!read!.IsValid)
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

        await WarnAsync(io, policy).ConfigureAwait(false);
        await io.Out.WriteAsync(PolicyDiagram.ToMermaid(policy)).ConfigureAwait(false);
        return ArrearsCli.Success;
    }

    public static async Task<int> PoliciesAsync(CliIo io, bool json, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        if (json)
        {
            await io.Out.WriteLineAsync(PresetJson.ToJson(PolicyPresets.All)).ConfigureAwait(false);
            return ArrearsCli.Success;
        }

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

        return ArrearsCli.Success;
    }

    /// <summary>The top-level fields of a scenario that a policy object never has: a document with one of them is a scenario.</summary>
    private static readonly string[] ScenarioFields = ["account", "until", "entries", "usage", "items", "products", "holds", "revocations", "evaluations"];

    /// <summary>
    /// Reads what <c>diagram</c> was given: a policy (a preset name or a policy object), or a scenario, whose <c>policy</c>
    /// is read instead (with its problems at <c>policy.*</c> paths, the rest of the scenario unchecked). A scenario without
    /// a single <c>policy</c> (one whose products each have their own) is a problem: the message says how to draw one.
    /// </summary>
    private static (PolicyReadResult? Read, string? Problem) ReadPolicyOrScenarioPolicy(byte[] bytes, string path)
    {
        var json = bytes.AsMemory();
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            // Not JSON: the library's reader says where and why.
            return (ScenarioJson.ReadPolicy(bytes), null);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.EnumerateObject().Any(p => ScenarioFields.Contains(p.Name, StringComparer.Ordinal)))
            {
                return (ScenarioJson.ReadPolicy(bytes), null);
            }

            var policies = root.EnumerateObject().Where(p => p.NameEquals("policy")).ToList();
            if (policies.Count == 0)
            {
                return (null,
                    $"{Terminal.Printable(path)}: is a scenario without a \"policy\" (each of its products has its own); draw one with 'arrears diagram PRESET', " +
                    "or save a product's policy (a preset name or a policy object) in a file and run 'arrears diagram POLICY.json'");
            }

            if (policies.Count > 1)
            {
                return (null, $"{Terminal.Printable(path)}: is a scenario with \"policy\" given {policies.Count.ToString(CultureInfo.InvariantCulture)} times; keep one");
            }

            return (ScenarioJson.ReadPolicy(Encoding.UTF8.GetBytes(policies[0].Value.GetRawText())), null);
        }
    }

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

    /// <summary>Writes what is valid in a policy but does nothing (see <see cref="PolicyWarnings"/>) to standard error.</summary>
    private static async Task WarnAsync(CliIo io, LifecyclePolicy policy)
    {
        foreach (var warning in PolicyWarnings.Of(policy, "policy"))
        {
            await io.Error.WriteLineAsync(warning).ConfigureAwait(false);
        }
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
        var stream = await OpenInputAsync(io, path).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        if (path == "-")
        {
            return await ReadCappedAsync(io, name, stream, cancellationToken).ConfigureAwait(false);
        }

        await using (stream.ConfigureAwait(false))
        {
            return await ReadCappedAsync(io, name, stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens an input: a file, or standard input for <c>-</c> (which the caller must not close). On a problem (no such
    /// file, a directory, an unreadable file) writes one line naming the input and returns <see langword="null"/>.
    /// </summary>
    internal static async Task<Stream?> OpenInputAsync(CliIo io, string path)
    {
        var name = Terminal.Printable(path);
        if (path == "-")
        {
            return io.In;
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

        try
        {
            return File.OpenRead(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await CannotReadAsync(io, name, exception).ConfigureAwait(false);
            return null;
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
