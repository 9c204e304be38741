using System.Diagnostics;

namespace Arrears.Policy.Cli.Tests;

/// <summary>Runs the built tool (<c>arrears.dll</c> next to the tests) in a child process, as a shell would.</summary>
internal static class ToolProcess
{
    /// <summary>Gets whether the tests can start the tool in a child process: a Unix shell and the <c>dotnet</c> host.</summary>
    public static bool Available =>
        !OperatingSystem.IsWindows() && File.Exists("/bin/sh") && Environment.ProcessPath is { } host &&
        Path.GetFileNameWithoutExtension(host) == "dotnet";

    /// <summary>Creates the start information of <c>/bin/sh -c SCRIPT dotnet arrears.dll</c>: the script runs the tool as <c>"$0" "$1"</c>.</summary>
    public static ProcessStartInfo Shell(string script)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Environment.ProcessPath!);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "arrears.dll"));
        return start;
    }
}

/// <summary>A fact that needs <see cref="ToolProcess.Available"/>; skipped (and reported as skipped) elsewhere.</summary>
internal sealed class ToolProcessFactAttribute : FactAttribute
{
    public ToolProcessFactAttribute()
    {
        if (!ToolProcess.Available)
        {
            Skip = "needs /bin/sh and the dotnet host to run the tool in a child process";
        }
    }
}
