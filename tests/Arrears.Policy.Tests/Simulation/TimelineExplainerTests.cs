using System.Text.Json.Nodes;
using NodaTime;

namespace Arrears.Policy.Tests.Simulation;

public class TimelineExplainerTests
{
    private static (Scenario Scenario, IReadOnlyList<string> Sentences) ExplainExample(string name, Action<JsonNode>? change = null)
    {
        var node = JsonNode.Parse(File.ReadAllText(ExampleTests.ExamplePath(name + ".scenario.json")))!;
        change?.Invoke(node);
        var scenario = ScenarioJson.Read(node.ToJsonString()).Scenario!;
        return (scenario, TimelineExplainer.Explain(scenario, Simulator.Run(scenario)));
    }

    [Fact]
    public void Explain_PayOneSecondLate_TellsSuspensionAndResumptionWithTheirCauses()
    {
        var (_, sentences) = ExplainExample("pay-one-second-late");

        Assert.Equal(
            [
                "Account acct-late (CNY) follows the policy tencent-api-gateway: 24 hours of grace (inclusive) once the balance falls below zero, then 180 days of retention (inclusive) before the purge; the opening balance is 0.00 CNY.",
                "On 1 Feb 2026 08:30 UTC: charge c1 of 25.00 CNY. The balance is now -25.00 CNY.",
                "Overdue on 1 Feb 2026 08:30 UTC: the balance fell to -25.00 CNY, below zero; the service keeps running until 2 Feb 2026 08:30 UTC (24 hours of grace, inclusive).",
                "Told owner@example.com and dev@example.com by Email and SMS on 1 Feb 2026 08:30 UTC (Overdue): the account is overdue.",
                "On 1 Feb 2026 20:00 UTC: payment p1 of 5.00 CNY. The balance is now -20.00 CNY.",
                "Suspended on 2 Feb 2026 08:30 UTC: 24 hours passed after the balance fell to -25.00 CNY on 1 Feb 2026 08:30 UTC without full payment; the balance is -20.00 CNY. Configuration and data are kept until 1 Aug 2026 08:30 UTC.",
                "Told owner@example.com and dev@example.com by Email and SMS on 2 Feb 2026 08:30 UTC (Suspended): the service is suspended.",
                "On 2 Feb 2026 08:30:01 UTC: payment p2 of 20.00 CNY. The balance is now 0.00 CNY.",
                "Resumed on 2 Feb 2026 08:30:01 UTC: the balance reached 0.00 CNY, which clears the arrears; the service runs again after 1 second suspended.",
                "Told owner@example.com and dev@example.com by Email and SMS on 2 Feb 2026 08:30:01 UTC (Resumed): the service runs again.",
                "At the end of the replay (1 Mar 2026 00:00 UTC) the account is Active with a balance of 0.00 CNY; nothing further is scheduled.",
            ],
            sentences);
    }

    [Fact]
    public void Explain_NeverPaid_TellsChargesAlarmWarningsAndPurge()
    {
        var (_, sentences) = ExplainExample("never-paid");

        Assert.Contains("On 1 Apr 2026 01:30 UTC: charge calls:2026-04-01T00:00:00Z of 24.00 CNY for calls used from 1 Apr 2026 00:00 UTC to 1 Apr 2026 01:00 UTC. The balance is now 6.00 CNY.", sentences);
        Assert.Contains("Told owner@example.com by Email and SMS on 1 Apr 2026 01:30 UTC (BalanceLow): the balance fell to 6.00 CNY, below the alarm of 10.00 CNY.", sentences);
        Assert.Contains("Told owner@example.com by Email and SMS on 22 Sep 2026 02:30 UTC (PurgeWarning): configuration and data will be destroyed on 29 Sep 2026 02:30 UTC, in 7 days, unless the balance is paid.", sentences);
        Assert.Contains("Purged on 29 Sep 2026 02:30 UTC: 180 days passed after the suspension on 2 Apr 2026 02:30 UTC without payment; configuration and data are destroyed (balance -9.00 CNY).", sentences);
        Assert.Equal("At the end of the replay (1 Nov 2026 00:00 UTC) the account is Purged with a balance of -9.00 CNY; nothing further is scheduled.", sentences[^1]);
    }

