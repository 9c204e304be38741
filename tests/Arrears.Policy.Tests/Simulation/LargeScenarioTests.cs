using NodaTime;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>Explaining a long ledger is n log n, not quadratic: 50,000 entries are told within the normal test run.</summary>
public class LargeScenarioTests
{
    /// <summary>The number of ledger entries of <see cref="Scenario"/>.</summary>
    internal const int Count = 50_000;

    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    /// <summary>
    /// An entry every 10 minutes from an opening balance of 10.00 CNY: a charge of 5.00 then a payment of 5.00, except
    /// that entries 30000 to 30399 are all charges (the account falls behind and is suspended) and entry 30400 pays the
    /// 1990.00 owed (it resumes). The final balance is 5.00.
    /// </summary>
    internal static Scenario Scenario()
    {
        var entries = new List<LedgerEntry>(Count);
        for (var i = 0; i < Count; i++)
        {
            entries.Add(i switch
            {
                30_400 => new LedgerEntry("settle", LedgerEntryKind.Payment, At(i), 1990m),
                _ when i % 2 == 0 || i is >= 30_000 and < 30_400 => new LedgerEntry($"c{i}", LedgerEntryKind.Charge, At(i), 5m),
                _ => new LedgerEntry($"p{i}", LedgerEntryKind.Payment, At(i), 5m),
            });
        }

        return new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct-long", "owner@example.com"), Currency.FromCode("CNY"), Instant.FromUtc(2027, 1, 1, 0, 0), openingBalance: 10m, entries: entries);
    }

    /// <summary>The instant of entry <paramref name="i"/>.</summary>
    internal static Instant At(int i) => Start + Duration.FromMinutes(10L * i);

    [Fact]
    public void Explain_FiftyThousandEntries_TellsEveryEntryAndTheSuspension()
    {
        var scenario = Scenario();
        var timeline = Simulator.Run(scenario);

        var sentences = TimelineExplainer.Explain(scenario, timeline);

        Assert.Equal(Count, timeline.Entries.Count);
        Assert.Equal(Count, sentences.Count(s => s.StartsWith("On ", StringComparison.Ordinal)));
        Assert.Equal("On 1 Jan 2026 00:10 UTC: payment p1 of 5.00 CNY. The balance is now 10.00 CNY.", sentences[2]);
        var overdue = $"On {TimelineExplainer.Format(At(30_002))}: charge c30002 of 5.00 CNY. The balance is now -5.00 CNY.";
        var at = sentences.ToList().IndexOf(overdue);
        Assert.True(at > 0, "the sentence of entry 30002 is missing");
        Assert.StartsWith($"Overdue on {TimelineExplainer.Format(At(30_002))}: the balance fell to -5.00 CNY, below zero;", sentences[at + 1], StringComparison.Ordinal);
        Assert.Contains(
            $"Suspended on {TimelineExplainer.Format(At(30_146))}: 24 hours passed after the balance fell to -5.00 CNY on {TimelineExplainer.Format(At(30_002))} without full payment; the balance is -725.00 CNY.",
            sentences.Select(s => s.Split(" Configuration")[0]));
        Assert.Contains(sentences, s => s.StartsWith($"Resumed on {TimelineExplainer.Format(At(30_400))}: the balance reached 0.00 CNY", StringComparison.Ordinal));
        Assert.Equal("At the end of the replay (1 Jan 2027 00:00 UTC) the account is Active with a balance of 5.00 CNY; nothing further is scheduled.", sentences[^1]);
    }
}
