using System.Text;
using System.Text.Json;
using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary><c>arrears evaluate</c>, <c>status</c>, <c>history</c> and <c>outbox</c> over in-memory stores.</summary>
public sealed class EvaluateCommandTests
{
    private const string Store = "sqlite:accounts.db";

    private static (int Exit, string Out, string Error) Run(CliHost host, params string[] args) => Cli.RunOn(host, new MemoryStream(), args);

    private static CliHost Imported(out Func<string, InMemoryArrearsStore> storeOf, IClock? clock = null)
    {
        var host = Cli.InMemory(out storeOf, clock);
        var (exit, _, stderr) = Cli.RunOn(host, new MemoryStream(Encoding.UTF8.GetBytes(ImportCommandTests.Alpha + "\n" + ImportCommandTests.Beta)), "import", "--store", Store, "-");
        Assert.Equal((0, ""), (exit, stderr));
        return host;
    }

    [Fact]
    public void Evaluate_AsOf_EvaluatesTheDueAccountsAndPrintsTheJsonSummary()
    {
        var host = Imported(out _);

        // alpha: 10.00 - 25.00 at 2026-02-01 08:30 is overdue, suspended 24 hours later, resumed by the payment on the 3rd.
        // beta: 4,000,000 calls = 24.00 CNY rated at 01:30, overdue then; its 2-hour grace ends at 03:30.
        var (exit, stdout, stderr) = Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-02T12:00:00Z", "--json");

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Equal(
            """{"asOf":"2026-02-02T12:00:00Z","evaluated":2,"transitions":{"InArrears":2,"Paid":0,"GraceExpired":2,"Resumed":0,"RetentionExpired":0},"notifications":12,"conflicts":0}""" + "\n",
            stdout);

        var later = Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-03T08:30:00Z", "--json");
        Assert.Equal(
            (0, """{"asOf":"2026-02-03T08:30:00Z","evaluated":1,"transitions":{"InArrears":0,"Paid":0,"GraceExpired":0,"Resumed":1,"RetentionExpired":0},"notifications":4,"conflicts":0}""" + "\n", ""),
            later);
    }

