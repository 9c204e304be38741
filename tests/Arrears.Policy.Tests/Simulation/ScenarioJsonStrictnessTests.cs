using System.Text;
using System.Text.Json.Nodes;
using NodaTime;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>
/// Nothing is silently dropped, rounded or replaced (lifecycle.md section 8): amounts finer than the currency, decimals
/// beyond what <see cref="decimal"/> holds, invalid UTF-8 and control characters are rejected with the path and value.
/// </summary>
public class ScenarioJsonStrictnessTests
{
    private static IReadOnlyList<string> Errors(JsonNode node) => [.. ScenarioJson.Read(node.ToJsonString()).Errors.Select(e => e.ToString())];

    private static JsonNode WithCurrency(string currency)
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node["account"]!["currency"] = currency;
        node["account"]!["balanceAlarm"] = "50";
        node["entries"]![0]!["amount"] = "10";
        node["entries"]![1]!["amount"] = "12";
        return node;
    }

    [Theory]
    [InlineData("JPY", "0.4", "entries[0].amount: must have at most 0 decimal places for JPY, got \"0.4\"")]
    [InlineData("JPY", "100.5", "entries[0].amount: must have at most 0 decimal places for JPY, got \"100.5\"")]
    [InlineData("CNY", "0.001", "entries[0].amount: must have at most 2 decimal places for CNY, got \"0.001\"")]
    [InlineData("KWD", "1.0005", "entries[0].amount: must have at most 3 decimal places for KWD, got \"1.0005\"")]
    public void Read_EntryAmountFinerThanTheCurrency_IsAnError(string currency, string amount, string expected)
    {
        var node = WithCurrency(currency);
        node["entries"]![0]!["amount"] = amount;

        Assert.Equal([expected], Errors(node));
    }

    [Theory]
    [InlineData("CNY", "10.000")]
    [InlineData("JPY", "1200.00")]
    [InlineData("KWD", "1.250")]
    [InlineData("KWD", "1.2500000")]
    public void Read_EntryAmountWithTrailingZeros_IsAccepted(string currency, string amount)
    {
        var node = WithCurrency(currency);
        node["entries"]![0]!["amount"] = amount;

        Assert.Empty(Errors(node));
    }

    [Fact]
    public void Read_AccountAndPolicyAmountsFinerThanTheCurrency_AreEachAnError()
    {
        var node = WithCurrency("JPY");
        node["account"]!["openingBalance"] = "0.5";
        node["account"]!["balanceAlarm"] = "49.9";
        node["policy"] = JsonNode.Parse("""{ "preset": "tencent-api-gateway", "tolerance": "0.01", "resumeMinimumBalance": "1.5" }""");

        Assert.Equal(
            [
                "account.openingBalance: must have at most 0 decimal places for JPY, got \"0.5\"",
                "account.balanceAlarm: must have at most 0 decimal places for JPY, got \"49.9\"",
                "policy.resumeMinimumBalance: must have at most 0 decimal places for JPY, got \"1.5\"",
                "policy.tolerance: must have at most 0 decimal places for JPY, got \"0.01\"",
            ],
            Errors(node).Order(StringComparer.Ordinal).OrderBy(e => e.StartsWith("policy", StringComparison.Ordinal)).ThenBy(e => e.Contains("balanceAlarm", StringComparison.Ordinal) ? 1 : 0));
    }

    [Fact]
    public void Read_PricesUnitsAndQuantities_KeepAnyPrecision()
    {
        var node = WithCurrency("JPY");
        node["items"]![0]!["unitPrice"] = "0.000123456789";
        node["items"]![0]!["unit"] = "0.5";
        node["usage"]![0]!["quantity"] = "2500.125";

        var read = ScenarioJson.Read(node.ToJsonString());

        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.Equal(0.000123456789m, read.Scenario.Items[0].UnitPrice);
        Assert.Equal(2500.125m, read.Scenario.Usage[0].Quantity);
    }

    [Fact]
    public void Read_JpyAmountWithDecimals_IsRejectedNotOverdue()
    {
        var json = """
            { "policy": "tencent-api-gateway",
              "account": { "id": "a", "currency": "JPY", "creator": "o@example.com" },
              "entries": [ { "id": "c1", "kind": "charge", "at": "2026-01-01T00:00:00Z", "amount": "0.4" } ],
              "until": "2026-01-02T00:00:00Z" }
            """;

        Assert.Equal(["entries[0].amount: must have at most 0 decimal places for JPY, got \"0.4\""], ScenarioJson.Read(json).Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("1.000000000000000000000000000001")]
    [InlineData("0.0000000000000000000000000000001")]
    [InlineData("12345678901234567890.123456789012")]
    [InlineData("123456789012345.12345678901234567")]
    public void Read_DecimalBeyondWhatADecimalHolds_IsAnError(string amount)
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node["items"]![0]!["unitPrice"] = amount;

        Assert.Equal([$"items[0].unitPrice: has more digits than a decimal holds, got \"{amount}\""], Errors(node));
    }

    [Theory]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("0.06000000000000000000000000000000", "0.06")]
    [InlineData("000.5", "0.5")]
    [InlineData("0.1234567890123456789012345678", "0.1234567890123456789012345678")]
    [InlineData("-0", "0")]
    public void Read_DecimalThatSurvivesParsing_IsAccepted(string price, string expected)
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node["items"]![0]!["unitPrice"] = price;

        var read = ScenarioJson.Read(node.ToJsonString());

        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), read.Scenario.Items[0].UnitPrice);
    }

    [Fact]
    public void Read_TwoEntriesDifferingBeyondDecimalPrecision_AreNotTakenForAReplay()
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node["entries"]![1] = JsonNode.Parse("""{ "id": "p1", "kind": "payment", "at": "2026-01-01T00:00:00Z", "amount": "10.000000000000000000000000000001" }""");

        Assert.Equal(["entries[1].amount: has more digits than a decimal holds, got \"10.000000000000000000000000000001\""], Errors(node));
    }

    [Fact]
    public void Read_InvalidUtf8_IsAnErrorWithLineAndColumnNotAReplacementCharacter()
    {
        byte[] json = [.. "{\n  \"policy\": \"tencent-api-gateway\",\n  \"account\": {\"id\": \"日a"u8, 0xFF, 0xFE, .. "b\"}}"u8];

        var read = ScenarioJson.Read(json);

        Assert.Equal(["$: invalid UTF-8 at line 3, column 24: byte 0xFF does not begin a valid character"], read.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ReadPolicy_InvalidUtf8_IsAnError()
    {
        byte[] json = [.. "\"tencent"u8, 0xC3, .. "\""u8];

        Assert.Equal(["$: invalid UTF-8 at line 1, column 9: byte 0xC3 does not begin a valid character"], ScenarioJson.ReadPolicy(json).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_Utf8WithByteOrderMark_ReadsLikeWithout()
    {
        var bytes = Encoding.UTF8.GetBytes(ScenarioJsonTests.Valid);

        var read = ScenarioJson.Read((byte[])[0xEF, 0xBB, 0xBF, .. bytes]);

        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.Equal(ScenarioJson.Read(bytes).Scenario!.Account.Id, read.Scenario.Account.Id);
    }

    [Fact]
    public void Read_StringWithALoneSurrogate_IsAnErrorNotAReplacementCharacter()
    {
        var json = ScenarioJsonTests.Valid.Replace("acct-1", "acct-\ud800", StringComparison.Ordinal);

        var errors = ScenarioJson.Read(json).Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(["$: invalid text at line 4, column 17: a lone UTF-16 surrogate"], errors);
    }

    [Theory]
    [InlineData("acct-\\ud800", "$: invalid JSON at line 4, column 17: the escape \\ud800 is a lone UTF-16 surrogate")]
    [InlineData("acct-\\uDC00\\uD800", "$: invalid JSON at line 4, column 17: the escape \\uDC00 is a lone UTF-16 surrogate")]
    [InlineData("acct-\\ud83d\\u0041", "$: invalid JSON at line 4, column 17: the escape \\ud83d is a lone UTF-16 surrogate")]
    [InlineData("acct-\\\\ud800\\ud83d", "$: invalid JSON at line 4, column 24: the escape \\ud83d is a lone UTF-16 surrogate")]
    public void Read_EscapedLoneSurrogate_IsAnErrorNotAnException(string id, string expected)
    {
        var json = ScenarioJsonTests.Valid.Replace("acct-1", id, StringComparison.Ordinal);

        Assert.Equal([expected], ScenarioJson.Read(json).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ReadPolicy_EscapedLoneSurrogateInAFieldName_IsAnErrorNotAnException()
    {
        Assert.Equal(
            ["$: invalid JSON at line 1, column 3: the escape \\udfff is a lone UTF-16 surrogate"],
            ScenarioJson.ReadPolicy("{\"\\udfff\": 1}").Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_EscapedSurrogatePair_IsOneCharacter()
    {
        var read = ScenarioJson.Read(ScenarioJsonTests.Valid.Replace("acct-1", "acct-\\ud83d\\ude00", StringComparison.Ordinal));

        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.Equal("acct-\U0001F600", read.Scenario.Account.Id);
    }

    [Theory]
    [InlineData("account", "id", "a\u001b[31mb", "account.id: must not contain control characters, got \"a\\u001b[31mb\"")]
    [InlineData("account", "creator", "o\u0007@example.com", "account.creator: must not contain control characters, got \"o\\u0007@example.com\"")]
    [InlineData("account", "id", "a\u009bb", "account.id: must not contain control characters, got \"a\\u009bb\"")]
    [InlineData("account", "id", "a\u007fb", "account.id: must not contain control characters, got \"a\\u007fb\"")]
    [InlineData("account", "id", "a\nb", "account.id: must not contain control characters, got \"a\\nb\"")]
    public void Read_ControlCharacterInAnAccountString_IsAnError(string obj, string field, string value, string expected)
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node[obj]![field] = value;

        Assert.Equal([expected], Errors(node));
    }

    [Fact]
    public void Read_ControlCharactersAnywhere_AreEachAnErrorNamingThePath()
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node["account"]!["collaborators"]![1] = "ops\u001b]0;x\u0007@example.com";
        node["items"]![1]!["id"] = "traf\u0000fic";
        node["entries"]![0]!["id"] = "p\u00851";
        node["usage"]![0]!["item"] = "cal\u001bls";
        node["policy"] = JsonNode.Parse("""{ "preset": "tencent-api-gateway", "channels": ["Email", "S\u001bMS"] }""");

        Assert.Equal(
            [
                "account.collaborators[1]: must not contain control characters, got \"ops\\u001b]0;x\\u0007@example.com\"",
                "entries[0].id: must not contain control characters, got \"p\\u00851\"",
                "items[1].id: must not contain control characters, got \"traf\\u0000fic\"",
                "policy.channels[1]: must not contain control characters, got \"S\\u001bMS\"",
                "usage[0].item: must not contain control characters, got \"cal\\u001bls\"",
            ],
            Errors(node).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Read_UnknownAndDuplicateFields_ShowTheirValues()
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node["account"]!["balanceAlrm"] = "5";
        var json = node.ToJsonString().Replace("\"id\":\"acct-1\",", "\"id\":\"acct-1\",\"id\":\"acct-2\",", StringComparison.Ordinal);

        Assert.Equal(
            [
                "account.id: duplicate field (the first one is \"acct-1\"), got \"acct-2\"",
                "account.balanceAlrm: unknown field, got \"5\", did you mean \"balanceAlarm\"?",
            ],
            ScenarioJson.Read(json).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Read_MalformedJsonAfterCjkText_CountsTheColumnInCharacters()
    {
        var read = ScenarioJson.Read("{\"account\": {\"id\": \"日本語\",}}");

        Assert.StartsWith("$: invalid JSON at line 1, column 26: ", read.Errors.Single().ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Malformed inputs, each described from the position the JSON reader reports and the input around it (never from
    /// the reader's message): the character found there and, where the bytes before it make it certain, what belongs there.
    /// </summary>
    [Theory]
    [InlineData("", "$: invalid JSON at line 1, column 1: the input is empty")]
    [InlineData(" \n\t ", "$: invalid JSON at line 2, column 3: the input is empty")]
    [InlineData("{", "$: invalid JSON at line 1, column 2: the input ends inside an object")]
    [InlineData("[1.", "$: invalid JSON at line 1, column 4: the input ends inside an array")]
    [InlineData("\"x", "$: invalid JSON at line 1, column 3: the input ends inside a string")]
    [InlineData("tru", "$: invalid JSON at line 1, column 4: the input ends inside a value")]
    [InlineData("{\"a\":1,}", "$: invalid JSON at line 1, column 8: unexpected \"}\" after a comma (JSON allows no trailing comma)")]
    [InlineData("[1,]", "$: invalid JSON at line 1, column 4: unexpected \"]\" after a comma (JSON allows no trailing comma)")]
    [InlineData("{1:2}", "$: invalid JSON at line 1, column 2: unexpected \"1\", expected a field name in double quotes")]
    [InlineData("{'a':1}", "$: invalid JSON at line 1, column 2: unexpected \"'\", expected a field name in double quotes")]
    [InlineData("{\"a\":1,b:2}", "$: invalid JSON at line 1, column 8: unexpected \"b\", expected a field name in double quotes")]
    [InlineData("{\u201ca\u201d:1}", "$: invalid JSON at line 1, column 2: unexpected \"\u201c\" (U+201C), expected a field name in double quotes")]
    [InlineData("{\"a\" 1}", "$: invalid JSON at line 1, column 6: unexpected \"1\", expected \":\" after a field name")]
    [InlineData("[1 2]", "$: invalid JSON at line 1, column 4: unexpected \"2\", expected \",\" or \"]\"")]
    [InlineData("{\"a\":1 \"b\":2}", "$: invalid JSON at line 1, column 8: unexpected \"\\\"\", expected \",\" or \"}\"")]
    [InlineData("{\"a\":\"x\" \"b\":2}", "$: invalid JSON at line 1, column 10: unexpected \"\\\"\", expected \",\" or \"}\"")]
    [InlineData("[1}", "$: invalid JSON at line 1, column 3: unexpected \"}\", expected \",\" or \"]\"")]
    [InlineData("[1x]", "$: invalid JSON at line 1, column 3: unexpected \"x\", expected \",\" or \"]\"")]
    [InlineData("]", "$: invalid JSON at line 1, column 1: unexpected \"]\", expected a value")]
    [InlineData("[1,,2]", "$: invalid JSON at line 1, column 4: unexpected \",\", expected a value")]
    [InlineData("{\"a\"::1}", "$: invalid JSON at line 1, column 6: unexpected \":\", expected a value")]
    [InlineData("{}x", "$: invalid JSON at line 1, column 3: unexpected \"x\" after the end of the document")]
    [InlineData("{\"a\":1}\n}", "$: invalid JSON at line 2, column 1: unexpected \"}\" after the end of the document")]
    [InlineData("{\"a\":tru}", "$: invalid JSON at line 1, column 9: unexpected \"}\"")]
    [InlineData("[1.]", "$: invalid JSON at line 1, column 4: unexpected \"]\"")]
    [InlineData("{\"a\":\"x\ty\"}", "$: invalid JSON at line 1, column 8: unexpected \"\\t\" (U+0009) in a string (control characters must be escaped)")]
    [InlineData("\"\\q\"", "$: invalid JSON at line 1, column 3: unexpected \"q\" after a backslash in a string (the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)")]
    [InlineData("\"\\\\\\q\"", "$: invalid JSON at line 1, column 5: unexpected \"q\" after a backslash in a string (the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)")]
    [InlineData("\"\\u00zz\"", "$: invalid JSON at line 1, column 6: unexpected \"z\" in a \\u escape, expected a hex digit")]
    public void Read_MalformedJson_SaysWhatIsAtThePosition(string json, string expected)
    {
        var error = ScenarioJson.Read(json).Errors.Single().ToString();

        Assert.Equal(expected, error);
    }

    [Fact]
    public void Read_NestedDeeperThan64_SaysHowDeep()
    {
        var json = new string('[', 65) + new string(']', 65);

        Assert.Equal("$: invalid JSON at line 1, column 65: nested more than 64 levels deep", ScenarioJson.Read(json).Errors.Single().ToString());
    }

    [Fact]
    public void Read_ArgumentExceptionFromTheEngine_HasNoParameterSuffix()
    {
        var node = JsonNode.Parse(ScenarioJsonTests.Valid)!;
        node["items"]![0]!["unitPrice"] = "1000000000000000";
        node["items"]![0]!["unit"] = "0.0000000001";

        var errors = Errors(node);

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.DoesNotContain("(Parameter '", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_IdsWithControlCharactersFromTheApi_AreEscaped()
    {
        var account = new AccountProfile("acct\u001b[2J", "owner\u001b]0;pwned\u0007@example.com");
        var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, account, Currency.FromCode("CNY"), Instant.FromUtc(2026, 1, 3, 0, 0), entries: [new LedgerEntry("c\u009b1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 1, 1, 0, 0), 5m)]);

        var sentences = TimelineExplainer.Explain(scenario, Simulator.Run(scenario));

        Assert.All(sentences, s => Assert.False(s.Any(char.IsControl), s));
        Assert.Contains(sentences, s => s.Contains("Account acct\\u001b[2J (CNY)", StringComparison.Ordinal));
        Assert.Contains(sentences, s => s.Contains("charge c\\u009b1 of 5.00 CNY", StringComparison.Ordinal));
        Assert.Contains(sentences, s => s.Contains("Told owner\\u001b]0;pwned\\u0007@example.com by", StringComparison.Ordinal));
    }
}
