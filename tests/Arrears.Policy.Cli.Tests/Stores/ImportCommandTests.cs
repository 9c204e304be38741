using System.Text;
using Arrears.Policy.Cli.Stores;
using NodaTime;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary><c>arrears import</c> over in-memory stores: what is read, what is refused, and that a bad file applies nothing.</summary>
public sealed class ImportCommandTests
{
    private const string Store = "sqlite:accounts.db";

    internal const string Alpha =
        """{"policy":"tencent-api-gateway","account":{"id":"alpha","currency":"CNY","creator":"owner@example.com","collaborators":["+8613800000001"],"openingBalance":"10.00"},"entries":[{"id":"c1","kind":"charge","at":"2026-02-01T08:30:00Z","amount":"25.00"},{"id":"p1","kind":"payment","at":"2026-02-03T08:30:00Z","amount":"30.00"}]}""";

    internal const string Beta =
        """{"policy":{"preset":"tencent-api-gateway","grace":"PT2H"},"account":{"id":"beta","currency":"CNY","creator":"ops"},"items":[{"id":"calls","unit":"10000","unitPrice":"0.06","cycle":"PT1H","settlementDelay":"PT30M"}],"usage":[{"item":"calls","at":"2026-02-01T00:10:00Z","quantity":"3000000"},{"item":"calls","at":"2026-02-01T00:20:00Z","quantity":"1000000"}],"contacts":[{"recipient":"ops","email":"ops@example.com","phone":"+8613800000002"}]}""";

    private static (int Exit, string Out, string Error) Import(CliHost host, string file, params string[] options) =>
        Cli.RunOn(host, new MemoryStream(Encoding.UTF8.GetBytes(file)), ["import", "--store", Store, .. options, "-"]);