    [Fact]
    public void Explain_PaidAtDeadline_SaysActiveAgainWithinGrace()
    {
        var (_, sentences) = ExplainExample("pay-at-grace-deadline");

        Assert.Contains("Active again on 2 Feb 2026 08:30 UTC: the balance rose to 0.00 CNY within the grace period, so the account was never suspended.", sentences);
        Assert.DoesNotContain(sentences, s => s.StartsWith("Suspended", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_OpenEpisode_NamesTheNextDeadline()
    {
        var (_, sentences) = ExplainExample("pay-one-second-late", node => node["until"] = "2026-02-01T09:00:00Z");

        Assert.Equal("At the end of the replay (1 Feb 2026 09:00 UTC) the account is Overdue with a balance of -25.00 CNY; the next deadline or warning is on 2 Feb 2026 08:30 UTC.", sentences[^1]);
    }

    [Theory]
    [InlineData(24 * 60, "24 hours")]
    [InlineData(60, "1 hour")]
    [InlineData(180 * 24 * 60, "180 days")]
    [InlineData(30, "30 minutes")]
    [InlineData((4 * 24 * 60) + 90, "4 days 1 hour 30 minutes")]
    public void Words_Duration_IsPlainEnglish(long minutes, string expected) =>
        Assert.Equal(expected, TimelineExplainer.Words(Duration.FromMinutes(minutes)));

    [Fact]
    public void Format_Instant_ShowsSecondsOnlyWhenPresent()
    {
        Assert.Equal("2 Feb 2026 08:30 UTC", TimelineExplainer.Format(Instant.FromUtc(2026, 2, 2, 8, 30)));
        Assert.Equal("2 Feb 2026 08:30:01 UTC", TimelineExplainer.Format(Instant.FromUtc(2026, 2, 2, 8, 30, 1)));
        Assert.Equal("2 Feb 2026 08:30:01.5 UTC", TimelineExplainer.Format(Instant.FromUtc(2026, 2, 2, 8, 30, 1).PlusNanoseconds(500_000_000)));
    }
}

public class TimelineExplainerHoldTests
{
    private static IReadOnlyList<string> Explain(string name, DateTimeZone? zone = null, Action<System.Text.Json.Nodes.JsonNode>? change = null)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ExampleTests.ExamplePath(name + ".scenario.json")))!;
        change?.Invoke(node);
        var read = ScenarioJson.Read(node.ToJsonString());
        Assert.True(read.IsValid, string.Join(Environment.NewLine, read.Errors));
        return TimelineExplainer.Explain(read.Scenario, Simulator.Run(read.Scenario), zone);
    }

