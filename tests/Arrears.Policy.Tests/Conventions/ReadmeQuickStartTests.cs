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
        var cny = Currency.FromCode("CNY");
        var ledger = new Ledger(cny, openingBalance: 10m);

        // Entries take effect at their own instant, whatever order they arrive in.
        ledger.Append(new LedgerEntry("p1", LedgerEntryKind.Payment, Instant.FromUtc(2026, 2, 3, 9, 0), 20.00m));
        ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 2, 1, 8, 30), 25.00m));

        // Appending the same entry again is a no-op: replays are safe.
        var replay = ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 2, 1, 8, 30), 25.00m));

        var feb2 = Instant.FromUtc(2026, 2, 2, 0, 0);
        var feb4 = Instant.FromUtc(2026, 2, 4, 0, 0);
        decimal owed = ledger.BalanceAt(feb2);                   // -15 (10 − 25)
        bool inArrears = ledger.IsInArrearsAt(feb2);             // true
        bool paidUp = !ledger.IsInArrearsAt(feb4);               // true: balance 5 after the payment
        string shown = new Money(owed, cny).ToString();          // "-15.00 CNY"
        // README quick start: end

        Assert.Equal(-15m, owed);
        Assert.True(inArrears);
        Assert.True(paidUp);
        Assert.Equal(5m, ledger.BalanceAt(feb4));
        Assert.Equal("-15.00 CNY", shown);
        Assert.Equal(new AppendResult(Added: 0, Replayed: 1), replay);
        Assert.Equal(2, ledger.Count);
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
