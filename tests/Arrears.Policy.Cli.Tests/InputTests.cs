using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arrears.Policy.Cli.Tests;

/// <summary>How the tool reads its input and its command line: raw bytes, bounded, unreadable inputs and stray options are exit 2.</summary>
public class InputTests
{
    private static string Scenario => File.ReadAllText(Cli.Example("pay-one-second-late.scenario.json"));

    /// <summary>Runs the built tool in a child process with standard input redirected from <paramref name="stdinPath"/> by the shell.</summary>
    private static (int Exit, string Out, string Error) RunProcessWithStdinFrom(string stdinPath, params string[] args)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "arrears.dll");
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$1\" \"$2\" - < \"$3\"");
        start.ArgumentList.Add(Environment.ProcessPath!);
        start.ArgumentList.Add(tool);
        start.ArgumentList.Add(args[0]);
        start.ArgumentList.Add(stdinPath);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("simulate")]
    [InlineData("validate")]
    [InlineData("explain")]
    public void StandardInput_IsADirectory_Exit2CannotBeRead(string command)
    {
        if (OperatingSystem.IsWindows() || !Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal))
        {
            return;
        }

        var (exit, stdout, stderr) = RunProcessWithStdinFrom(AppContext.BaseDirectory, command);

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Matches(@"^-: cannot be read: [^\n]+\n$", stderr);
    }

    [Fact]
    public void StandardInput_ReadFailsWithAnIoError_Exit2OneLine()
    {
        var result = Cli.RunWithStream(new IoFailingStream(), "simulate", "-");

        Assert.Equal((2, "", "-: cannot be read: Is a directory\n"), result);
    }

    [Fact]
    public void StandardInput_Endless_Exit2LargerThan64MiB()
    {
        Assert.Equal((2, "", "-: larger than 64 MiB\n"), Cli.RunWithStream(new ZeroStream(64L * 1024 * 1024 + 1), "simulate", "-"));
    }

    [Fact]
    public void StandardInput_Exactly64MiB_IsRead()
    {
        var (exit, stdout, stderr) = Cli.RunWithStream(new ZeroStream(64L * 1024 * 1024), "validate", "-");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith("$: invalid JSON at line 1, column 1: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void File_DevZero_Exit2LargerThan64MiB()
    {
        if (!File.Exists("/dev/zero"))
        {
            return;
        }

        Assert.Equal((2, "", "/dev/zero: larger than 64 MiB\n"), Cli.Run("simulate", "/dev/zero"));
    }

    [Fact]
    public void StandardInput_InvalidUtf8_Exit2WithLineAndColumnNotAReplacement()
    {
        byte[] json = [.. "{\"policy\":\"tencent-api-gateway\",\"account\":{\"id\":\"a"u8, 0xFF, 0xFE, .. "b\",\"currency\":\"CNY\",\"creator\":\"o\"},\"until\":\"2026-01-02T00:00:00Z\"}"u8];

        Assert.Equal((2, "", "$: invalid UTF-8 at line 1, column 51: byte 0xFF does not begin a valid character\n"), Cli.RunWithBytes(json, "simulate", "-"));
    }

    [Fact]
    public void File_InvalidUtf8_Exit2()
    {
        var path = Path.Combine(Path.GetTempPath(), "arrears-utf8-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllBytes(path, [.. "{\"policy\":\""u8, 0xC0, 0xAF, .. "\"}"u8]);
        try
        {
            Assert.Equal((2, "", "$: invalid UTF-8 at line 1, column 12: byte 0xC0 does not begin a valid character\n"), Cli.Run("validate", path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StandardInput_WithByteOrderMark_SameAsWithout()
    {
        var bytes = Encoding.UTF8.GetBytes(Scenario);

        Assert.Equal(Cli.RunWithBytes(bytes, "simulate", "-"), Cli.RunWithBytes([0xEF, 0xBB, 0xBF, .. bytes], "simulate", "-"));
    }

    [Fact]
    public void StandardInput_ControlCharacterInAnId_Exit2Escaped()
    {
        var node = JsonNode.Parse(Scenario)!;
        node["account"]!["id"] = "a\u001b[2Jb";

        Assert.Equal((2, "", "account.id: must not contain control characters, got \"a\\u001b[2Jb\"\n"), Cli.RunWithInput(node.ToJsonString(), "explain", "-"));
    }

    [Fact]
    public void TimelineTable_IdsWithControlCharactersFromTheApi_AreEscaped()
    {
        var account = new AccountProfile("acct\u001b[2J", "owner\u0007@example.com");
        var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, account, Currency.FromCode("CNY"), NodaTime.Instant.FromUtc(2026, 1, 3, 0, 0), entries: [new LedgerEntry("c\u009b1", LedgerEntryKind.Charge, NodaTime.Instant.FromUtc(2026, 1, 1, 0, 0), 5m)]);
        using var writer = new StringWriter();

        TimelineTable.Write(new CliConsole(false, 200).Create(writer), scenario, Simulator.Run(scenario));

        var text = writer.ToString();
        Assert.DoesNotContain(text, c => char.IsControl(c) && c is not '\n' and not '\r');
        Assert.Contains("acct\\u001b[2J", text, StringComparison.Ordinal);
        Assert.Contains("c\\u009b1", text, StringComparison.Ordinal);
        Assert.Contains("owner\\u0007@example.com", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_MalformedJsonAfterCjk_ColumnCountsCharacters()
    {
        var (exit, _, stderr) = Cli.RunWithInput("{\"account\": {\"id\": \"日本語\",}}", "simulate", "-");

        Assert.Equal((2, "$: invalid JSON at line 1, column 26: unexpected \"}\" after a comma (JSON allows no trailing comma)\n"), (exit, stderr));
    }

    [Theory]
    [InlineData("simulate", "--version")]
    [InlineData("simulate", "--bogus")]
    [InlineData("explain", "--bogus")]
    [InlineData("validate", "-x")]
    public void Command_OptionLikeArgument_IsAnUnknownOptionNotAFileName(string command, string option)
    {
        Assert.Equal((2, "", option + ": unknown option\n"), Cli.Run(command, option));
    }

    [Fact]
    public void Command_OptionLikeNameAfterDoubleDash_IsAFileName()
    {
        Assert.Equal((2, "", "--bogus.json: file not found\n"), Cli.Run("simulate", "--", "--bogus.json"));
    }

    [Fact]
    public void Version_WithAnExtraArgument_Exit2()
    {
        var (exit, stdout, stderr) = Cli.Run("--version", "extra");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Equal("extra: unknown command, expected one of simulate, explain, validate, diagram, policies, demo, import, evaluate, status, history, outbox\n", stderr);
    }

    [Theory]
    [InlineData("TABLE")]
    [InlineData("xml")]
    public void Simulate_BadFormat_OneLine(string format)
    {
        Assert.Equal((2, "", $"--format: must be json or table, got \"{format}\"\n"), Cli.Run("simulate", "--format", format, Cli.Example("never-paid.scenario.json")));
    }

    [Fact]
    public async Task CliConsole_Detect_IsNotInteractiveWhenOutputIsRedirected()
    {
        if (!Console.IsOutputRedirected)
        {
            return;
        }

        Assert.Equal(CliConsole.Detect(redirected: true, Environment.GetEnvironmentVariable("COLUMNS")), CliConsole.Detect());
        Assert.False(CliConsole.Detect().Interactive);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var stdin = new MemoryStream();
        var exit = await ArrearsCli.RunAsync(["simulate", Cli.Example("never-paid.scenario.json")], stdout, stderr, stdin, CliConsole.Detect(), Cli.Host);
        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(JsonValueKind.Object, document.RootElement.GetProperty("final").ValueKind);
    }

    private sealed class IoFailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("Is a directory");
    }

    /// <summary>Zeros up to a length, like <c>/dev/zero</c> cut short.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
