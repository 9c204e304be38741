using System.Text;
using System.Text.Json.Nodes;
using NodaTime;

namespace Arrears.Policy.Tests.Simulation;

public class ScenarioJsonTests
{
    internal const string Valid = """
        {
          "policy": "tencent-api-gateway",
          "account": {
            "id": "acct-1", "currency": "CNY", "openingBalance": "0", "timeZone": "Asia/Shanghai",
            "creator": "owner@example.com", "collaborators": ["dev@example.com", "ops@example.com"], "balanceAlarm": "50.00"
          },
          "items": [
            { "id": "calls", "unit": "10000", "unitPrice": "0.06", "cycle": "PT1H", "settlementDelay": "PT30M" },
            { "id": "traffic", "unit": "1", "unitPrice": "0.8", "cycle": "none" }
          ],
          "entries": [
            { "id": "p1", "kind": "payment", "at": "2026-01-01T00:00:00Z", "amount": "10.00" },
            { "id": "c1", "kind": "charge",  "at": "2026-01-01T05:00:00Z", "amount": "12.50" }
          ],
          "usage": [
            { "item": "calls", "at": "2026-01-01T01:15:00Z", "quantity": "250000" }
          ],
          "until": "2026-09-01T00:00:00Z"
        }
        """;

    [Fact]
    public void Read_ContractExample_BuildsEveryField()
    {
        var result = ScenarioJson.Read(Valid);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var s = result.Scenario;
        Assert.Same(PolicyPresets.TencentApiGateway.Policy, s.Policy);
        Assert.Equal("acct-1", s.Account.Id);
        Assert.Equal(["dev@example.com", "ops@example.com"], s.Account.Collaborators);
        Assert.Equal(50.00m, s.Account.BalanceAlarm);
        Assert.Equal("CNY", s.Currency.Code);
        Assert.Equal("Asia/Shanghai", s.TimeZone.Id);
        Assert.Equal(Instant.FromUtc(2026, 9, 1, 0, 0), s.Until);
        Assert.Equal(2, s.Items.Count);
        Assert.Equal(Duration.FromMinutes(30), s.Items[0].SettlementDelay);
        Assert.Equal(BillingCycle.None, s.Items[1].Cycle);
        Assert.Equal(LedgerEntryKind.Charge, s.Entries[1].Kind);
        Assert.Equal(12.50m, s.Entries[1].Amount);
        Assert.Equal(250000m, s.Usage[0].Quantity);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Read_MinimalScenario_UsesDefaults()
    {
        var result = ScenarioJson.Read("""{"policy":"tencent-api-gateway","account":{"id":"a","currency":"JPY","creator":"c"},"until":"2026-01-01T00:00:00.5Z"}""");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(0m, result.Scenario.OpeningBalance);
        Assert.Equal(DateTimeZone.Utc, result.Scenario.TimeZone);
        Assert.Empty(result.Scenario.Items);
        Assert.Empty(result.Scenario.Entries);
        Assert.Null(result.Scenario.Account.BalanceAlarm);
        Assert.Equal(Instant.FromUtc(2026, 1, 1, 0, 0).PlusNanoseconds(500_000_000), result.Scenario.Until);
    }

    [Theory]
    [InlineData("entries", 1, "amount", "\"-5\"", "entries[1].amount: must be positive, got \"-5\"")]
    [InlineData("entries", 0, "amount", "\"0\"", "entries[0].amount: must be positive, got \"0\"")]
    [InlineData("entries", 0, "amount", "12.5", "entries[0].amount: must be a decimal in a JSON string such as \"12.50\" (a JSON number could lose precision), got 12.5")]
    [InlineData("entries", 0, "amount", "\"1e3\"", "entries[0].amount: must be a decimal such as \"12.50\", got \"1e3\"")]
    [InlineData("entries", 0, "amount", "\"1,000\"", "entries[0].amount: must be a decimal such as \"12.50\", got \"1,000\"")]
    [InlineData("entries", 0, "amount", "\"99999999999999999999999999999999\"", "entries[0].amount: must be a decimal such as \"12.50\", got \"99999999999999999999999999999999\"")]
    [InlineData("entries", 0, "amount", "\"1000000000000001\"", "entries[0].amount: must be between -1000000000000000 and 1000000000000000, got \"1000000000000001\"")]
    [InlineData("entries", 0, "amount", "null", "entries[0].amount: must be a decimal in a JSON string such as \"12.50\", got null")]
    [InlineData("entries", 0, "kind", "\"topup\"", "entries[0].kind: must be one of \"charge\", \"payment\", \"credit\", \"refund\", got \"topup\"")]
    [InlineData("entries", 0, "kind", "\"Payment\"", "entries[0].kind: must be one of \"charge\", \"payment\", \"credit\", \"refund\", got \"Payment\"")]
    [InlineData("entries", 0, "at", "\"2026-01-01T00:00:00+08:00\"", "entries[0].at: must be an ISO 8601 UTC instant such as \"2026-01-01T00:00:00Z\", got \"2026-01-01T00:00:00+08:00\"")]
    [InlineData("entries", 0, "at", "\"2026-01-01\"", "entries[0].at: must be an ISO 8601 UTC instant such as \"2026-01-01T00:00:00Z\", got \"2026-01-01\"")]
    [InlineData("entries", 0, "at", "1767225600", "entries[0].at: must be an ISO 8601 UTC instant such as \"2026-01-01T00:00:00Z\", got 1767225600")]
    [InlineData("entries", 0, "at", "\"9999-12-31T00:00:00Z\"", "entries[0].at: must be between 0001-01-01T00:00:00Z and 8999-12-31T23:59:59Z, got \"9999-12-31T00:00:00Z\"")]
    [InlineData("entries", 0, "id", "\"\"", "entries[0].id: must not be empty, got \"\"")]
    [InlineData("entries", 0, "id", "7", "entries[0].id: must be a string, got 7")]
    [InlineData("items", 0, "unit", "\"0\"", "items[0].unit: must be positive, got \"0\"")]
    [InlineData("items", 0, "unitPrice", "\"-0.06\"", "items[0].unitPrice: must not be negative, got \"-0.06\"")]
    [InlineData("items", 0, "cycle", "\"P1Y\"", "items[0].cycle: must be \"none\", a sub-day duration such as \"PT1H\", \"P1D\", \"P1W\" or \"P1M\", got \"P1Y\"")]
    [InlineData("items", 0, "cycle", "\"PT25H\"", "items[0].cycle: must be \"none\", a sub-day duration such as \"PT1H\", \"P1D\", \"P1W\" or \"P1M\", got \"PT25H\"")]
    [InlineData("items", 0, "settlementDelay", "\"-PT30M\"", "items[0].settlementDelay: must not be negative, got \"-PT30M\"")]
    [InlineData("items", 0, "settlementDelay", "\"P1M\"", "items[0].settlementDelay: must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got \"P1M\"")]
    [InlineData("items", 0, "settlementDelay", "\"30 minutes\"", "items[0].settlementDelay: must be an ISO 8601 duration such as \"PT24H\", got \"30 minutes\"")]
    [InlineData("items", 0, "settlementDelay", "\"P99999D\"", "items[0].settlementDelay: must be at most \"P36500D\", got \"P99999D\"")]
    [InlineData("usage", 0, "quantity", "\"-1\"", "usage[0].quantity: must not be negative, got \"-1\"")]
    [InlineData("usage", 0, "item", "\"cals\"", "usage[0].item: unknown billing item (known items: calls, traffic), got \"cals\"")]
    public void Read_BadArrayField_ReportsPathAndValue(string array, int index, string field, string json, string expected)
    {
        var node = JsonNode.Parse(Valid)!;
        node[array]![index]![field] = JsonNode.Parse(json);

        var result = ScenarioJson.Read(node.ToJsonString());

        Assert.False(result.IsValid);
        Assert.Equal([expected], result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("currency", "\"CYN\"", "account.currency: unknown ISO 4217 currency code, got \"CYN\"")]
    [InlineData("openingBalance", "\"-1.00\"", "account.openingBalance: must not be negative (a debt carried over is a charge with its own instant), got \"-1.00\"")]
    [InlineData("timeZone", "\"Mars/Olympus\"", "account.timeZone: unknown IANA time zone such as \"Asia/Shanghai\", got \"Mars/Olympus\"")]
    [InlineData("creator", "\"  \"", "account.creator: must not be empty, got \"  \"")]
    [InlineData("collaborators", "[\"owner@example.com\"]", "account.collaborators[0]: is already the creator or another collaborator, got \"owner@example.com\"")]
    [InlineData("collaborators", "\"dev@example.com\"", "account.collaborators: must be a JSON array, got \"dev@example.com\"")]
    [InlineData("balanceAlarm", "true", "account.balanceAlarm: must be a decimal in a JSON string such as \"12.50\", got true")]
    public void Read_BadAccountField_ReportsPathAndValue(string field, string json, string expected)
    {
        var node = JsonNode.Parse(Valid)!;
        node["account"]![field] = JsonNode.Parse(json);

        var result = ScenarioJson.Read(node.ToJsonString());

        Assert.Equal([expected], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_UnknownFieldAnywhere_IsAnErrorWithSuggestion()
    {
        var node = JsonNode.Parse(Valid)!;
        node["account"]!["balanceAlrm"] = "5";
        node["entries"]![0]!["note"] = "x";
        node["colour"] = "blue";

        var errors = ScenarioJson.Read(node.ToJsonString()).Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "colour: unknown field, got \"blue\"",
                "account.balanceAlrm: unknown field, got \"5\", did you mean \"balanceAlarm\"?",
                "entries[0].note: unknown field, got \"x\"",
            ],
            errors);
    }

    [Fact]
    public void Read_DuplicateFieldInAnObject_IsAnError()
    {
        var json = Valid.Replace("\"id\": \"acct-1\",", "\"id\": \"acct-1\", \"id\": \"acct-2\",", StringComparison.Ordinal);

        Assert.Equal(["account.id: duplicate field (the first one is \"acct-1\"), got \"acct-2\""], ScenarioJson.Read(json).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_ManyProblems_ReportsEveryOneInDocumentOrder()
    {
        var node = JsonNode.Parse(Valid)!;
        node["account"]!["currency"] = "CYN";
        node["entries"]![0]!["amount"] = "-5";
        node["entries"]![1]!["at"] = "yesterday";
        node["usage"]![0]!["quantity"] = "-3";
        node.AsObject().Remove("until");

        var errors = ScenarioJson.Read(node.ToJsonString()).Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "account.currency: unknown ISO 4217 currency code, got \"CYN\"",
                "until: is required",
                "entries[0].amount: must be positive, got \"-5\"",
                "entries[1].at: must be an ISO 8601 UTC instant such as \"2026-01-01T00:00:00Z\", got \"yesterday\"",
                "usage[0].quantity: must not be negative, got \"-3\"",
            ],
            errors);
    }

    [Theory]
    [InlineData("{\"policy\": ", "$: invalid JSON at line 1, column 12: the input ends inside an object")]
    [InlineData("{\n  \"policy\": \"x\",\n  \"account\" {}\n}", "$: invalid JSON at line 3, column 13: unexpected \"{\", expected \":\" after a field name")]
    [InlineData("{\r\n  \"policy\": \"x\",\r\n  \"account\": {},\r\n}", "$: invalid JSON at line 4, column 1: unexpected \"}\" after a comma (JSON allows no trailing comma)")]
    [InlineData("", "$: invalid JSON at line 1, column 1: the input is empty")]
    [InlineData("{\"a\":1,}", "$: invalid JSON at line 1, column 8: unexpected \"}\" after a comma (JSON allows no trailing comma)")]
    public void Read_MalformedJson_ReportsLineAndColumn(string json, string expected)
    {
        var errors = ScenarioJson.Read(json).Errors;

        var error = Assert.Single(errors);
        Assert.Equal("$", error.Path);
        Assert.Equal(expected, error.ToString());
    }

    [Fact]
    public void Read_DeepNesting_ReportsInvalidJsonInsteadOfThrowing()
    {
        var json = new string('[', 10_000) + new string(']', 10_000);

        var error = Assert.Single(ScenarioJson.Read(json).Errors);

        Assert.StartsWith("$: invalid JSON at line 1, column 65:", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "$: must be a JSON object, got an array")]
    [InlineData("null", "$: must be a JSON object, got null")]
    [InlineData("\"scenario\"", "$: must be a JSON object, got \"scenario\"")]
    public void Read_RootNotAnObject_IsAnError(string json, string expected) =>
        Assert.Equal([expected], ScenarioJson.Read(json).Errors.Select(e => e.ToString()));

    [Fact]
    public void Read_MissingRequiredFields_AreEachReported()
    {
        var errors = ScenarioJson.Read("""{"account":{"currency":"CNY"}}""").Errors.Select(e => e.ToString());

        Assert.Equal(["policy: is required (or \"products\", for an account of several products)", "account.id: is required", "account.creator: is required", "until: is required"], errors);
    }

    [Fact]
    public void Read_UnknownPreset_ListsKnownPresets()
    {
        var node = JsonNode.Parse(Valid)!;
        node["policy"] = "tencent-api-gw";

        var error = Assert.Single(ScenarioJson.Read(node.ToJsonString()).Errors);

        Assert.Equal($"policy: unknown preset \"tencent-api-gw\"; known presets: {string.Join(", ", PolicyPresets.Names)}", error.ToString());
        Assert.Contains("tencent-api-gateway", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PresetWithOverrides_AppliesOnlyTheOverrides()
    {
        var node = JsonNode.Parse(Valid)!;
        node["policy"] = JsonNode.Parse("""{"preset":"tencent-api-gateway","grace":"PT2H","graceBoundary":"Exclusive","resumeMinimumBalance":"10"}""");

        var policy = ScenarioJson.Read(node.ToJsonString()).Scenario!.Policy;

        Assert.Equal(Duration.FromHours(2), policy.Grace);
        Assert.Equal(DeadlineBoundary.Exclusive, policy.GraceBoundary);
        Assert.Equal(10m, policy.ResumeMinimumBalance);
        Assert.Equal(PolicyPresets.TencentApiGateway.Policy.Retention, policy.Retention);
        Assert.Equal(PolicyPresets.TencentApiGateway.Policy.PurgeWarnings, policy.PurgeWarnings);
    }

    [Fact]
    public void Read_FullPolicyObject_DefaultsMissingFieldsAsTheContractSays()
    {
        var policy = ScenarioJson.ReadPolicy("""{"retention":"P30D","channels":["Email"],"purgeWarnings":["P3D"],"tolerance":"1.50"}""").Policy!;

        Assert.Equal(Duration.FromHours(24), policy.Grace);
        Assert.Equal(DeadlineBoundary.Inclusive, policy.GraceBoundary);
        Assert.Equal(Duration.FromDays(30), policy.Retention);
        Assert.Equal(DeadlineBoundary.Inclusive, policy.RetentionBoundary);
        Assert.Equal(1.50m, policy.Tolerance);
        Assert.Null(policy.ResumeMinimumBalance);
        Assert.Equal([Duration.FromDays(3)], policy.PurgeWarnings);
        Assert.Equal(["Email"], policy.Channels);
    }

    [Theory]
    [InlineData("""{"grace":"-PT1H"}""", "policy.grace: must not be negative, got \"-PT1H\"")]
    [InlineData("""{"retention":"P6M"}""", "policy.retention: must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got \"P6M\"")]
    [InlineData("""{"graceBoundary":"inclusive"}""", "policy.graceBoundary: must be one of \"Inclusive\", \"Exclusive\", got \"inclusive\"")]
    [InlineData("""{"tolerance":"-1"}""", "policy.tolerance: must not be negative, got \"-1\"")]
    [InlineData("""{"purgeWarnings":["P7D","PT0S"]}""", "policy.purgeWarnings[1]: must be positive, got \"PT0S\"")]
    [InlineData("""{"channels":[]}""", "policy.channels: must name at least one channel, got []")]
    [InlineData("""{"channels":["Email","Email"]}""", "policy.channels[1]: duplicate channel, got \"Email\"")]
    [InlineData("""{"preset":"nope"}""", "policy.preset: unknown preset \"nope\"; known presets: ")]
    [InlineData("""{"grace":"PT1H","gracePeriod":"PT2H"}""", "policy.gracePeriod: unknown field")]
    [InlineData("42", "policy: must be a preset name such as \"tencent-api-gateway\" or a policy object, got 42")]
    public void ReadPolicy_BadField_ReportsPolicyPath(string json, string expectedPrefix)
    {
        var result = ScenarioJson.ReadPolicy(json);

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(expectedPrefix, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateEntryId_SameContentIsAReplayDifferentContentIsAnError()
    {
        var node = JsonNode.Parse(Valid)!;
        node["entries"]!.AsArray().Add(JsonNode.Parse("""{ "id": "p1", "kind": "payment", "at": "2026-01-01T00:00:00Z", "amount": "10.0" }"""));
        var replay = ScenarioJson.Read(node.ToJsonString());
        Assert.True(replay.IsValid, string.Join("\n", replay.Errors));
        Assert.Equal(2, replay.Scenario.Entries.Count);

        node["entries"]![2]!["amount"] = "11.00";
        var error = Assert.Single(ScenarioJson.Read(node.ToJsonString()).Errors);
        Assert.Equal("entries[2].id", error.Path);
        Assert.StartsWith("an entry with this id already exists with different content (entries[0]: payment p1 10.00 at 2026-01-01T00:00:00Z), got \"p1\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateItemId_IsAnError()
    {
        var node = JsonNode.Parse(Valid)!;
        node["items"]![1]!["id"] = "calls";

        Assert.Equal(["items[1].id: duplicate billing item id (also items[0]), got \"calls\""], ScenarioJson.Read(node.ToJsonString()).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_EntryIdEqualToARatedChargeId_IsAnError()
    {
        var node = JsonNode.Parse(Valid)!;
        node["entries"]![1]!["id"] = "calls:2026-01-01T01:00:00Z";

        Assert.Equal(
            ["entries[1].id: is also the id of a charge rated from usage, got \"calls:2026-01-01T01:00:00Z\""],
            ScenarioJson.Read(node.ToJsonString()).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_UsageWhoseChargeOverflows_IsAnErrorNotAnException()
    {
        var node = JsonNode.Parse(Valid)!;
        node["items"]![0]!["unit"] = "0.0000001";
        node["items"]![0]!["unitPrice"] = "1000000000000000";
        node["usage"]![0]!["quantity"] = "1000000000000000";

        var error = Assert.Single(ScenarioJson.Read(node.ToJsonString()).Errors);

        Assert.Equal("usage[0].quantity", error.Path);
        Assert.Contains("overflows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UsageOverflowAfterARecordBeyondUntil_NamesTheRecordsOwnPosition()
    {
        var node = JsonNode.Parse(Valid)!;
        node["items"]![0]!["unit"] = "0.0000001";
        node["items"]![0]!["unitPrice"] = "1000000000000000";
        node["usage"]![0]!["at"] = "2026-10-01T00:00:00Z";
        node["usage"]!.AsArray().Add(JsonNode.Parse("""{ "item": "calls", "at": "2026-01-01T01:15:00Z", "quantity": "1000000000000000" }"""));

        var error = Assert.Single(ScenarioJson.Read(node.ToJsonString()).Errors);

        Assert.Equal("usage[1].quantity", error.Path);
        Assert.StartsWith("the amount of item \"calls\" in the cycle starting 2026-01-01T01:00:00Z overflows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ScenarioReadFromJson_GivesTheTimelineOfTheSameScenarioBuiltInCode()
    {
        var read = ScenarioJson.Read(Valid).Scenario!;
        var built = new Scenario(read.Policy, read.Account, read.Currency, read.Until, openingBalance: read.OpeningBalance, timeZone: read.TimeZone, items: [.. read.Items], entries: [.. read.Entries], usage: [.. read.Usage]);

        Assert.Equal(Simulator.Run(built).Charges, Simulator.Run(read).Charges);
        Assert.Equal(TimelineJson.ToJson(Simulator.Run(built)), TimelineJson.ToJson(Simulator.Run(read)));
    }

    [Fact]
    public void Run_CopyOfAReadScenarioWithOtherUsage_RatesTheNewUsage()
    {
        var read = ScenarioJson.Read(Valid).Scenario!;
        var first = Simulator.Run(read).Charges;

        var doubled = read.Copy(usage: [.. read.Usage.Select(record => record.Copy(quantity: record.Quantity * 2))]);
        var charges = Simulator.Run(doubled).Charges;

        Assert.Equal(first.Select(charge => charge.Id), charges.Select(charge => charge.Id));
        Assert.Equal(first.Select(charge => charge.Amount * 2), charges.Select(charge => charge.Amount));
    }

    [Fact]
    public void Read_UsageWhoseChargeIsTooLarge_IsAnError()
    {
        var node = JsonNode.Parse(Valid)!;
        node["items"]![0]!["unit"] = "1";
        node["items"]![0]!["unitPrice"] = "1000000000";
        node["usage"]![0]!["quantity"] = "1000000000";

        var error = Assert.Single(ScenarioJson.Read(node.ToJsonString()).Errors);

        Assert.Equal("items[0]: the charge \"calls:2026-01-01T01:00:00Z\" rated from usage comes to 1000000000000000000.00, more than the largest amount 1000000000000000", error.ToString());
    }

    [Fact]
    public void Read_UsageAfterUntil_IsIgnoredByRatingChecks()
    {
        var node = JsonNode.Parse(Valid)!;
        node["items"]![0]!["unit"] = "1";
        node["items"]![0]!["unitPrice"] = "1000000000";
        node["usage"]![0]!["quantity"] = "1000000000";
        node["usage"]![0]!["at"] = "2026-10-01T00:00:00Z";

        Assert.True(ScenarioJson.Read(node.ToJsonString()).IsValid);
    }

    [Fact]
    public void Read_OddFieldNameAndLongValue_AreQuotedOnOneLine()
    {
        var node = JsonNode.Parse(Valid)!;
        node["account"]!["we\nird"] = 1;
        node["account"]!["currency"] = new string('x', 100);

        var errors = ScenarioJson.Read(node.ToJsonString()).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains("account[\"we\\nird\"]: unknown field, got 1", errors);
        Assert.Contains($"account.currency: unknown ISO 4217 currency code, got \"{new string('x', 64)}…\"", errors);
        Assert.All(errors, e => Assert.DoesNotContain('\n', e));
    }

    [Fact]
    public void Read_Stream_WithByteOrderMark_ReadsLikeText()
    {
        using var stream = new MemoryStream([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Valid)]);

        Assert.True(ScenarioJson.Read(stream).IsValid);
    }

    [Fact]
    public void ScenarioError_ToString_IsPathColonMessage() =>
        Assert.Equal("entries[3].amount: must be positive, got \"-5\"", new ValidationError("entries[3].amount", "must be positive, got \"-5\"").ToString());
}