    [Fact]
    public void Evaluate_WithoutAsOf_EvaluatesAtTheHostClocksNow()
    {
        var host = Imported(out _, new FakeClock(Instant.FromUtc(2026, 3, 1, 0, 0)));

        var (exit, stdout, _) = Run(host, "evaluate", "--store", Store, "--json");

        Assert.Equal(0, exit);
        Assert.StartsWith("""{"asOf":"2026-03-01T00:00:00Z","evaluated":2,""", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_BeforeTheFirstFact_EvaluatesNothing()
    {
        var host = Imported(out _);

        var (exit, stdout, _) = Run(host, "evaluate", "--store", Store, "--as-of", "2026-01-01T00:00:00Z");

        Assert.Equal(0, exit);
        Assert.Equal(
            """
            evaluated 0 accounts at 2026-01-01T00:00:00Z in 0.0 s
            transitions: InArrears 0, Paid 0, GraceExpired 0, Resumed 0, RetentionExpired 0
            notifications: 0 written to the outbox (pending: a host's dispatcher delivers them)
            conflicts: 0

            """,
            System.Text.RegularExpressions.Regex.Replace(stdout, @"in \d+\.\d s", "in 0.0 s"));
    }

    [Fact]
    public async Task Evaluate_EarlierThanTheLastEvaluation_ChangesNothing()
    {
        var host = Imported(out var storeOf);
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-05T00:00:00Z");
        var before = (await storeOf(Store).FindAccountAsync("alpha", default))!;

        var (exit, stdout, _) = Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-02T00:00:00Z", "--json");

        Assert.Equal(0, exit);
        Assert.Contains("\"evaluated\":0,", stdout, StringComparison.Ordinal);
        Assert.Equal(before.Version, (await storeOf(Store).FindAccountAsync("alpha", default))!.Version);
    }

    [Fact]
    public void Evaluate_BadAsOf_Exit2NamingTheValue()
    {
        Assert.Equal(
            (2, "", "--as-of: must be an ISO 8601 instant in UTC such as 2026-03-01T00:00:00Z, got \"2026-03-01\"\n"),
            Run(Cli.InMemory(out _), "evaluate", "--store", Store, "--as-of", "2026-03-01"));
    }

    [Fact]
    public async Task Evaluate_AccountWithoutFacts_IsEvaluatedByTheFirstEvaluate()
    {
        var host = Cli.InMemory(out var storeOf);
        Cli.RunOn(host, new MemoryStream("""{"policy":"tencent-cvm","account":{"id":"idle","currency":"CNY","creator":"o@example.com","openingBalance":"5.00"}}"""u8.ToArray()), "import", "--store", Store, "-");

        var (exit, stdout, _) = Run(host, "evaluate", "--store", Store, "--as-of", "2026-01-01T00:00:00Z", "--json");

        Assert.Equal(0, exit);
        Assert.Contains("\"evaluated\":1,", stdout, StringComparison.Ordinal);
        Assert.Equal(
            (0, """{"account":"idle","state":"Active","balance":"5.00","nextReviewAt":null,"lastEvaluatedAt":"2026-01-01T00:00:00Z"}""" + "\n", ""),
            Run(host, "status", "--store", Store, "idle", "--json"));
        Assert.Null((await storeOf(Store).FindAccountAsync("idle", default))!.DueAt);
    }

    [Fact]
    public async Task Evaluate_WritesTheOutboxAndNeverDispatches()
    {
        var host = Imported(out var storeOf);

        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-10T00:00:00Z");

        var outbox = await storeOf(Store).QueryOutboxAsync(new OutboxQuery(max: 1000), default);
        Assert.NotEmpty(outbox);
        Assert.All(outbox, m => Assert.Equal((OutboxStatus.Pending, 0), (m.Status, m.Attempts)));
        Assert.Contains(outbox, m => m.Kind == OutboxKind.Enforcement);
    }

    [Fact]
    public void Status_Json_IsTheStateAsOfTheLastEvaluation()
    {
        var host = Imported(out _);
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-02T12:00:00Z");

        Assert.Equal(
            (0, """{"account":"alpha","state":"Suspended","balance":"-15.00","nextReviewAt":"2026-07-25T08:30:00Z","lastEvaluatedAt":"2026-02-02T12:00:00Z"}""" + "\n", ""),
            Run(host, "status", "--store", Store, "alpha", "--json"));
    }

    [Fact]
    public void Status_NotEvaluatedYet_HasNoBalance()
    {
        var host = Imported(out _);

        Assert.Equal(
            (0, """{"account":"beta","state":"Active","balance":null,"nextReviewAt":null,"lastEvaluatedAt":null}""" + "\n", ""),
            Run(host, "status", "--store", Store, "beta", "--json"));
        var (exit, stdout, _) = Run(host, "status", "--store", Store, "beta");
        Assert.Equal(0, exit);
        Assert.Contains("balance         not evaluated yet", stdout, StringComparison.Ordinal);
        Assert.Contains("last evaluated  never", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_ForPeople_ListsTheFields()
    {
        var host = Imported(out _);
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-02T12:00:00Z");

        var (exit, stdout, stderr) = Run(host, "status", "--store", Store, "alpha");

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Equal(
            """
            account         alpha
            state           Suspended
            balance         -15.00 CNY
            next review     2026-07-25T08:30:00Z
            last evaluated  2026-02-02T12:00:00Z
            policy          tencent-api-gateway

            """,
            string.Join('\n', stdout.Split('\n').Select(l => l.TrimEnd())));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("history")]
    public void UnknownAccount_Exit2(string command)
    {
        var host = Imported(out _);

        Assert.Equal((2, "", "\"nobody\": no such account in sqlite:accounts.db\n"), Run(host, command, "--store", Store, "nobody"));
    }

    [Fact]
    public void History_Json_OneTransitionPerLineInOrder()
    {
        var host = Imported(out _);
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-02T12:00:00Z");
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-04T00:00:00Z");

        Assert.Equal(
            (0,
             """
             {"at":"2026-02-01T08:30:00Z","from":"Active","to":"Overdue","reason":"InArrears","product":null,"late":false,"evaluatedAt":"2026-02-02T12:00:00Z"}
             {"at":"2026-02-02T08:30:00Z","from":"Overdue","to":"Suspended","reason":"GraceExpired","product":null,"late":false,"evaluatedAt":"2026-02-02T12:00:00Z"}
             {"at":"2026-02-03T08:30:00Z","from":"Suspended","to":"Active","reason":"Resumed","product":null,"late":false,"evaluatedAt":"2026-02-04T00:00:00Z"}

             """,
             ""),
            Run(host, "history", "--store", Store, "alpha", "--json"));

        Assert.Equal(
            (0,
             """
             At (UTC)          From       To         Reason        Decided (UTC)
             2026-02-01 08:30  Active     Overdue    InArrears     2026-02-02 12:00
             2026-02-02 08:30  Overdue    Suspended  GraceExpired  2026-02-02 12:00
             2026-02-03 08:30  Suspended  Active     Resumed       2026-02-04 00:00

             """,
             ""),
            Run(host, "history", "--store", Store, "alpha"));
    }

    [Fact]
    public void History_WithHolds_ShowsEachHoldGrantedAndRevokedAmongTheTransitionsByInstant()
    {
        var host = Cli.InMemory(out _);
        Assert.Equal(0, Cli.RunOn(host, new MemoryStream(Encoding.UTF8.GetBytes(ImportCommandTests.AlphaWithHolds)), "import", "--store", Store, "-").Exit);

        // The promise defers the suspension from 2 Feb 08:30; its revocation, recorded on the 4th, ends it then.
        foreach (var asOf in new[] { "2026-02-01T12:00:00Z", "2026-02-05T00:00:00Z", "2026-02-09T00:00:00Z" })
        {
            Assert.Equal(0, Run(host, "evaluate", "--store", Store, "--as-of", asOf).Exit);
        }

        Assert.Equal(
            (0,
             """
             {"at":"2026-02-01T08:30:00Z","from":"Active","to":"Overdue","reason":"InArrears","product":null,"late":false,"evaluatedAt":"2026-02-01T12:00:00Z"}
             {"event":"holdGranted","at":"2026-02-01T09:00:00Z","hold":"d1","kind":"purge","from":"2026-02-01T09:00:00Z","until":null,"product":null,"by":"finance-2","reason":"disputed"}
             {"event":"holdGranted","at":"2026-02-01T10:00:00Z","hold":"h1","kind":"suspension","from":"2026-02-01T09:00:00Z","until":"2026-02-06T00:00:00Z","product":null,"by":"agent-7","reason":"promise to pay"}
             {"event":"holdRevoked","at":"2026-02-04T00:00:00Z","revocation":"r1","hold":"h1","endsAt":"2026-02-04T00:00:00Z","by":"agent-7","reason":"promise broken"}
             {"at":"2026-02-04T00:00:00Z","from":"Overdue","to":"Suspended","reason":"GraceExpired","product":null,"late":false,"deferredFrom":"2026-02-02T08:30:00Z","heldBy":["h1"],"evaluatedAt":"2026-02-05T00:00:00Z"}
             {"at":"2026-02-08T08:30:00Z","from":"Suspended","to":"Active","reason":"Resumed","product":null,"late":false,"evaluatedAt":"2026-02-09T00:00:00Z"}

             """,
             ""),
            Run(host, "history", "--store", Store, "alpha", "--json"));

        Assert.Equal(
            (0,
             """
             At (UTC)          From       To         Reason                                                                                    Decided (UTC)
             2026-02-01 08:30  Active     Overdue    InArrears                                                                                 2026-02-01 12:00
             2026-02-01 09:00  hold d1    granted    Purge hold from 2026-02-01 09:00 open-ended, by finance-2: disputed                       2026-02-01 09:00
             2026-02-01 10:00  hold h1    granted    Suspension hold from 2026-02-01 09:00 until 2026-02-06 00:00, by agent-7: promise to pay  2026-02-01 10:00
             2026-02-04 00:00  hold h1    revoked    r1 ends it at 2026-02-04 00:00, by agent-7: promise broken                                2026-02-04 00:00
             2026-02-04 00:00  Overdue    Suspended  GraceExpired (deferred from 2026-02-02 08:30 by h1)                                       2026-02-05 00:00
             2026-02-08 08:30  Suspended  Active     Resumed                                                                                   2026-02-09 00:00

             """,
             ""),
            Run(host, "history", "--store", Store, "alpha"));
    }

    [Fact]
    public void History_NothingDecidedYet_SaysSo()
    {
        Assert.Equal((0, "alpha: no transitions yet\n", ""), Run(Imported(out _), "history", "--store", Store, "alpha"));
        Assert.Equal((0, "", ""), Run(Imported(out _), "history", "--store", Store, "alpha", "--json"));
    }

    [Fact]
    public void Outbox_Json_EveryNotificationInTheOrderWrittenWithoutEnforcementRows()
    {
        var host = Imported(out _);
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-02T12:00:00Z");

        var (exit, stdout, stderr) = Run(host, "outbox", "--store", Store, "--account", "alpha", "--json");

        Assert.Equal((0, ""), (exit, stderr));
        var lines = Cli.Lines(stdout);
        Assert.Equal(
            """{"account":"alpha","at":"2026-02-01T08:30:00Z","kind":"Overdue","recipient":"owner@example.com","channel":"Email","key":"alpha/1/Overdue/owner@example.com/Email","status":"Pending","attempts":0}""",
            lines[0]);
        Assert.Equal(8, lines.Length);
        Assert.Equal(
            ["Overdue", "Overdue", "Overdue", "Overdue", "Suspended", "Suspended", "Suspended", "Suspended"],
            lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()));
        Assert.Equal(lines.Length, lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()).Distinct().Count());

        var all = Cli.Lines(Run(host, "outbox", "--store", Store, "--json").Out);
        Assert.Equal(12, all.Length);
        Assert.Contains(all, l => l.Contains("\"account\":\"beta\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Outbox_ForPeople_OneRowPerNotificationAndACount()
    {
        var host = Imported(out _);
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-02T12:00:00Z");

        var (exit, stdout, _) = Run(host, "outbox", "--store", Store, "--account", "beta");

        Assert.Equal(0, exit);
        var lines = Cli.Lines(stdout);
        Assert.Equal("At (UTC)          Account  Kind          Channel  Status        Tries  Recipient", lines[0]);
        Assert.Equal("2026-02-01 01:30  beta     Overdue       Email    Pending       0      ops", lines[1]);
        Assert.Equal("4 notifications", lines[^1]);
    }

    [Fact]
    public void Outbox_UnknownAccount_Exit2()
    {
        Assert.Equal((2, "", "--account: no account \"nobody\" in sqlite:accounts.db\n"), Run(Imported(out _), "outbox", "--store", Store, "--account", "nobody"));
    }

    [Fact]
    public void Outbox_MoreThanOnePage_ListsEveryNotificationOnce()
    {
        var host = Cli.InMemory(out _);
        var lines = Enumerable.Range(0, 300).Select(i =>
            $$"""{"policy":"tencent-api-gateway","account":{"id":"a{{i}}","currency":"CNY","creator":"o{{i}}@example.com","collaborators":["d{{i}}@example.com"]},"entries":[{"id":"c1","kind":"charge","at":"2026-02-01T00:00:00Z","amount":"1.00"}]}""");
        Cli.RunOn(host, new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines))), "import", "--store", Store, "-");
        Run(host, "evaluate", "--store", Store, "--as-of", "2026-02-01T12:00:00Z");

        var (exit, stdout, _) = Run(host, "outbox", "--store", Store, "--json");

        Assert.Equal(0, exit);
        var keys = Cli.Lines(stdout).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()).ToList();
        Assert.True(keys.Count > StoreCommandsPage, $"{keys.Count} notifications");
        Assert.Equal(300 * 2 * 2, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    private const int StoreCommandsPage = Arrears.Policy.Cli.Stores.StoreCommands.OutboxPage;
}
