using System.Text;
using Arrears.Policy.Runtime;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary>A store the tool cannot use is exit 2 with one line saying why, never a stack trace; a failed evaluation is exit 1 with its reason.</summary>
public sealed class UnusableStoreTests
{
    private static (int Exit, string Out, string Error) Run(params string[] args) => Cli.RunOn(Cli.Host, new MemoryStream(), args);

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Imported(TempFolder folder)
    {
        var path = Path.Combine(folder.Path, "store.db");
        var (exit, _, stderr) = Cli.RunOn(Cli.Host, new MemoryStream(Encoding.UTF8.GetBytes(ImportCommandTests.Alpha)), "import", "--store", "sqlite:" + path, "-");
        Assert.Equal((0, ""), (exit, stderr));
        return path;
    }

    [Fact]
    public void Status_DatabaseOfANewerSchemaVersion_Exit2SayingSo()
    {
        using var folder = new TempFolder();
        var path = Imported(folder);
        Execute(path, "INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'from the future', '2026-01-01T00:00:00Z')");

        var (exit, stdout, stderr) = Run("status", "--store", "sqlite:" + path, "alpha");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith($"sqlite:{path}: ", stderr, StringComparison.Ordinal);
        Assert.Contains("999", stderr, StringComparison.Ordinal);
        Assert.Contains("newer", stderr, StringComparison.Ordinal);
        Assert.Single(Cli.Lines(stderr));
    }

    [Fact]
    public void Status_CorruptedRow_Exit2NamingTheAccountAndTheColumn()
    {
        using var folder = new TempFolder();
        var path = Imported(folder);
        Execute(path, "UPDATE accounts SET currency = 'XYZ' WHERE id = 'alpha'");

        var (exit, stdout, stderr) = Run("status", "--store", "sqlite:" + path, "alpha");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith($"sqlite:{path}: corrupted data: ", stderr, StringComparison.Ordinal);
        Assert.Contains("alpha", stderr, StringComparison.Ordinal);
        Assert.Contains("currency", stderr, StringComparison.Ordinal);
        Assert.Single(Cli.Lines(stderr));
    }

    [Fact]
    public void Evaluate_NotAnSqliteFile_Exit2()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "notes.txt");
        File.WriteAllText(path, "these are not the tables you are looking for, and this is long enough to be read as a header");

        var (exit, stdout, stderr) = Run("evaluate", "--store", "sqlite:" + path);

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith($"sqlite:{path}: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Single(Cli.Lines(stderr));
    }

    [Fact]
    public void Import_FolderThatDoesNotExist_Exit2()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "missing", "store.db");

        var (exit, stdout, stderr) = Cli.RunOn(Cli.Host, new MemoryStream(Encoding.UTF8.GetBytes(ImportCommandTests.Alpha)), "import", "--store", "sqlite:" + path, "-");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith($"sqlite:{path}: ", stderr, StringComparison.Ordinal);
        Assert.Single(Cli.Lines(stderr));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public async Task Evaluate_AccountWhosePolicyNothingResolves_Exit1WithTheReasonAndTheOthersEvaluated()
    {
        var host = Cli.InMemory(out var storeOf);
        var store = storeOf("sqlite:x.db");
        var registration = new AccountRegistration(new AccountProfile("odd", "o@example.com"), "no-such-preset", Currency.FromCode("CNY"), DateTimeZone.Utc);
        await store.AddAccountAsync(registration, Instant.FromUtc(2026, 1, 1, 0, 0), default);
        Cli.RunOn(host, new MemoryStream(Encoding.UTF8.GetBytes(ImportCommandTests.Alpha)), "import", "--store", "sqlite:x.db", "-");

        var (exit, stdout, stderr) = Cli.RunOn(host, new MemoryStream(), "evaluate", "--store", "sqlite:x.db", "--as-of", "2026-03-01T00:00:00Z", "--json");

        Assert.Equal(1, exit);
        Assert.StartsWith("""{"asOf":"2026-03-01T00:00:00Z","evaluated":1,""", stdout, StringComparison.Ordinal);
        var lines = Cli.Lines(stderr);
        Assert.Equal("arrears: 1 evaluations failed; those accounts stay due and are evaluated again once their claims expire:", lines[0]);
        Assert.StartsWith("account \"odd\": KeyNotFoundException: policy: no account policy \"no-such-preset\"", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }
}
