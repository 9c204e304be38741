using NodaTime;

namespace Arrears.Policy.Tests.Conventions;

/// <summary>The README's quick start compiles, runs and says what it does; the README and this file hold the same code.</summary>
public sealed class ReadmeQuickStartTests
{
    private const string Begin = "// README quick start: begin";
    private const string End = "// README quick start: end";
    private const string ThisFile = "tests/Arrears.Policy.Tests/Conventions/ReadmeQuickStartTests.cs";

    [Fact]
    public void QuickStart_Run_GivesTheResultsTheReadmeStates()
    {
        // README quick start: begin
        // Build the policy once: 24 hours of grace, 180 days of retention, Email and SMS to everyone.
        var policy = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);
        var account = new AccountProfile("acct-1", "owner@example.com", collaborators: ["dev@example.com"]);
        var ledger = new Ledger(Currency.FromCode("CNY"));
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 2, 1, 8, 30), 25.00m));
        ledger.Append(new LedgerEntry("p1", LedgerEntryKind.Payment, Instant.FromUtc(2026, 2, 1, 20, 0), 5.00m));

        // Evaluate as a host would, keeping the returned state for the next evaluation.
        var state = AccountState.Initial;
        var evaluation = policy.Evaluate(account, ledger, state, Instant.FromUtc(2026, 2, 3, 0, 0));
        state = evaluation.State;

        // "2026-02-01T08:30:00Z Active -> Overdue (InArrears)", "2026-02-02T08:30:00Z Overdue -> Suspended (GraceExpired)"
        var steps = evaluation.Transitions.Select(t => $"{t.At} {t.From} -> {t.To} ({t.Reason})").ToList();
        int intents = evaluation.Notifications.Count;   // 8: Overdue and Suspended, to 2 recipients by Email and SMS
        Instant? next = evaluation.NextReviewAt;        // 2026-07-25T08:30:00Z: the purge warning 7 days ahead

        // Paying the arrears within the retention period resumes the service.
        ledger.Append(new LedgerEntry("p2", LedgerEntryKind.Payment, Instant.FromUtc(2026, 2, 3, 9, 0), 20.00m));
        var later = policy.Evaluate(account, ledger, state, Instant.FromUtc(2026, 2, 3, 10, 0));
        var resumed = later.Transitions.Single();       // Suspended -> Active at 2026-02-03T09:00:00Z (Resumed)
        // README quick start: end

        Assert.Equal(["2026-02-01T08:30:00Z Active -> Overdue (InArrears)", "2026-02-02T08:30:00Z Overdue -> Suspended (GraceExpired)"], steps);
        Assert.Equal(8, intents);
        Assert.Equal(Instant.FromUtc(2026, 7, 25, 8, 30), next);
        Assert.Equal(
            (Instant.FromUtc(2026, 2, 3, 9, 0), LifecycleStatus.Suspended, LifecycleStatus.Active, TransitionReason.Resumed),
            (resumed.At, resumed.From, resumed.To, resumed.Reason));
        Assert.Equal(LifecycleStatus.Active, later.State.Lifecycles[0].Status);
    }

    [Fact]
    public void QuickStart_Readme_ShowsExactlyTheCodeOfThisTest()
    {
        var withoutUsings = ReadmeCSharpBlock(RepositoryFiles.Read("README.md"))
            .Split('\n')
            .Where(line => !line.StartsWith("using ", StringComparison.Ordinal));
        var inReadme = CodeLines(string.Join('\n', withoutUsings));
        var inTest = CodeLines(Region(RepositoryFiles.Read(ThisFile)));

        Assert.Equal(string.Join('\n', inTest), string.Join('\n', inReadme));
    }

    [Fact]
    public void CodeLines_DifferentIndentationAndBlankEdges_AreNormalised()
    {
        Assert.Equal(["a", "  b", "", "c"], CodeLines("\n    a\n      b\n\n    c   \n\n"));
    }

    /// <summary>Returns the body of the first <c>```csharp</c> block of a markdown text.</summary>
    internal static string ReadmeCSharpBlock(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, line => line.Trim() == "```csharp");
        Assert.True(start >= 0, "README.md has no ```csharp block");
        var end = Array.FindIndex(lines, start + 1, line => line.Trim() == "```");
        Assert.True(end > start, "README.md's ```csharp block is not closed");
        return string.Join('\n', lines[(start + 1)..end]);
    }

    private static string Region(string source)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, line => line.Trim() == Begin);
        var end = Array.FindIndex(lines, line => line.Trim() == End);
        Assert.True(start >= 0 && end > start, $"{ThisFile} has no quick start region");
        return string.Join('\n', lines[(start + 1)..end]);
    }

    /// <summary>Removes the common indentation, trailing spaces and leading and trailing blank lines.</summary>
    internal static string[] CodeLines(string code)
    {
        var lines = code.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var indent = lines.Where(line => line.Length > 0).Select(line => line.Length - line.TrimStart().Length).DefaultIfEmpty(0).Min();
        return [.. lines.Select(line => line.Length == 0 ? line : line[indent..])];
    }
}
