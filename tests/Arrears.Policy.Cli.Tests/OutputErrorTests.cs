using System.Diagnostics;

namespace Arrears.Policy.Cli.Tests;

/// <summary>Standard output that cannot be written (a full disk, a closed pipe) is exit 74 with one line, not an internal error.</summary>
public class OutputErrorTests
{
    [Fact]
    public async Task Simulate_WriterFailsWithAnIoError_Exit74OneLineNoStackTrace()
    {
        using var stdout = new FailingWriter();
        using var stderr = new StringWriter();
        using var stdin = new MemoryStream();

        var exit = await ArrearsCli.RunAsync(["simulate", Cli.Example("never-paid.scenario.json")], stdout, stderr, stdin, Cli.Console, Cli.Host);

        Assert.Equal((74, "arrears: cannot write to standard output: No space left on device\n"), (exit, stderr.ToString().ReplaceLineEndings("\n")));
    }

    [Theory]
    [InlineData("policies")]
    [InlineData("diagram", "tencent-cvm")]
    [InlineData("simulate", "--format", "table", "EXAMPLE")]
    [InlineData("validate", "EXAMPLE")]
    [InlineData("--help")]
    public async Task Command_WriterFailsWithAnIoError_Exit74(params string[] args)
    {
        using var stdout = new FailingWriter();
        using var stderr = new StringWriter();
        using var stdin = new MemoryStream();
        args = [.. args.Select(a => a == "EXAMPLE" ? Cli.Example("never-paid.scenario.json") : a)];

        var exit = await ArrearsCli.RunAsync(args, stdout, stderr, stdin, Cli.Console, Cli.Host);

        Assert.Equal(74, exit);
        Assert.StartsWith("arrears: cannot write to standard output: ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_ExceptionThatIsNotAnIoError_StaysAnInternalError()
    {
        using var stdout = new FailingWriter(new InvalidOperationException("the writer is broken"));
        using var stderr = new StringWriter();
        using var stdin = new MemoryStream();

        var exit = await ArrearsCli.RunAsync(["validate", Cli.Example("never-paid.scenario.json")], stdout, stderr, stdin, Cli.Console, Cli.Host);

        Assert.Equal(1, exit);
        Assert.StartsWith("arrears: internal error: InvalidOperationException: the writer is broken", stderr.ToString(), StringComparison.Ordinal);
    }

    [ToolProcessFact]
    public async Task Simulate_StandardOutputIsDevFull_Exit74NoSpaceLeft()
    {
        Assert.True(File.Exists("/dev/full"), "/dev/full exists on Linux");
        var start = ToolProcess.Shell("exec \"$0\" \"$1\" simulate \"$2\" > /dev/full");
        start.ArgumentList.Add(Cli.Example("never-paid.scenario.json"));
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal((74, "", "arrears: cannot write to standard output: No space left on device\n"), (process.ExitCode, await stdout, stderr.ReplaceLineEndings("\n")));
    }

    [ToolProcessFact]
    public async Task Simulate_ReaderClosedThePipe_Exit74BrokenPipe()
    {
        // The reader goes first: the tool reads the whole scenario from standard input before it writes anything, and the
        // scenario is sent only after the test has closed its end of the tool's standard output, so no write can succeed.
        using var process = Process.Start(ToolProcess.Shell("exec \"$0\" \"$1\" simulate -"))!;
        process.StandardOutput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(File.ReadAllText(Cli.Example("never-paid.scenario.json")));
        process.StandardInput.Close();
        process.WaitForExit();

        Assert.Equal((74, "arrears: cannot write to standard output: Broken pipe\n"), (process.ExitCode, (await stderr).ReplaceLineEndings("\n")));
    }

    [ToolProcessFact]
    public void Validate_OutputRedirectedToAFileWithinAShellGroup_WritesAtTheSharedOffset()
    {
        // A file keeps the console stream, which moves the offset the shell shares: the lines before and after survive.
        var start = ToolProcess.Shell("{ echo first; \"$0\" \"$1\" validate \"$2\"; echo last; } > \"$3\"; cat \"$3\"");
        var path = Path.Combine(Path.GetTempPath(), "arrears-out-" + Guid.NewGuid().ToString("N") + ".txt");
        start.ArgumentList.Add(Cli.Example("never-paid.scenario.json"));
        start.ArgumentList.Add(path);
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();

            Assert.Equal((0, "first\nvalid\nlast\n"), (process.ExitCode, stdout));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [ToolProcessFact]
    public void Simulate_OutputIsAPipe_PrintsTheWholeTimeline()
    {
        using var process = Process.Start(ToolProcess.Shell("exec \"$0\" \"$1\" simulate -"))!;
        process.StandardInput.Write(File.ReadAllText(Cli.Example("never-paid.scenario.json")));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal((0, Cli.Run("simulate", Cli.Example("never-paid.scenario.json")).Out), (process.ExitCode, stdout));
    }

    /// <summary>A standard output whose every write fails, as on a full disk.</summary>
    private sealed class FailingWriter(Exception? failure = null) : StringWriter
    {
        private Exception Failure => failure ?? new IOException("No space left on device");

        public override void Write(char value) => throw Failure;

        public override void Write(string? value) => throw Failure;

        public override void Write(char[] buffer, int index, int count) => throw Failure;

        public override Task WriteAsync(string? value) => throw Failure;

        public override Task WriteLineAsync(string? value) => throw Failure;

        public override void WriteLine(string? value) => throw Failure;
    }
}
