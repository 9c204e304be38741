using System.Text.Json;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>
/// Amounts are compared as strings here, because <see cref="TimelineComparison"/> compares them as numbers and would not
/// see <c>"-4"</c> written for <c>"-4.00"</c>.
/// </summary>
public class AmountFormattingTests
{
    private static List<string> AmountStrings(string timelineJson)
    {
        using var document = JsonDocument.Parse(timelineJson);
        var root = document.RootElement;
        return
        [
            .. root.GetProperty("charges").EnumerateArray().Select(c => "charges: " + c.GetProperty("amount").GetString()),
            "final.balance: " + root.GetProperty("final").GetProperty("balance").GetString(),
        ];
    }

    [Theory]
    [MemberData(nameof(ExampleTests.Examples), MemberType = typeof(ExampleTests))]
    public void ToJson_Example_AmountStringsEqualTheExpectedFileExactly(string name)
    {
        var read = ScenarioJson.Read(File.ReadAllText(ExampleTests.ExamplePath(name + ".scenario.json")));
        Assert.True(read.IsValid, string.Join(Environment.NewLine, read.Errors));

        var actual = TimelineJson.ToJson(Simulator.Run(read.Scenario));

        Assert.Equal(AmountStrings(File.ReadAllText(ExampleTests.ExamplePath(name + ".expected.json"))), AmountStrings(actual));
    }

    private static string Scenario(string currency, string charge, string unitPrice) => $$"""
        {
          "policy": "tencent-api-gateway",
          "account": { "id": "a", "currency": "{{currency}}", "creator": "o@example.com" },
          "items": [ { "id": "calls", "unit": "1", "unitPrice": "{{unitPrice}}", "cycle": "none" } ],
          "entries": [ { "id": "c1", "kind": "charge", "at": "2026-01-01T00:00:00Z", "amount": "{{charge}}" } ],
          "usage": [ { "item": "calls", "at": "2026-01-01T01:00:00Z", "quantity": "2" } ],
          "until": "2026-01-01T12:00:00Z"
        }
        """;

    [Theory]
    [InlineData("JPY", "1200", "150", "charges: 300", "final.balance: -1500")]
    [InlineData("KWD", "1.25", "0.125", "charges: 0.250", "final.balance: -1.500")]
    [InlineData("CNY", "4", "0.5", "charges: 1.00", "final.balance: -5.00")]
    public void ToJson_CurrencyMinorUnits_WritesExactlyThatManyDecimals(string currency, string charge, string unitPrice, string expectedCharge, string expectedBalance)
    {
        var read = ScenarioJson.Read(Scenario(currency, charge, unitPrice));
        Assert.True(read.IsValid, string.Join(Environment.NewLine, read.Errors));

        var json = TimelineJson.ToJson(Simulator.Run(read.Scenario));

        Assert.Equal([expectedCharge, expectedBalance], AmountStrings(json));
    }

    [Fact]
    public void Explain_JpyAndKwd_SayAmountsWithTheCurrencyDecimals()
    {
        var jpy = ScenarioJson.Read(Scenario("JPY", "1200", "150")).Scenario!;
        var kwd = ScenarioJson.Read(Scenario("KWD", "1.25", "0.125")).Scenario!;

        Assert.EndsWith("balance of -1500 JPY; the next deadline or warning is on 2 Jan 2026 00:00 UTC.", TimelineExplainer.Explain(jpy, Simulator.Run(jpy))[^1], StringComparison.Ordinal);
        Assert.EndsWith("balance of -1.500 KWD; the next deadline or warning is on 2 Jan 2026 00:00 UTC.", TimelineExplainer.Explain(kwd, Simulator.Run(kwd))[^1], StringComparison.Ordinal);
    }
}