    [Fact]
    public void Explain_DeferredSuspension_SaysFromWhenToWhenAndWhoseHold()
    {
        var sentences = Explain("promise-to-pay-broken");

        Assert.Contains("Hold h1 granted by agent-7 (promised to pay in full by Friday): no suspension from 2 Mar 2026 15:00 UTC until 6 Mar 2026 00:00 UTC.", sentences);
        Assert.Contains("Suspension deferred from 3 Mar 2026 10:00 UTC to 6 Mar 2026 00:00 UTC by hold h1, granted by agent-7: promised to pay in full by Friday.", sentences);
        Assert.Contains(sentences, s => s.StartsWith("Suspended on 6 Mar 2026 00:00 UTC: 24 hours passed after the balance fell to -100.00 CNY on 2 Mar 2026 10:00 UTC without full payment, and the suspension waited for the hold to end;", StringComparison.Ordinal));
        var deferral = sentences.ToList().FindIndex(s => s.StartsWith("Suspension deferred", StringComparison.Ordinal));
        Assert.StartsWith("Suspended on", sentences[deferral + 1], StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_PurgeHoldAndRevocation_TellTheGrantTheRevocationAndBothWarnings()
    {
        var sentences = Explain("purge-hold-dispute");

        Assert.Contains("Hold h1 granted by finance-2 (charge c1 disputed by the customer): no purge from 10 Jun 2026 00:00 UTC until it is revoked.", sentences);
        Assert.Contains("Hold h1 revoked by finance-2 as of 20 Jun 2026 00:00 UTC (dispute resolved, the charge stands; purge allowed from 20 June).", sentences);
        Assert.Contains("Told owner@example.com by Email and SMS on 9 Jun 2026 00:00 UTC (PurgeWarning): configuration and data will be destroyed on 12 Jun 2026 00:00 UTC, in 72 hours, unless the balance is paid.", sentences);
        Assert.Contains("Told owner@example.com by Email and SMS on 17 Jun 2026 00:00 UTC (PurgeWarning): configuration and data will be destroyed on 20 Jun 2026 00:00 UTC, in 72 hours, unless the balance is paid.", sentences);
        Assert.Contains("Purge deferred from 12 Jun 2026 00:00 UTC to 20 Jun 2026 00:00 UTC by hold h1, granted by finance-2: charge c1 disputed by the customer.", sentences);
    }

    [Fact]
    public void Explain_AccountInAZoneWithDaylightSaving_ShowsLocalTimesWithTheirOffsetsOrUtcOnRequest()
    {
        void InLondon(System.Text.Json.Nodes.JsonNode node) => node["account"]!["timeZone"] = "Europe/London";

        var local = Explain("promise-to-pay-broken", change: InLondon);
        var utc = Explain("promise-to-pay-broken", DateTimeZone.Utc, InLondon);

        // London is on GMT (+00:00) in March before the 29th and on BST (+01:00) from then on, when data is kept until September.
        Assert.Contains("Suspension deferred from 3 Mar 2026 10:00 +00:00 to 6 Mar 2026 00:00 +00:00 by hold h1, granted by agent-7: promised to pay in full by Friday.", local);
        Assert.Contains(local, s => s.EndsWith("Configuration and data are kept until 2 Sep 2026 01:00 +01:00.", StringComparison.Ordinal));
        Assert.Contains("Suspension deferred from 3 Mar 2026 10:00 UTC to 6 Mar 2026 00:00 UTC by hold h1, granted by agent-7: promised to pay in full by Friday.", utc);
        Assert.DoesNotContain(utc, s => s.Contains("+0", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_SeveralProducts_TellsEachProductsPolicyAndFinalState()
    {
        var sentences = Explain("promise-to-pay-broken", change: node =>
        {
            var obj = node.AsObject();
            obj.Remove("policy");
            obj["products"] = System.Text.Json.Nodes.JsonNode.Parse("""[{ "product": "apigw", "policy": "tencent-api-gateway" }, { "product": "cvm", "policy": { "preset": "tencent-api-gateway", "grace": "P30D" } }]""");
            node["holds"]![0]!["product"] = "apigw";
        });

        Assert.Equal("Account acct-promise (CNY) has 2 products sharing one balance; the opening balance is 0.00 CNY.", sentences[0]);
        Assert.StartsWith("Product cvm follows the policy custom: 30 days of grace (inclusive)", sentences[2], StringComparison.Ordinal);
        Assert.Contains("Suspension [apigw] deferred from 3 Mar 2026 10:00 UTC to 6 Mar 2026 00:00 UTC by hold h1, granted by agent-7: promised to pay in full by Friday.", sentences);
        Assert.Contains(sentences, s => s.StartsWith("Overdue [cvm] on 2 Mar 2026 10:00 UTC: the balance fell to -100.00 CNY, below zero; the service keeps running until 1 Apr 2026 10:00 UTC (30 days of grace", StringComparison.Ordinal));
        Assert.StartsWith("At the end of the replay (10 Mar 2026 00:00 UTC) the account is Suspended (apigw Suspended, cvm Overdue) with a balance of -60.00 CNY", sentences[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Format_InAZone_ShowsTheOffsetAndUtcAsUtc()
    {
        var shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

        Assert.Equal("2 Feb 2026 16:30 +08:00", TimelineExplainer.Format(Instant.FromUtc(2026, 2, 2, 8, 30), shanghai));
        Assert.Equal("2 Feb 2026 16:30:01 +08:00", TimelineExplainer.Format(Instant.FromUtc(2026, 2, 2, 8, 30, 1), shanghai));
        Assert.Equal("2 Feb 2026 08:30 UTC", TimelineExplainer.Format(Instant.FromUtc(2026, 2, 2, 8, 30), DateTimeZoneProviders.Tzdb["Etc/UTC"]));
    }
}
