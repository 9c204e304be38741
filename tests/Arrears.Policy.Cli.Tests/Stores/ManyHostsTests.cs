using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Arrears.Policy.PostgreSql;
using Arrears.Policy.Runtime;
using Npgsql;
using NodaTime;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary>
/// The store contract on PostgreSQL with real processes: four <c>arrears evaluate</c> processes at once over 10,000
/// accounts through 200 simulated days, evaluators killed with SIGKILL between claim and save and between save and
/// delivery, and an import killed in the middle. Each test runs in a database of its own.
/// </summary>
[Trait("Category", "PostgreSql")]
public sealed class ManyHostsTests
{
    [PostgreSqlProcessFact]
    public async Task Evaluate_FourProcessesAtOnceOverTenThousandAccounts_EveryAccountEqualsSimulate()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var folder = new TempFolder();
        var lines = Population.Lines(10_000, seed: 3);
        var file = Path.Combine(folder.Path, "accounts.jsonl");
        await File.WriteAllLinesAsync(file, lines);

        var imported = await Tool.RunAsync(["import", "--store", database.Store, file, "--json"]);
        Assert.True(imported.Exit == 0, imported.Error);

        // Every 10 days through 200 days, four evaluators at each instant, racing for the same accounts.
        var evaluated = 0;
        for (var at = Population.Start + Duration.FromDays(10); ; at += Duration.FromDays(10))
        {
            var asOf = at < Population.Until ? at : Population.Until;
            var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Tool.RunAsync(["evaluate", "--store", database.Store, "--as-of", Sameness.Format(asOf), "--json"])));
            foreach (var run in runs)
            {
                Assert.True(run.Exit == 0, $"evaluate at {asOf}: exit {run.Exit}: {run.Error}");
                using var summary = JsonDocument.Parse(run.Out);
                evaluated += summary.RootElement.GetProperty("evaluated").GetInt32();
            }

            if (asOf == Population.Until)
            {
                break;
            }
        }

        Assert.True(evaluated >= lines.Count, $"only {evaluated} evaluations for {lines.Count} accounts");
        await AssertEqualsSimulateAsync(database, lines);
    }

    [PostgreSqlProcessTheory]
    [InlineData("after-claim")]
    [InlineData("after-commit")]
    public async Task Evaluate_KilledAndRestarted_EndsWhereAnUninterruptedRunEnds(string point)
    {
        await using var database = await TestDatabase.CreateAsync();
        using var folder = new TempFolder();
        var lines = Population.Lines(300, seed: 17);
        var file = Path.Combine(folder.Path, "accounts.jsonl");
        await File.WriteAllLinesAsync(file, lines);
        Assert.Equal(0, (await Tool.RunAsync(["import", "--store", database.Store, file])).Exit);

        var instants = Enumerable.Range(1, 4).Select(i => Population.Start + Duration.FromDays(50 * i)).ToList();
        foreach (var at in instants)
        {
            // The first evaluator stops at the fault point, holding its claims (and, after a commit, its undelivered
            // outbox rows); it is killed with SIGKILL. A restart after the claims' lease has passed finishes the instant.
            var paused = Tool.Start(["evaluate", "--store", database.Store, "--as-of", Sameness.Format(at)], ("ARREARS_TEST_PAUSE", point));
            await paused.WaitForErrorLineAsync($"paused {point}");
            paused.Kill();

            var restarted = await Tool.RunAsync(["evaluate", "--store", database.Store, "--as-of", Sameness.Format(at + Duration.FromMinutes(6))]);
            Assert.True(restarted.Exit == 0, restarted.Error);
        }

        await AssertEqualsSimulateAsync(database, lines, until: instants[^1] + Duration.FromMinutes(6));
    }

    [PostgreSqlProcessFact]
    public async Task Import_KilledInTheMiddle_AppliesNothingOfTheFile()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var folder = new TempFolder();
        Assert.Equal(0, (await Tool.RunAsync(["import", "--store", database.Store, WriteLines(folder, "first.jsonl", Population.Lines(10, seed: 1))])).Exit);
        var big = WriteLines(folder, "big.jsonl", [.. Population.Lines(8_000, seed: 2).Select(line => line.Replace("\"acct-", "\"big-", StringComparison.Ordinal))]);

        // Kill the import once its transaction has written something, then check that none of it is visible.
        var import = Tool.Start(["import", "--store", database.Store, big]);
        var caught = await database.WaitForWritingTransactionAsync(import, TimeSpan.FromMinutes(3));
        import.Kill();
        Assert.True(caught, "the import finished before a writing transaction was seen; nothing was killed");

        Assert.Equal(10L, await database.ScalarAsync<long>("SELECT count(*) FROM arrears.accounts"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM arrears.accounts WHERE id LIKE 'big-%'"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM arrears.ledger_entries WHERE account_id LIKE 'big-%'"));

        var again = await Tool.RunAsync(["import", "--store", database.Store, big, "--json"]);
        Assert.True(again.Exit == 0, again.Error);
        Assert.Equal(8_010L, await database.ScalarAsync<long>("SELECT count(*) FROM arrears.accounts"));
    }

    private static string WriteLines(TempFolder folder, string name, IEnumerable<string> lines)
    {
        var file = Path.Combine(folder.Path, name);
        File.WriteAllLines(file, lines);
        return file;
    }

    /// <summary>Every account's history, notifications and final state in the store equal <c>simulate</c>'s; no outbox key twice.</summary>
    private static async Task AssertEqualsSimulateAsync(TestDatabase database, List<string> lines, Instant? until = null)
    {
        var end = until ?? Population.Until;
        await using var store = new PostgreSqlArrearsStore(database.ConnectionString);
        var outbox = new List<OutboxMessage>();
        for (long after = 0; ;)
        {
            var page = await store.QueryOutboxAsync(new OutboxQuery(after: after, max: 5_000), CancellationToken.None);
            if (page.Count == 0)
            {
                break;
            }

            outbox.AddRange(page);
            after = page[^1].Sequence;
        }

        Assert.Equal(outbox.Count, outbox.Select(m => m.Key).Distinct(StringComparer.Ordinal).Count());
        var notices = outbox.Where(m => m.Kind == OutboxKind.Notification).ToLookup(m => m.Account, StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var id = Population.Id(i);
            var simulated = Simulator.Run(ScenarioJson.Read(Population.Scenario(lines[i], end)).Scenario!);
            var history = await store.HistoryAsync(id, CancellationToken.None);
            Assert.True(
                simulated.Transitions.Count == history.Count && simulated.Transitions.Zip(history).All(p => p.Second.Describes(p.First)),
                $"{id}: transitions differ\nsimulate: {string.Join("; ", simulated.Transitions)}\nstore:    {string.Join("; ", history)}");
            Assert.Equal(
                simulated.Notifications.Select(n => (n.At, n.Kind, n.Recipient, n.Channel)).Order(),
                notices[id].Select(m => (m.At, m.Notification, m.Recipient!, m.Channel!)).Order());
            var stored = (await store.FindAccountAsync(id, CancellationToken.None))!;
            Assert.Equal(
                (id, simulated.Final.Status, simulated.Final.Balance, simulated.Final.NextReviewAt),
                (id, stored.State.LifecycleOf(null).Status, stored.Ledger.BalanceAt(stored.State.LastEvaluatedAt!.Value), stored.NextReviewAt));
        }

        // A sample through the tool itself: history, outbox and status as a user reads them.
        for (var i = 0; i < lines.Count; i += Math.Max(1, lines.Count / 10))
        {
            var simulated = Sameness.FromTimeline(TimelineJson.ToJson(Simulator.Run(ScenarioJson.Read(Population.Scenario(lines[i], end)).Scenario!)));
            Sameness.Equal(simulated, Sameness.FromStore(Cli.Host, database.Store, Population.Id(i)), Population.Id(i));
        }
    }
}

