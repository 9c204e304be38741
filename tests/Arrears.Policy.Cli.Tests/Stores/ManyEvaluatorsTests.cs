using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Arrears.Policy.PostgreSql;
using Npgsql;
using NodaTime;
using Xunit.Abstractions;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary>
/// Many hosts on one PostgreSQL database: four <c>arrears evaluate</c> processes at once, at each step of 200 simulated
/// days, over a seeded population (10,000 accounts; <c>ARREARS_MANY_HOSTS_ACCOUNTS</c> sets another number for a quicker
/// run). Every transition is decided once, no outbox key is written twice, and every account ends where <c>simulate</c> ends.
/// </summary>
[Trait("Category", "PostgreSql")]
public sealed class ManyEvaluatorsTests(ITestOutputHelper output)
{
    private const int Processes = 4;

    private static int Accounts =>
        int.TryParse(Environment.GetEnvironmentVariable("ARREARS_MANY_HOSTS_ACCOUNTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 10_000;

    [PostgreSqlFact]
    public async Task Evaluate_FourProcessesAtOnceThrough200Days_EachTransitionOnceAndEveryAccountEqualsSimulate()
    {
        var (store, drop) = PostgreSqlServer.NewStore();
        try
        {
            var watch = Stopwatch.StartNew();
            var lines = Population.Lines(Accounts, seed: 42);
            using var folder = new TempFolder();
            var file = Path.Combine(folder.Path, "accounts.jsonl");
            await File.WriteAllLinesAsync(file, lines);
            var imported = await SpawnAsync("import", "--store", store, file);
            Assert.True(imported.Exit == 0, imported.Error);
            output.WriteLine($"{imported.Out.Trim()} in {watch.Elapsed.TotalSeconds:0} s");

            // Every 4 days, then until: at each step four evaluators start together and share the due accounts.
            var steps = Enumerable.Range(0, 50).Select(i => Population.Start + Duration.FromDays(4 * i)).Append(Population.Until).ToList();
            var decided = 0;
            var evaluated = 0;
            foreach (var step in steps)
            {
                var runs = await Task.WhenAll(Enumerable.Range(0, Processes).Select(_ => SpawnAsync("evaluate", "--store", store, "--as-of", Sameness.Format(step), "--json")));
                foreach (var run in runs)
                {
                    Assert.True(run.Exit == 0, $"evaluate --as-of {Sameness.Format(step)}: exit {run.Exit}: {run.Error}");
                    using var summary = JsonDocument.Parse(run.Out);
                    Assert.Equal(Sameness.Format(step), summary.RootElement.GetProperty("asOf").GetString());
                    evaluated += summary.RootElement.GetProperty("evaluated").GetInt32();
                    decided += summary.RootElement.GetProperty("transitions").EnumerateObject().Sum(p => p.Value.GetInt32());
                }
            }

            output.WriteLine($"{steps.Count} steps x {Processes} processes: {evaluated} evaluations, {decided} transitions, {watch.Elapsed.TotalSeconds:0} s");

            // No key twice, across the whole outbox.
            var outbox = await SpawnAsync("outbox", "--store", store, "--json");
            Assert.Equal(0, outbox.Exit);
            var notices = Cli.Lines(outbox.Out).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            var keys = notices.Select(n => n.GetProperty("key").GetString()!).ToList();
            Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
            var byAccount = notices.ToLookup(n => n.GetProperty("account").GetString()!, StringComparer.Ordinal);

            // Every account's audit trail, notifications and final state equal simulate's; the transitions the evaluators
            // reported add up to those in the audit trails, so none was decided twice.
            await using var reader = new PostgreSqlArrearsStore(PostgreSqlServer.Require(), new NpgsqlConnectionStringBuilder(store["postgres:".Length..]).SearchPath!);
            var stored = 0;
            var simulatedTransitions = 0;
            for (var i = 0; i < lines.Count; i++)
            {
                var id = Population.Id(i);
                var simulated = Simulator.Run(ScenarioJson.Read(Population.Scenario(lines[i], Population.Until)).Scenario!);
                simulatedTransitions += simulated.Transitions.Count;
                var history = await reader.HistoryAsync(id, default);
                stored += history.Count;
                Assert.True(
                    simulated.Transitions.Count == history.Count && simulated.Transitions.Zip(history).All(p => p.Second.Describes(p.First)),
                    $"{id}: simulate {string.Join("; ", simulated.Transitions)}; store {string.Join("; ", history)}");
                Assert.Equal(
                    simulated.Notifications.Select(n => (n.At, n.Kind.ToString(), n.Recipient, n.Channel)).Order(),
                    byAccount[id].Select(n => (Parse(n.GetProperty("at").GetString()!), n.GetProperty("kind").GetString()!, n.GetProperty("recipient").GetString()!, n.GetProperty("channel").GetString()!)).Order());
                var account = (await reader.FindAccountAsync(id, default))!;
                Assert.Equal(simulated.Final.Status, account.State.LifecycleOf(null).Status);
                Assert.Equal(simulated.Final.Balance, account.Ledger.BalanceAt(account.State.LastEvaluatedAt!.Value));
                Assert.Equal(simulated.Final.NextReviewAt, account.NextReviewAt);
                if (i % 100 == 0)
                {
                    // And through the commands themselves, for a sample.
                    Sameness.Equal(Sameness.FromTimeline(TimelineJson.ToJson(simulated)), Sameness.FromStore(Cli.Host, store, id), id);
                }
            }

            Assert.Equal(simulatedTransitions, stored);
            Assert.Equal(stored, decided);
            output.WriteLine($"checked {lines.Count} accounts, {stored} transitions, {keys.Count} notifications in {watch.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            await drop();
        }
    }

    private static Instant Parse(string text) => NodaTime.Text.InstantPattern.ExtendedIso.Parse(text).Value;

    private static async Task<(int Exit, string Out, string Error)> SpawnAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "arrears.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout).ReplaceLineEndings("\n"), (await stderr).ReplaceLineEndings("\n"));
    }
}
