using System.Text;
using Npgsql;
using NodaTime;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary>
/// The PostgreSQL server of the CLI's tests: the Npgsql connection string in <c>ARREARS_TEST_POSTGRES</c>, as for the store
/// tests (<c>.ci/run</c> starts a throwaway server and sets it; <c>eval "$(.ci/postgres.sh start)"</c> does it by hand).
/// </summary>
internal static class PostgreSqlServer
{
    public const string Variable = "ARREARS_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Gets why the tests that need a server are skipped here: never when one is configured, never when <c>CI=true</c> (they fail instead).</summary>
    public static string? Skip => SkipReason(ConnectionString is null ? $"{Variable} is not set: these tests need a PostgreSQL server (eval \"$(.ci/postgres.sh start)\" starts one)" : null, Environment.GetEnvironmentVariable("CI"));

    public static string? SkipReason(string? unavailable, string? ci) =>
        unavailable is null || string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{unavailable} (with CI=true this test fails instead of skipping)";

    public static string Require() =>
        ConnectionString ?? throw new InvalidOperationException($"These tests need a PostgreSQL server: {Variable} is not set");

    /// <summary>Returns a <c>--store</c> value for a new schema of its own (the first schema of the search path), and a way to drop it.</summary>
    public static (string Store, Func<Task> Drop) NewStore()
    {
        var connection = Require();
        var schema = "cli_" + Guid.NewGuid().ToString("N")[..12];
        var builder = new NpgsqlConnectionStringBuilder(connection) { SearchPath = schema };
        return ("postgres:" + builder.ConnectionString, async () =>
        {
            await using var source = NpgsqlDataSource.Create(connection);
            await using var drop = source.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        });
    }
}

/// <summary>A test that needs the PostgreSQL server: skipped with the reason where there is none, except in CI.</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        Skip = PostgreSqlServer.Skip;
    }
}

/// <summary>The store commands on PostgreSQL, and what they say when the server cannot be used.</summary>
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlCommandTests
{
    [Fact]
    public void Status_UnreachableServer_Exit2NamingHostAndPort()
    {
        // Nothing listens on port 1 of the loopback: no server is needed to see the message.
        var (exit, stdout, stderr) = Cli.Run("status", "--store", "postgres:Host=127.0.0.1;Port=1;Database=arrears;Username=arrears;Password=secret;Timeout=5", "acct-1");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith("postgres://127.0.0.1:1/arrears: ", stderr, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", stderr[("postgres://127.0.0.1:1/arrears: ".Length)..], StringComparison.Ordinal);
        Assert.DoesNotContain("secret", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Single(Cli.Lines(stderr));
    }

    [Fact]
    public void Evaluate_NotAConnectionString_Exit2WithoutRepeatingIt()
    {
        Assert.Equal((2, "", "--store: postgres: unknown connection string keyword \"hots\"\n"), Cli.Run("evaluate", "--store", "postgres:Hots=localhost;Password=secret"));
        Assert.Equal(
            (2, "", "--store: postgres: not an Npgsql connection string: expected KEYWORD=VALUE pairs separated by ';', as in Host=localhost;Database=arrears\n"),
            Cli.Run("evaluate", "--store", "postgres:Host=\"secret"));
    }

    [PostgreSqlFact]
    public async Task ImportThenEvaluate_ExamplesOnPostgreSql_EqualSimulate()
    {
        var (store, drop) = PostgreSqlServer.NewStore();
        try
        {
            foreach (var example in SamenessTests.ExampleNames())
            {
                var scenarioJson = File.ReadAllText(Cli.Example(example + ".scenario.json"));
                var scenario = ScenarioJson.Read(scenarioJson).Scenario!;
                var line = SamenessTests.WithoutUntil(scenarioJson, out var until);
                var imported = Cli.RunOn(Cli.Host, new MemoryStream(Encoding.UTF8.GetBytes(line)), "import", "--store", store, "-");
                Assert.Equal((0, ""), (imported.Exit, imported.Error));
                foreach (var instant in Sameness.Instants(scenario, until, seed: example.Length))
                {
                    Sameness.Run(Cli.Host, "evaluate", "--store", store, "--as-of", Sameness.Format(instant));
                }

                var simulated = Sameness.FromTimeline(Sameness.Run(Cli.Host, "simulate", Cli.Example(example + ".scenario.json"), "--format", "json"));
                Sameness.Equal(simulated, Sameness.FromStore(Cli.Host, store, scenario.Account.Id), scenario.Account.Id);
            }
        }
        finally
        {
            await drop();
        }
    }

    [PostgreSqlFact]
    public async Task ImportThenEvaluate_APopulationOnPostgreSql_EqualsSimulateAndReimportIsANoOp()
    {
        var (store, drop) = PostgreSqlServer.NewStore();
        try
        {
            var lines = Population.Lines(40, seed: 23);
            var file = string.Join('\n', lines);
            using var folder = new TempFolder();
            File.WriteAllText(Path.Combine(folder.Path, "accounts.jsonl"), file);
            Assert.StartsWith("imported 40 accounts, ", Sameness.Run(Cli.Host, "import", "--store", store, Path.Combine(folder.Path, "accounts.jsonl")), StringComparison.Ordinal);
            Assert.Equal(
                "{\"accounts\":40,\"entries\":0,\"usage\":0,\"holds\":0,\"created\":0,\"updated\":0}\n",
                Cli.RunOn(Cli.Host, new MemoryStream(Encoding.UTF8.GetBytes(file)), "import", "--store", store, "--json", "-").Out);

            for (var at = Population.Start; at < Population.Until; at += Duration.FromDays(4))
            {
                Sameness.Run(Cli.Host, "evaluate", "--store", store, "--as-of", Sameness.Format(at));
            }

            Sameness.Run(Cli.Host, "evaluate", "--store", store, "--as-of", Sameness.Format(Population.Until));
            for (var i = 0; i < lines.Count; i++)
            {
                var scenario = ScenarioJson.Read(Population.Scenario(lines[i], Population.Until)).Scenario!;
                Sameness.Equal(Sameness.FromTimeline(TimelineJson.ToJson(Simulator.Run(scenario))), Sameness.FromStore(Cli.Host, store, Population.Id(i)), Population.Id(i));
            }
        }
        finally
        {
            await drop();
        }
    }
}
