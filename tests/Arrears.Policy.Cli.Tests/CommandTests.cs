using Arrears.Policy.Text;

namespace Arrears.Policy.Cli.Tests;

public class CommandTests
{
    [Theory]
    [InlineData("simulate")]
    [InlineData("explain")]
    [InlineData("validate")]
    [InlineData("diagram")]
    [InlineData("policies")]
    [InlineData("demo")]
    [InlineData("import")]
    [InlineData("evaluate")]
    [InlineData("status")]
    [InlineData("history")]
    [InlineData("outbox")]
    public void Help_EveryCommand_PrintsUsageAndExitCodesExit0(string command)
    {
        var (exit, stdout, stderr) = Cli.Run(command, "--help");

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains(" " + command, Cli.Lines(stdout).SkipWhile(l => l != "Usage:").Skip(1).First(), StringComparison.Ordinal);
        Assert.Equal(ArrearsCli.ExitCodes, Cli.Lines(stdout).SkipWhile(l => l != "Exit codes:"));
        Assert.Contains("  74  standard output cannot be written (a full disk, a closed pipe)", Cli.Lines(stdout));
    }

    [Fact]
    public void Help_Root_ListsEveryCommand()
    {
        var (exit, stdout, _) = Cli.Run("--help");

        Assert.Equal(0, exit);
        foreach (var command in new[] { "simulate", "explain", "validate", "diagram", "policies", "demo", "import", "evaluate", "status", "history", "outbox" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Version_PrintsTheToolVersion()
    {
        var (exit, stdout, _) = Cli.Run("--version");

        Assert.Equal(0, exit);
        Assert.StartsWith("0.1.0", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void NoCommand_IsAUsageErrorExit2()
    {
        var (exit, stdout, stderr) = Cli.Run();

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Contains("Run 'arrears --help' for usage.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOption_IsAUsageErrorExit2()
    {
        var (exit, stdout, stderr) = Cli.Run("policies", "--colour");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Contains("--colour", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InternalError_Exit1WithoutStackTraceUnlessVerbose()
    {
        static (int, string, string) Run(params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            using var stdin = new FailingStream();
            var exit = ArrearsCli.RunAsync(args, stdout, stderr, stdin, Cli.Console, Cli.Host).GetAwaiter().GetResult();
            return (exit, stdout.ToString(), stderr.ToString());
        }

        var (exit, stdout, stderr) = Run("simulate", "-");
        Assert.Equal((1, ""), (exit, stdout));
        Assert.Equal("arrears: internal error: InvalidOperationException: the disk is on fire\nRun again with --verbose for the stack trace.\n", stderr.ReplaceLineEndings("\n"));

        var verbose = Run("simulate", "-", "--verbose");
        Assert.Equal(1, verbose.Item1);
        Assert.Contains("   at ", verbose.Item3, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Example_PrintsTheLibrarySentencesOnePerLine()
    {
        var path = Cli.Example("pay-one-second-late.scenario.json");
        var scenario = ScenarioJson.Read(File.ReadAllText(path)).Scenario!;
        var expected = TimelineExplainer.Explain(scenario, Simulator.Run(scenario));

        var (exit, stdout, stderr) = Cli.Run("explain", path);

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Equal(expected, Cli.Lines(stdout));
        Assert.Contains("Suspended on 2 Feb 2026 08:30 UTC: 24 hours passed after the balance fell to -25.00 CNY on 1 Feb 2026 08:30 UTC without full payment; the balance is -20.00 CNY. Configuration and data are kept until 1 Aug 2026 08:30 UTC.", Cli.Lines(stdout));
    }

    [Fact]
    public void Explain_AccountInAZone_ShowsLocalTimesWithOffsetsAndUtcWithTheFlag()
    {
        var json = File.ReadAllText(Cli.Example("promise-to-pay-broken.scenario.json"))
            .Replace("\"currency\": \"CNY\",", "\"currency\": \"CNY\", \"timeZone\": \"Asia/Shanghai\",", StringComparison.Ordinal);

        var local = Cli.RunWithInput(json, "explain", "-");
        var utc = Cli.RunWithInput(json, "explain", "--utc", "-");

        Assert.Equal((0, ""), (local.Exit, local.Error));
        Assert.Equal((0, ""), (utc.Exit, utc.Error));
        Assert.Contains("Suspension deferred from 3 Mar 2026 18:00 +08:00 to 6 Mar 2026 08:00 +08:00 by hold h1, granted by agent-7: promised to pay in full by Friday.", Cli.Lines(local.Out));
        Assert.Contains("Suspension deferred from 3 Mar 2026 10:00 UTC to 6 Mar 2026 00:00 UTC by hold h1, granted by agent-7: promised to pay in full by Friday.", Cli.Lines(utc.Out));
    }

    [Fact]
    public void Simulate_FactsAfterUntil_WarnsOnStandardErrorAndSucceeds()
    {
        var json = File.ReadAllText(Cli.Example("promise-to-pay-broken.scenario.json"))
            .Replace("\"until\": \"2026-03-10T00:00:00Z\"", "\"until\": \"2026-03-03T00:00:00Z\"", StringComparison.Ordinal);

        var (exit, stdout, stderr) = Cli.RunWithInput(json, "simulate", "-");

        Assert.Equal(0, exit);
        Assert.Equal("warning: 1 entry after until 2026-03-03T00:00:00Z is ignored\n", stderr);
        Assert.StartsWith("{", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_BadInput_Exit2()
    {
        Assert.Equal((2, "", "$: must be a JSON object, got an array\n"), Cli.RunWithInput("[]", "explain", "-"));
    }

    [Fact]
    public void Diagram_Preset_PrintsTheMermaidOfThePreset()
    {
        var (exit, stdout, stderr) = Cli.Run("diagram", "tencent-api-gateway");

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Equal(PolicyDiagram.ToMermaid(PolicyPresets.TencentApiGateway.Policy), stdout);
        Assert.Contains("    Overdue --> Suspended : GraceExpired: grace P1D elapsed (inclusive), notify creator and collaborators by Email and SMS", Cli.Lines(stdout));
    }

    [Fact]
    public void Diagram_PolicyFile_DrawsItsParameters()
    {
        var path = Path.Combine(Path.GetTempPath(), "arrears-policy-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"preset":"tencent-api-gateway","grace":"PT2H","retentionBoundary":"Exclusive"}""");
        try
        {
            var (exit, stdout, _) = Cli.Run("diagram", path);

            Assert.Equal(0, exit);
            Assert.Contains("grace PT2H elapsed (inclusive)", stdout, StringComparison.Ordinal);
            Assert.Contains("retention P180D elapsed (exclusive)", stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Diagram_BadPolicyJson_Exit2WithPath()
    {
        Assert.Equal((2, "", "policy.grace: must not be negative, got \"-PT2H\"\n"), Cli.RunWithInput("""{"grace":"-PT2H"}""", "diagram", "-"));
    }

    [Fact]
    public void Diagram_UnknownPreset_ListsKnownPresets()
    {
        var (exit, stdout, stderr) = Cli.Run("diagram", "aws-lambda");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Equal($"policy: unknown preset \"aws-lambda\" and no such file; known presets: {string.Join(", ", PolicyPresets.Names)}\n", stderr);
    }

    [Fact]
    public void Policies_ListsEveryPresetWithParametersAndSourceIn80Columns()
    {
        var (exit, stdout, stderr) = Cli.Run("policies");

        Assert.Equal((0, ""), (exit, stderr));
        var lines = Cli.Lines(stdout);
        Assert.All(lines, line => Assert.True(line.Length <= 80, line));
        foreach (var preset in PolicyPresets.All)
        {
            Assert.Contains(lines, l => l.Contains(preset.Name, StringComparison.Ordinal) && l.Contains(IsoDurationPattern.Instance.Format(preset.Policy.Retention), StringComparison.Ordinal));
            Assert.Contains(preset.Source.ToString(), stdout, StringComparison.Ordinal);
        }
    }

    /// <summary>Fails as no input can: not an I/O error (that is the input's problem, exit 2) but a bug-like exception.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("the disk is on fire");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new InvalidOperationException("the disk is on fire");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw new InvalidOperationException("the disk is on fire");
    }
}
