using System.Text.Json.Nodes;
using NodaTime;

namespace Arrears.Policy.Cli.Tests;

/// <summary>
/// The table for people: instants in the account's time zone with their offset (UTC on request), the width of the console,
/// and no id and no instant ever broken across lines, whatever the width.
/// </summary>
public class TimelineTableTests
{
    private static readonly int[] Widths = [1, 12, 20, 30, 40, 50, 60, 72, 80, 100, 132, 200];

    private static readonly string[] Zones = ["UTC", "Asia/Shanghai", "Asia/Kolkata", "America/St_Johns", "Europe/London", "Pacific/Chatham"];

    public static TheoryData<string, string> ExamplesInZones()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Cli.ExampleNames())
        {
            foreach (var zone in Zones)
            {
                data.Add(name, zone);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExamplesInZones))]
    public void Write_ExampleAtEveryWidth_NoIdOrInstantIsSplitAndLinesFit(string name, string zone)
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example(name + ".scenario.json")))!;
        node["account"]!["timeZone"] = zone;
        var scenario = ScenarioJson.Read(node.ToJsonString()).Scenario!;

        foreach (var utc in new[] { false, true })
        {
            AssertWholeAtEveryWidth(scenario, TableInstants.For(scenario.TimeZone, utc));
        }
    }

    [Fact]
    public void Write_LongIdsIdsWithSpacesAndWideCharacters_NeverSplitAtAnyWidth()
    {
        var account = new AccountProfile("acct with spaces 日本語", "a-very-long-recipient-address-wider-than-a-narrow-terminal@example.com", ["x@example.com", "運用チーム@example.com"]);
        var at = Instant.FromUtc(2026, 3, 8, 5, 30);
        var scenario = new Scenario(
            PolicyPresets.TencentClb.Policy,
            account,
            Currency.FromCode("USD"),
            Instant.FromUtc(2026, 4, 1, 0, 0),
            timeZone: DateTimeZoneProviders.Tzdb["America/St_Johns"],
            entries:
            [
                new LedgerEntry("invoice 2026-03 for the whole account", LedgerEntryKind.Charge, at, 12.5m),
                new LedgerEntry("請求書-0001", LedgerEntryKind.Charge, at + Duration.FromMinutes(1), 1m),
                new LedgerEntry(new string('x', 90), LedgerEntryKind.Payment, at + Duration.FromSeconds(7201.5), 13.5m),
            ]);

        foreach (var utc in new[] { false, true })
        {
            AssertWholeAtEveryWidth(scenario, TableInstants.For(scenario.TimeZone, utc));
        }
    }

    [Fact]
    public void Write_AccountInShanghai_ShowsLocalInstantsWithTheirOffset()
    {
        var text = Render(Shanghai(), 80, utc: false);

        Assert.Contains("time zone Asia/Shanghai, until 2026-03-01 08:00 +08", string.Join(' ', Lines(text).Select(l => l.Trim())), StringComparison.Ordinal);
        Assert.Contains(Lines(text), l => l.Trim() == "2026-03-01 08:00 +08");
        Assert.Contains(Lines(text), l => l.StartsWith("  2026-02-01 16:30 +08      charge      c1 ", StringComparison.Ordinal));
        Assert.Contains(Lines(text), l => l.StartsWith("  2026-02-02 16:30:01 +08   payment     p2 ", StringComparison.Ordinal));
        Assert.DoesNotContain("UTC", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AccountInShanghaiWithUtc_ShowsUtcInstants()
    {
        var text = Render(Shanghai(), 80, utc: true);

        Assert.Contains("until 2026-03-01 00:00 UTC", text, StringComparison.Ordinal);
        Assert.Contains(Lines(text), l => l.StartsWith("  At (UTC) ", StringComparison.Ordinal));
        Assert.Contains(Lines(text), l => l.StartsWith("  2026-02-01 08:30 ", StringComparison.Ordinal));
        Assert.DoesNotContain("+08", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Asia/Shanghai", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AcrossADaylightSavingChange_EachInstantCarriesItsOwnOffset()
    {
        var scenario = new Scenario(
            PolicyPresets.TencentApiGateway.Policy,
            new AccountProfile("acct-uk", "owner@example.com"),
            Currency.FromCode("GBP"),
            Instant.FromUtc(2026, 4, 1, 0, 0),
            timeZone: DateTimeZoneProviders.Tzdb["Europe/London"],
            entries: [new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 3, 28, 12, 0), 5m)]);

        var lines = Lines(Render(scenario, 80, utc: false));

        Assert.Contains(lines, l => l.StartsWith("  2026-03-28 12:00 +00   charge ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  2026-03-29 13:00 +01   Suspended ", StringComparison.Ordinal));
        Assert.Contains("Final: Suspended, balance -5.00 GBP, next review 2026-09-18 13:00 +01", lines);
    }

    [Fact]
    public void Write_NarrowerThanTheColumns_OneHeadingPerInstantWithItsEventsBelow()
    {
        var lines = Lines(Render(Shanghai(), 40, utc: false));

        Assert.All(lines, l => Assert.True(Atoms.Width(l) <= 40, l));
        Assert.Contains("2026-02-01 16:30 +08, balance -25.00", lines);
        Assert.Contains("  charge c1 -25.00", lines);
        Assert.Contains("  Overdue InArrears (was Active)", lines);
        Assert.Contains("  notify Overdue: owner@example.com,", lines);
        Assert.Contains("    dev@example.com (Email, SMS)", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith('─'));
    }

    [Fact]
    public void Write_IdWiderThanTheLine_StandsAloneOnItsLineWhole()
    {
        var id = new string('x', 70);
        var scenario = new Scenario(
            PolicyPresets.TencentApiGateway.Policy,
            new AccountProfile("a", "o@example.com"),
            Currency.FromCode("CNY"),
            Instant.FromUtc(2026, 1, 2, 0, 0),
            entries: [new LedgerEntry(id, LedgerEntryKind.Payment, Instant.FromUtc(2026, 1, 1, 0, 0), 5m)]);

        var lines = Lines(Render(scenario, 40, utc: false));

        Assert.Contains("    " + id, lines);
        Assert.Contains("  payment", lines);
        Assert.Contains("    +5.00", lines);
    }

    [Fact]
    public void Simulate_Utc_ShowsTheTableInUtc()
    {
        var path = Path.Combine(Path.GetTempPath(), "arrears-shanghai-" + Guid.NewGuid().ToString("N") + ".json");
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("pay-one-second-late.scenario.json")))!;
        node["account"]!["timeZone"] = "Asia/Shanghai";
        File.WriteAllText(path, node.ToJsonString());
        try
        {
            var local = Cli.Run("simulate", "--format", "table", path);
            var utc = Cli.Run("simulate", "--format", "table", "--utc", path);
            var json = Cli.Run("simulate", "--utc", path);

            Assert.Equal((0, ""), (local.Exit, local.Error));
            Assert.Contains("2026-02-02 16:30:01 +08", local.Out, StringComparison.Ordinal);
            Assert.Equal((0, ""), (utc.Exit, utc.Error));
            Assert.Contains("2026-02-02 08:30:01", utc.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("+08", utc.Out, StringComparison.Ordinal);
            Assert.Equal(Cli.Run("simulate", path), json);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(false, null, true, null)]
    [InlineData(false, "40", true, null)]
    [InlineData(true, null, false, 80)]
    [InlineData(true, "132", false, 132)]
    [InlineData(true, "40", false, 40)]
    [InlineData(true, "1", false, 1)]
    [InlineData(true, "0", false, 80)]
    [InlineData(true, "-40", false, 80)]
    [InlineData(true, " 40", false, 80)]
    [InlineData(true, "wide", false, 80)]
    [InlineData(true, "99999", false, 80)]
    public void CliConsoleDetect_RedirectedOrNotWithColumns_ColumnsOnlyWhenRedirectedElse80(bool redirected, string? columns, bool interactive, int? width)
    {
        Assert.Equal(new CliConsole(interactive, width), CliConsole.Detect(redirected, columns));
    }

    [Fact]
    public void TableInstantsFormatOffset_WholeHoursMinutesOrSeconds_ShortestExactForm()
    {
        Assert.Equal(
            ["+08", "+00", "-03", "+05:30", "-03:30", "+12:45", "-00:01:15"],
            new[] { Offset.FromHours(8), Offset.Zero, Offset.FromHours(-3), Offset.FromHoursAndMinutes(5, 30), Offset.FromHoursAndMinutes(-3, -30), Offset.FromHoursAndMinutes(12, 45), Offset.FromSeconds(-75) }
                .Select(TableInstants.FormatOffset));
    }

    [Fact]
    public void TableInstantsFor_ZoneAlwaysUtcOrTheUtcOption_UtcLayoutElseTheZone()
    {
        Assert.Same(TableInstants.Utc, TableInstants.For(DateTimeZone.Utc, utc: false));
        Assert.Same(TableInstants.Utc, TableInstants.For(DateTimeZoneProviders.Tzdb["Etc/UTC"], utc: false));
        Assert.Same(TableInstants.Utc, TableInstants.For(DateTimeZoneProviders.Tzdb["Asia/Shanghai"], utc: true));
        Assert.Equal("Asia/Shanghai", TableInstants.For(DateTimeZoneProviders.Tzdb["Asia/Shanghai"], utc: false).ZoneId);
        Assert.Equal("2026-02-01 16:30:00.25 +08", TableInstants.For(DateTimeZoneProviders.Tzdb["Asia/Shanghai"], utc: false).Format(Instant.FromUtc(2026, 2, 1, 8, 30) + Duration.FromMilliseconds(250)));
    }

    private static Scenario Shanghai()
    {
        var node = JsonNode.Parse(File.ReadAllText(Cli.Example("pay-one-second-late.scenario.json")))!;
        node["account"]!["timeZone"] = "Asia/Shanghai";
        return ScenarioJson.Read(node.ToJsonString()).Scenario!;
    }

    [Fact]
    public void Write_Holds_ShowsEachHoldAndRevocationAndWhatEachDeferred()
    {
        var scenario = ScenarioJson.Read(File.ReadAllText(Cli.Example("purge-hold-dispute.scenario.json"))).Scenario!;

        var lines = Lines(Render(scenario, 200, utc: true)).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();

        Assert.Contains("2026-06-10 00:00 hold h1 Purge open-ended, by finance-2: charge c1 disputed by the customer -30.00", lines);
        Assert.Contains("2026-06-20 00:00 revoke r1 ends h1, by finance-2: dispute resolved, the charge stands; purge allowed from 20 June -30.00", lines);
        Assert.Contains("Purged RetentionExpired (was Suspended), deferred from 2026-06-12 00:00 UTC by h1", lines);
    }

    [Fact]
    public void Write_SeveralProducts_NamesTheProductOfEachTransition()
    {
        var scenario = ScenarioJson.Read("""
            {
              "products": [{ "product": "apigw", "policy": "tencent-api-gateway" }, { "product": "cvm", "policy": "tencent-cvm" }],
              "account": { "id": "acct", "currency": "CNY", "creator": "owner@example.com" },
              "entries": [{ "id": "c1", "kind": "charge", "at": "2026-03-01T00:00:00Z", "amount": "10.00" }],
              "until": "2026-03-03T00:00:00Z"
            }
            """).Scenario!;

        var lines = Lines(Render(scenario, 200, utc: true)).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();

        Assert.Contains("acct (CNY), products apigw (tencent-api-gateway), cvm (tencent-cvm), until 2026-03-03 00:00 UTC", lines);
        Assert.Contains("2026-03-01 02:00 Suspended cvm: GraceExpired (was Overdue) -10.00", lines);
        Assert.Contains("2026-03-02 00:00 Suspended apigw: GraceExpired (was Overdue) -10.00", lines);
    }

    private static string Render(Scenario scenario, int width, bool utc)
    {
        using var writer = new StringWriter();
        TimelineTable.Write(new CliConsole(false, width).Create(writer), scenario, Simulator.Run(scenario), TableInstants.For(scenario.TimeZone, utc));
        return writer.ToString().ReplaceLineEndings("\n");
    }

    private static string[] Lines(string text) => Cli.Lines(text);

    /// <summary>
    /// Renders at every width and checks that each id (account, policy, entries, charges, recipients, channels) and each
    /// instant shown is whole on one line, and that a line wider than the width holds a single atom.
    /// </summary>
    private static void AssertWholeAtEveryWidth(Scenario scenario, TableInstants instants)
    {
        var timeline = Simulator.Run(scenario);
        var ids = new List<string> { timeline.Account, scenario.Policy.Name };
        ids.AddRange(timeline.Entries.Select(e => e.Id));
        ids.AddRange(timeline.Charges.Select(c => c.Id));
        ids.AddRange(timeline.Notifications.SelectMany(n => new[] { n.Recipient, n.Channel }));
        var shown = new List<Instant>();
        shown.AddRange(timeline.Entries.Select(e => e.At));
        shown.AddRange(timeline.Charges.Select(c => c.At));
        shown.AddRange(timeline.Transitions.Select(t => t.At));
        shown.AddRange(timeline.Notifications.Select(n => n.At));
        ids.AddRange(scenario.Holds.Holds.SelectMany(h => new[] { h.Id, h.GrantedBy }));
        ids.AddRange(scenario.Holds.Revocations.Select(r => r.Id));
        shown.AddRange(scenario.Holds.Holds.Select(h => h.From));
        shown.AddRange(scenario.Holds.Revocations.Select(r => r.At));

        // Instants inside the details (a hold's end, where a deferred transition would have taken effect) stand alone.
        var inDetails = scenario.Holds.Holds.Where(h => h.Until.HasValue).Select(h => h.Until!.Value)
            .Concat(timeline.Transitions.Where(t => t.DeferredFrom.HasValue).Select(t => t.DeferredFrom!.Value))
            .Select(instants.FormatAlone)
            .ToList();
        var whole = ids.Select(Terminal.Printable)
            .Concat(inDetails)
            .Concat(shown.Select(instants.Format))
            .Append(instants.FormatAlone(scenario.Until))
            .Concat(timeline.Final.NextReviewAt is { } next ? [instants.FormatAlone(next)] : [])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var atoms = whole.Concat(shown.Select(instants.FormatAlone))
            .Concat(timeline.Notifications.GroupBy(n => (n.At, n.Kind)).Select(g => string.Join(", ", g.Select(n => n.Channel).Distinct(StringComparer.Ordinal))))
            .ToHashSet(StringComparer.Ordinal);

        foreach (var width in Widths)
        {
            var lines = Lines(Render(scenario, width, instants == TableInstants.Utc));
            foreach (var atom in whole)
            {
                Assert.True(lines.Any(l => l.Contains(atom, StringComparison.Ordinal)), $"width {width}: \"{atom}\" is not whole on any line");
            }

            foreach (var line in lines)
            {
                var content = line.Trim().Trim('(', ')', ',', ':');
                Assert.True(Atoms.Width(line) <= width || !content.Contains(' ', StringComparison.Ordinal) || atoms.Contains(content), $"width {width}: a line of {Atoms.Width(line)} cells holds more than one atom: {line}");
            }
        }
    }
}
