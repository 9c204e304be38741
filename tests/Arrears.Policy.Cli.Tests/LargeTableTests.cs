using NodaTime;

namespace Arrears.Policy.Cli.Tests;

/// <summary>Drawing a long timeline is n log n, not quadratic: a table of 50,000 entries is drawn within the normal test run.</summary>
public class LargeTableTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    private static Instant At(int i) => Start + Duration.FromMinutes(10L * i);

    [Fact]
    public void TimelineTable_FiftyThousandEntries_ShowsEveryEntryWithTheBalanceAfterItsInstant()
    {
        // A charge of 5.00 then a payment of 5.00 every 10 minutes from 10.00, except that entries 30000 to 30399 are all
        // charges (the account is suspended) and entry 30400 pays the 1990.00 owed.
        const int Count = 50_000;
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

        var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct-long", "owner@example.com"), Currency.FromCode("CNY"), Instant.FromUtc(2027, 1, 1, 0, 0), openingBalance: 10m, entries: entries);
        using var writer = new StringWriter();

        TimelineTable.Write(new CliConsole(false, 200).Create(writer), scenario, Simulator.Run(scenario));

        var lines = writer.ToString().Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(Count, lines.Count(l => l.Contains(" charge c", StringComparison.Ordinal) || l.Contains(" payment p", StringComparison.Ordinal) || l.Contains(" payment settle", StringComparison.Ordinal)));
        Assert.Contains("2026-01-01 00:10 payment p1 +5.00 10.00", lines);
        Assert.Contains($"{TableInstants.Utc.Format(At(30_002))} charge c30002 -5.00 -5.00", lines);
        Assert.Contains($"{TableInstants.Utc.Format(At(30_146))} charge c30146 -5.00 -725.00", lines);
        Assert.Contains("Suspended GraceExpired (was Overdue)", lines);
        Assert.Contains($"{TableInstants.Utc.Format(At(30_400))} payment settle +1990.00 0.00", lines);
        Assert.Contains("Final: Active, balance 5.00 CNY, next review none", lines);
    }
}