    [Fact]
    public async Task Import_TwoAccounts_CreatesThemAndPrintsTheCounts()
    {
        var host = Cli.InMemory(out var storeOf);

        var (exit, stdout, stderr) = Import(host, Alpha + "\n" + Beta + "\n");

        Assert.Equal((0, "imported 2 accounts, 2 entries, 2 usage records\n", ""), (exit, stdout, stderr));
        var store = storeOf(Store);
        var alpha = (await store.FindAccountAsync("alpha", default))!;
        Assert.Equal("tencent-api-gateway", alpha.Registration.Policy);
        Assert.Equal(10m, alpha.Registration.OpeningBalance);
        Assert.Equal(["c1", "p1"], alpha.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(Instant.FromUtc(2026, 2, 1, 8, 30), alpha.DueAt);
        var beta = (await store.FindAccountAsync("beta", default))!;
        Assert.Equal(2, beta.Usage.Count);
        Assert.Equal(Instant.FromUtc(2026, 2, 1, 0, 10), beta.DueAt);
    }

    [Fact]
    public void Import_Json_PrintsOneObjectWithTheCounts()
    {
        var host = Cli.InMemory(out _);

        var (exit, stdout, stderr) = Import(host, Alpha + "\n" + Beta, "--json");

        Assert.Equal((0, """{"accounts":2,"entries":2,"usage":2,"holds":0,"created":2,"updated":0}""" + "\n", ""), (exit, stdout, stderr));
    }

    [Fact]
    public async Task Import_SameFileTwice_SecondIsANoOp()
    {
        var host = Cli.InMemory(out var storeOf);
        Import(host, Alpha + "\n" + Beta);
        var before = (await storeOf(Store).FindAccountAsync("beta", default))!.Version;

        var again = Import(host, Beta + "\r\n\n" + Alpha, "--json");

        Assert.Equal((0, """{"accounts":2,"entries":0,"usage":0,"holds":0,"created":0,"updated":0}""" + "\n", ""), again);
        var beta = (await storeOf(Store).FindAccountAsync("beta", default))!;
        Assert.Equal(2, beta.Usage.Count);
        Assert.Equal(before, beta.Version);
    }

    [Fact]
    public async Task Import_UsageListedInAnotherOrder_IsTheSameBatch()
    {
        var host = Cli.InMemory(out var storeOf);
        Import(host, Beta);
        var reordered = Beta.Replace(
            """{"item":"calls","at":"2026-02-01T00:10:00Z","quantity":"3000000"},{"item":"calls","at":"2026-02-01T00:20:00Z","quantity":"1000000"}""",
            """{"item":"calls","at":"2026-02-01T00:20:00Z","quantity":"1000000.0"},{"item":"calls","at":"2026-02-01T00:10:00Z","quantity":"3000000"}""",
            StringComparison.Ordinal);
        Assert.NotEqual(Beta, reordered);

        var again = Import(host, reordered);

        Assert.Equal((0, "imported 1 accounts, 0 entries, 0 usage records\n", ""), again);
        Assert.Equal(2, (await storeOf(Store).FindAccountAsync("beta", default))!.Usage.Count);
    }

    [Fact]
    public async Task Import_NewFactsForAnExistingAccount_AreAppendedAndTheProfileReplaced()
    {
        var host = Cli.InMemory(out var storeOf);
        Import(host, Alpha);
        var changed = Alpha
            .Replace("\"owner@example.com\"", "\"new-owner@example.com\"", StringComparison.Ordinal)
            .Replace("""{"id":"p1",""", """{"id":"c2","kind":"charge","at":"2026-01-15T00:00:00Z","amount":"1.00"},{"id":"p1",""", StringComparison.Ordinal);

        var (exit, stdout, _) = Import(host, changed, "--json");

        Assert.Equal((0, """{"accounts":1,"entries":1,"usage":0,"holds":0,"created":0,"updated":1}""" + "\n"), (exit, stdout));
        var alpha = (await storeOf(Store).FindAccountAsync("alpha", default))!;
        Assert.Equal("new-owner@example.com", alpha.Registration.Profile.Creator);
        Assert.Equal(["c1", "c2", "p1"], alpha.Ledger.Entries.Select(e => e.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Import_PolicyObject_IsNamedByItsCanonicalJsonWhichRebuildsIt()
    {
        var host = Cli.InMemory(out var storeOf);
        Import(host, Beta.Replace("""{"preset":"tencent-api-gateway","grace":"PT2H"}""", """{ "grace" : "PT2H", "preset":"tencent-api-gateway" }""", StringComparison.Ordinal));

        var beta = (await storeOf(Store).FindAccountAsync("beta", default))!;

        Assert.Equal("""{"grace":"PT2H","preset":"tencent-api-gateway"}""", beta.Registration.Policy);
        var policy = PolicyNames.Resolve(beta.Registration.Policy)!.Products.Single().Policy;
        Assert.Equal(Duration.FromHours(2), policy.Grace);
        Assert.Equal(PolicyPresets.TencentApiGateway.Policy.Retention, policy.Retention);
        Assert.Null(PolicyNames.Resolve("no-such-preset"));
        Assert.Null(PolicyNames.Resolve("""{"grace":"-PT2H"}"""));
    }

    [Fact]
    public async Task Import_Contacts_AreSavedAndEmailDefaultsToAnEmailRecipient()
    {
        var host = Cli.InMemory(out var storeOf);
        var line = Alpha.Replace("""{"policy":""", """{"contacts":[{"recipient":"owner@example.com","phone":"+8613800000000"},{"recipient":"+8613800000001","phone":"+8613800000001"},{"recipient":"nobody","email":null}],"policy":""", StringComparison.Ordinal);

        var (exit, _, stderr) = Import(host, line);

        Assert.Equal((0, ""), (exit, stderr));
        var store = storeOf(Store);
        var owner = (await store.FindAsync("owner@example.com", default))!;
        Assert.Equal(("owner@example.com", "+8613800000000"), (owner.Email, owner.Phone));
        var phoneOnly = (await store.FindAsync("+8613800000001", default))!;
        Assert.Equal((null, "+8613800000001"), (phoneOnly.Email, phoneOnly.Phone));
        var nobody = (await store.FindAsync("nobody", default))!;
        Assert.Equal((null, null), (nobody.Email, nobody.Phone));
    }

    [Fact]
    public async Task Import_BadLines_ReportsEveryProblemWithItsLineAndAppliesNothing()
    {
        var host = Cli.InMemory(out var storeOf);
        var file = string.Join('\n',
            Alpha,
            Beta.Replace("\"3000000\"", "\"-5\"", StringComparison.Ordinal),
            "",
            Alpha.Replace("\"alpha\"", "\"gamma\"", StringComparison.Ordinal).Replace("""{"policy":""", """{"until":"2026-09-01T00:00:00Z","policy":""", StringComparison.Ordinal),
            """{"policy": "tencent-api-gateway" "account": {}}""",
            "[1]",
            Alpha.Replace("\"alpha\"", "\"delta\"", StringComparison.Ordinal).Replace("\"25.00\"", "\"-5\"", StringComparison.Ordinal).Replace("""{"policy":""", """{"contacts":[{"recipient":"","fax":"1"},{"email":"x@example.com"}],"policy":""", StringComparison.Ordinal),
            Alpha);

        var (exit, stdout, stderr) = Import(host, file);

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Equal(
            """
            line 2: usage[0].quantity: must not be negative, got "-5"
            line 4: until: an import has no until (evaluate --as-of chooses the instant); remove it, got "2026-09-01T00:00:00Z"
            line 5: $: invalid JSON at column 34: unexpected "\"", expected "," or "}"
            line 6: $: must be a JSON object, got an array
            line 7: entries[0].amount: must be positive, got "-5"
            line 7: contacts[0].fax: unknown field, got "1"; a contact has recipient, email and phone
            line 7: contacts[0].recipient: must not be empty, got ""
            line 7: contacts[1].recipient: is required
            line 8: account.id: account "alpha" is already on line 1 (one line per account)

            """,
            stderr);
        Assert.Null(await storeOf(Store).FindAccountAsync("alpha", default));
    }

    [Fact]
    public async Task Import_SchedulesAndEntriesRecordedAt_AreRefusedNamingTheLine()
    {
        var host = Cli.InMemory(out var storeOf);
        var file = string.Join('\n',
            Alpha.Replace("\"alpha\"", "\"gamma\"", StringComparison.Ordinal).Replace("""{"policy":""", """{"evaluations":"PT1H","policy":""", StringComparison.Ordinal),
            Alpha.Replace("\"alpha\"", "\"delta\"", StringComparison.Ordinal).Replace("\"amount\":\"25.00\"}", "\"amount\":\"25.00\",\"recordedAt\":\"2026-02-05T00:00:00Z\"}", StringComparison.Ordinal),
            Alpha);

        var (exit, stdout, stderr) = Import(host, file);

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Equal(
            """
            line 1: evaluations: an import has no evaluation schedule (each evaluate --as-of is an evaluation); remove it, got "PT1H"
            line 2: entries[0].recordedAt: an import records every entry when it is imported (evaluations after that see it late); remove it, got "2026-02-05T00:00:00Z"

            """,
            stderr);
        Assert.Null(await storeOf(Store).FindAccountAsync("alpha", default));
    }

    /// <summary>Alpha with a promise to pay (recorded an hour after it starts) and its revocation (recorded at its own instant by default).</summary>
    internal const string AlphaWithHolds =
        """{"policy":{"preset":"tencent-api-gateway","holdLimits":{"suspension":"P7D"}},"account":{"id":"alpha","currency":"CNY","creator":"owner@example.com","collaborators":["+8613800000001"],"openingBalance":"10.00"},"entries":[{"id":"c1","kind":"charge","at":"2026-02-01T08:30:00Z","amount":"25.00"},{"id":"p1","kind":"payment","at":"2026-02-08T08:30:00Z","amount":"30.00"}],"holds":[{"id":"h1","kind":"suspension","from":"2026-02-01T09:00:00Z","until":"2026-02-06T00:00:00Z","by":"agent-7","reason":"promise to pay","recordedAt":"2026-02-01T10:00:00Z"},{"id":"d1","kind":"purge","from":"2026-02-01T09:00:00Z","by":"finance-2","reason":"disputed"}],"revocations":[{"id":"r1","revokes":"h1","at":"2026-02-04T00:00:00Z","by":"agent-7","reason":"promise broken"}]}""";

    [Fact]
    public async Task Import_HoldsAndRevocations_AreStoredWithTheirRecordedAtAndAgainAreANoOp()
    {
        var host = Cli.InMemory(out var storeOf);

        Assert.Equal((0, "imported 1 accounts, 2 entries, 0 usage records, 3 holds and revocations\n", ""), Import(host, AlphaWithHolds));

        var store = storeOf(Store);
        var records = await store.HoldsAsync("alpha", default);
        Assert.Equal(["h1", "d1", "r1"], records.Select(r => r.Id));
        Assert.Equal(
            [Instant.FromUtc(2026, 2, 1, 10, 0), Instant.FromUtc(2026, 2, 1, 9, 0), Instant.FromUtc(2026, 2, 4, 0, 0)],
            records.Select(r => r.RecordedAt));
        var h1 = records[0].Hold!;
        Assert.Equal((HoldKind.Suspension, Instant.FromUtc(2026, 2, 1, 9, 0), (Instant?)Instant.FromUtc(2026, 2, 6, 0, 0), "agent-7", "promise to pay", (string?)null),
            (h1.Kind, h1.From, h1.Until, h1.GrantedBy, h1.Reason, h1.Product));
        Assert.Null(records[1].Hold!.Until);
        Assert.Equal(("h1", Instant.FromUtc(2026, 2, 4, 0, 0)), (records[2].Revocation!.Revokes, records[2].Revocation!.At));
        Assert.Equal(Instant.FromUtc(2026, 2, 1, 8, 30), (await store.FindAccountAsync("alpha", default))!.DueAt);

        Assert.Equal((0, """{"accounts":1,"entries":0,"usage":0,"holds":0,"created":0,"updated":0}""" + "\n", ""), Import(host, AlphaWithHolds, "--json"));
    }

    [Fact]
    public async Task Import_BadHolds_AreRefusedWithTheirLineAndPathAndNothingIsApplied()
    {
        var host = Cli.InMemory(out var storeOf);
        var file = string.Join('\n',
            Beta,
            AlphaWithHolds.Replace("\"until\":\"2026-02-06T00:00:00Z\"", "\"until\":\"2026-02-16T00:00:00Z\"", StringComparison.Ordinal),
            AlphaWithHolds.Replace("\"alpha\"", "\"gamma\"", StringComparison.Ordinal).Replace("\"revokes\":\"h1\"", "\"revokes\":\"h9\"", StringComparison.Ordinal),
            AlphaWithHolds.Replace("\"alpha\"", "\"delta\"", StringComparison.Ordinal).Replace("\"reason\":\"promise broken\"", "\"reason\":\"promise broken\",\"recordedAt\":\"2026-02-01T09:30:00Z\"", StringComparison.Ordinal));

        var (exit, stdout, stderr) = Import(host, file);

        Assert.Equal((2, ""), (exit, stdout));
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("line 2: holds[0].until: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("P7D", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("line 3: revocations[0].revokes: ", lines[1], StringComparison.Ordinal);
        Assert.Contains("h9", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("line 4: revocations[0].recordedAt: ", lines[2], StringComparison.Ordinal);
        Assert.Null(await storeOf(Store).FindAccountAsync("beta", default));
    }

    [Fact]
    public async Task Import_AHoldWhoseIdIsStoredWithOtherContent_IsRefusedNamingTheLineAndTheId()
    {
        var host = Cli.InMemory(out var storeOf);
        Import(host, AlphaWithHolds);

        var (exit, stdout, stderr) = Import(host, Beta + "\n" + AlphaWithHolds.Replace("\"reason\":\"disputed\"", "\"reason\":\"disputed again\"", StringComparison.Ordinal));

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith("line 2: account \"alpha\": holds: hold \"d1\" already exists with other content", stderr, StringComparison.Ordinal);
        Assert.Null(await storeOf(Store).FindAccountAsync("beta", default));
    }

    [Fact]
    public async Task Import_SeveralProductsAndChannels_AreNamedByTheirCanonicalJsonWhichRebuildsThem()
    {
        var host = Cli.InMemory(out var storeOf);
        var line = """{"channels":["Slack"],"products":[{"product":"apigw","policy":"tencent-api-gateway"},{"product":"cvm","policy":{"preset":"tencent-api-gateway","grace":"P3D","channels":["Email","Slack"]}}],"account":{"id":"multi","currency":"JPY","creator":"o@example.com"},"entries":[{"id":"c1","kind":"charge","at":"2026-02-01T00:00:00Z","amount":"25","product":"apigw"}]}""";

        Assert.Equal((0, "imported 1 accounts, 1 entries, 0 usage records\n", ""), Import(host, line));

        var name = (await storeOf(Store).FindAccountAsync("multi", default))!.Registration.Policy;
        Assert.Equal("""{"channels":["Slack"],"products":[{"policy":"tencent-api-gateway","product":"apigw"},{"policy":{"channels":["Email","Slack"],"grace":"P3D","preset":"tencent-api-gateway"},"product":"cvm"}]}""", name);
        var policy = PolicyNames.Resolve(name)!;
        Assert.Equal(["apigw", "cvm"], policy.Products.Select(p => p.Name));
        Assert.Equal(Duration.FromDays(3), policy.Products[1].Policy.Grace);
        Assert.Equal(["Email", "Slack"], policy.Products[1].Policy.Channels);
    }

    [Fact]
    public async Task Import_EntryThatExistsWithOtherContent_Exit2NamingTheLineAndNothingIsApplied()
    {
        var host = Cli.InMemory(out var storeOf);
        Import(host, Alpha);
        var file = Beta + "\n" + Alpha.Replace("\"25.00\"", "\"26.00\"", StringComparison.Ordinal);

        var (exit, stdout, stderr) = Import(host, file);

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Equal("line 2: account \"alpha\": entries: entry \"c1\" already exists with other content\n", stderr);
        Assert.Null(await storeOf(Store).FindAccountAsync("beta", default));
    }

    [Fact]
    public void Import_ContactsGivenOtherAddressesOnAnotherLine_Exit2()
    {
        var host = Cli.InMemory(out _);
        var file = Alpha.Replace("""{"policy":""", """{"contacts":[{"recipient":"ops","phone":"+1"}],"policy":""", StringComparison.Ordinal) + "\n" + Beta;

        var (exit, _, stderr) = Import(host, file);

        Assert.Equal((2, "line 2: contacts: recipient \"ops\" has other addresses on line 1\n"), (exit, stderr));
    }

    [Fact]
    public void Import_EmptyFile_ImportsNothing()
    {
        Assert.Equal((0, "imported 0 accounts, 0 entries, 0 usage records\n", ""), Import(Cli.InMemory(out _), "\n\n"));
    }

    [Theory]
    [InlineData("mysql:accounts", "--store: must be sqlite:PATH or postgres:CONNECTION_STRING, got \"mysql:accounts\"")]
    [InlineData("accounts.db", "--store: must be sqlite:PATH or postgres:CONNECTION_STRING, got \"accounts.db\"")]
    [InlineData("sqlite:", "--store: sqlite: needs the path of the database file, as in sqlite:arrears.db, got \"sqlite:\"")]
    [InlineData("postgres: ", "--store: postgres: needs an Npgsql connection string, as in \"postgres:Host=localhost;Database=arrears;Username=arrears\"")]
    public void StoreOption_NotAStore_Exit2NamingTheValue(string store, string message)
    {
        foreach (var args in new[] { ["import", "--store", store, "-"], ["evaluate", "--store", store], ["status", "--store", store, "a"], ["history", "--store", store, "a"], new[] { "outbox", "--store", store } })
        {
            Assert.Equal((2, "", message + "\n"), Cli.RunOn(Cli.InMemory(out _), new MemoryStream(), args));
        }
    }

    [Fact]
    public void StoreOption_Missing_IsAUsageError()
    {
        var (exit, stdout, stderr) = Cli.Run("evaluate");

        Assert.Equal((2, ""), (exit, stdout));
        Assert.Contains("--store", stderr, StringComparison.Ordinal);
        Assert.Contains("Run 'arrears evaluate --help' for usage.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_MissingFile_Exit2NamingIt()
    {
        Assert.Equal((2, "", "missing.jsonl: file not found\n"), Cli.RunOn(Cli.InMemory(out _), new MemoryStream(), "import", "--store", Store, "missing.jsonl"));
    }
}
