using System.Diagnostics;
using System.Text;

namespace Arrears.Policy.Packaging.Tests;

/// <summary>The outcome of a process: its exit code and what it wrote.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Output, string Error)
{
    /// <summary>Describes the run for an assertion message.</summary>
    public override string ToString() =>
        $"{Command} exited with {ExitCode}{Environment.NewLine}--- standard output ---{Environment.NewLine}{Output}" +
        $"{Environment.NewLine}--- standard error ---{Environment.NewLine}{Error}";
}

/// <summary>Runs a command to its end (or kills the process tree it started after a timeout) and captures its output.</summary>
internal static class ProcessRunner
{
    /// <summary>Gets the dotnet executable that runs these tests, so that children use the same SDK installation.</summary>
    public static string Dotnet { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static ProcessResult Run(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var command = $"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList)} (in {workingDirectory})";
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ProcessResult(command, -1, Text(output), Text(error) + $"{Environment.NewLine}killed after {timeout}");
        }

        process.WaitForExit();   // drains the asynchronous readers
        return new ProcessResult(command, process.ExitCode, Text(output), Text(error));
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