/// <summary>A database of its own on the test server (<c>ARREARS_TEST_POSTGRES</c>), dropped afterwards.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;
    private readonly string _name;

    private TestDatabase(NpgsqlDataSource admin, string name, string connectionString)
    {
        _admin = admin;
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Gets the tool's <c>--store</c> value.</summary>
    public string Store => "postgres:" + ConnectionString;

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = PostgreSqlProcessFactAttribute.ConnectionString
            ?? throw new InvalidOperationException($"{PostgreSqlProcessFactAttribute.Variable} is not set: these tests need a PostgreSQL server");
        var admin = NpgsqlDataSource.Create(server);
        var name = "arrears_" + Guid.NewGuid().ToString("N")[..12];
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ToString();
        return new TestDatabase(admin, name, connectionString);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until another session of this database holds a transaction that has written (it has a transaction id).</summary>
    public async Task<bool> WaitForWritingTransactionAsync(ToolRun run, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout && !run.HasExited)
        {
            var writers = await CountAsync(
                $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{_name}' AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL " +
                "AND now() - xact_start > interval '300 milliseconds'");
            if (writers > 0)
            {
                return !run.HasExited;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();

        // FORCE ends the test's own sessions; an autovacuum worker on the database (the server's own role, which the test's
        // role may not end) makes it refuse for a moment, so it is tried again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = _admin.CreateCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
                await drop.ExecuteNonQueryAsync();
                break;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }

        await _admin.DisposeAsync();
    }
}

/// <summary>The built tool in child processes.</summary>
internal static class Tool
{
    public static ToolRun Start(string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "arrears.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ToolRun(Process.Start(start)!);
    }

    public static async Task<(int Exit, string Out, string Error)> RunAsync(string[] args)
    {
        using var run = Start(args);
        return await run.WaitAsync(TimeSpan.FromMinutes(10));
    }
}

/// <summary>One running tool process, its output collected as it comes.</summary>
internal sealed class ToolRun : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _out;
    private readonly System.Text.StringBuilder _error = new();
    private readonly Task _errorPump;

    public ToolRun(Process process)
    {
        _process = process;
        process.StandardInput.Close();
        _out = process.StandardOutput.ReadToEndAsync();
        _errorPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_error)
                {
                    _error.AppendLine(line);
                }
            }
        });
    }

    public bool HasExited => _process.HasExited;

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Waits until standard error has a line containing <paramref name="text"/>; fails if the process ends first.</summary>
    public async Task WaitForErrorLineAsync(string text)
    {
        var watch = Stopwatch.StartNew();
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_process.HasExited && _errorPump.IsCompleted, $"the tool ended (exit {(_process.HasExited ? _process.ExitCode : -1)}) before \"{text}\": {Error}");
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(5), $"no \"{text}\" after 5 minutes: {Error}");
            await Task.Delay(20);
        }
    }

    /// <summary>Kills the process with SIGKILL and waits for it to be gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public async Task<(int Exit, string Out, string Error)> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        await _errorPump;
        return (_process.ExitCode, (await _out).ReplaceLineEndings("\n"), Error.ReplaceLineEndings("\n"));
    }

    public void Dispose() => _process.Dispose();
}

/// <summary>A fact that needs the PostgreSQL test server and child processes: skipped with the reason elsewhere, never when <c>CI=true</c>.</summary>
internal sealed class PostgreSqlProcessFactAttribute : FactAttribute
{
    public const string Variable = "ARREARS_TEST_POSTGRES";

    public PostgreSqlProcessFactAttribute()
    {
        Skip = SkipReason();
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string? SkipReason()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (ConnectionString is null)
        {
            return $"{Variable} is not set: these tests need a PostgreSQL server (eval \"$(.ci/postgres.sh start)\" starts one; with CI=true they fail instead of skipping)";
        }

        return ToolProcess.Available ? null : "needs /bin/sh and the dotnet host to run the tool in child processes";
    }
}

/// <summary>The theory form of <see cref="PostgreSqlProcessFactAttribute"/>.</summary>
internal sealed class PostgreSqlProcessTheoryAttribute : TheoryAttribute
{
    public PostgreSqlProcessTheoryAttribute()
    {
        Skip = PostgreSqlProcessFactAttribute.SkipReason();
    }
}
