using NodaTime;

namespace Arrears.Policy.Benchmarks.Bulk;

/// <summary>What an account of the bulk population is doing.</summary>
public enum Mix
{
    /// <summary>Healthy and idle: a positive balance and nothing new (90 %).</summary>
    Healthy,

    /// <summary>Overdue, within its grace period (7 %).</summary>
    Overdue,

    /// <summary>Suspended, within its retention period (2 %).</summary>
    Suspended,

    /// <summary>Transitioning: a charge or a payment arrives every hour, flipping it between Active and Overdue (1 %).</summary>
    Transitioning,
}

/// <summary>One account of the population: its facts before <see cref="Population.Start"/>.</summary>
/// <param name="Index">The account's position.</param>
/// <param name="Profile">The account.</param>
/// <param name="Opening">The opening balance.</param>
/// <param name="Mix">What it is doing.</param>
/// <param name="Entries">Its ledger entries (20 to 50), in time order, all before <see cref="Population.Start"/>.</param>
public sealed record AccountSpec(int Index, AccountProfile Profile, decimal Opening, Mix Mix, LedgerEntry[] Entries);

/// <summary>
/// The bulk population of the issue, the same for the engine and the baseline: 90 % idle healthy, 7 % overdue in grace,
/// 2 % suspended, 1 % transitioning, 20 to 50 ledger entries each, all evaluated at <see cref="Start"/>, then once an hour.
/// </summary>
/// <remarks>
/// The policy is Alibaba Cloud's (15 days of grace, 15 days of retention, a warning one day before the purge, resume at
/// CNY 100), and every deadline lies at least a week after <see cref="Start"/>, so the mix stays the same for the first
/// 160 hourly passes. Everything is derived from the account's index, so any process builds the same population.
/// </remarks>
public static class Population
{
    /// <summary>The instant of the evaluation before the first measured pass.</summary>
    public static readonly Instant Start = Instant.FromUtc(2026, 3, 1, 0, 0);

    /// <summary>The account policy every account follows.</summary>
    public static readonly AccountPolicy Policy = AccountPolicy.For(PolicyPresets.AlibabaCloud.Policy);

    /// <summary>The currency.</summary>
    public static readonly Currency Cny = Currency.FromCode("CNY");

    /// <summary>The policy's name in the runtime's registry.</summary>
    public const string PolicyName = "alibaba-cloud";

    /// <summary>Gets or sets a fixed number of entries per account (the footprint mode's <c>--entries</c>), or <see langword="null"/> for 20 to 50.</summary>
    public static int? EntriesPerAccount { get; set; }

    /// <summary>What the account at <paramref name="index"/> is doing.</summary>
    public static Mix MixOf(int index) => (index % 100) switch
    {
        0 => Mix.Transitioning,
        1 or 2 => Mix.Suspended,
        >= 3 and <= 9 => Mix.Overdue,
        _ => Mix.Healthy,
    };

    /// <summary>Builds the account at <paramref name="index"/>.</summary>
    public static AccountSpec Account(int index)
    {
        var random = Hash((ulong)index);
        var mix = MixOf(index);
        var count = EntriesPerAccount ?? 20 + (int)(random % 31);
        var entries = new LedgerEntry[count];

        // The last entry decides the account's situation; the ones before it are an hourly history that stays positive.
        var last = mix switch
        {
            Mix.Overdue => Start - Duration.FromDays(1 + (int)((random >> 8) % 7)) - Duration.FromMinutes(17),
            Mix.Suspended => Start - Duration.FromDays(16 + (int)((random >> 8) % 7)) - Duration.FromMinutes(17),
            _ => Start - Duration.FromHours(2),
        };
        var balance = 100m;
        for (var i = 0; i < count - 1; i++)
        {
            var at = last - Duration.FromHours(count - 1 - i);
            if (i % 5 == 4)
            {
                entries[i] = new LedgerEntry($"p{i}", LedgerEntryKind.Payment, at, 30m);
                balance += 30m;
            }
            else
            {
                var amount = 1.25m + ((random >> (i % 40)) % 4);
                entries[i] = new LedgerEntry($"c{i}", LedgerEntryKind.Charge, at, amount);
                balance -= amount;
            }
        }

        // Healthy: one more charge; transitioning: down to CNY 5.00; overdue and suspended: below zero by CNY 10 to 50.
        var final = mix switch
        {
            Mix.Healthy => 2.50m,
            Mix.Transitioning => balance - 5m,
            _ => balance + 10m + ((random >> 20) % 41),
        };
        entries[count - 1] = new LedgerEntry($"c{count - 1}", LedgerEntryKind.Charge, last, final);
        return new AccountSpec(index, new AccountProfile($"acct-{index}", $"owner{index}@example.com"), 100m, mix, entries);
    }

    /// <summary>
    /// The fact a transitioning account receives during the hour before the pass at <c>Start + pass hours</c>: a charge
    /// of CNY 10 on odd passes (Active to Overdue), a payment of CNY 10 on even ones (Overdue to Active, paid).
    /// </summary>
    public static LedgerEntry Flip(int pass) =>
        pass % 2 == 1
            ? new LedgerEntry($"flip-{pass}", LedgerEntryKind.Charge, PassAt(pass) - Duration.FromMinutes(30), 10m)
            : new LedgerEntry($"flip-{pass}", LedgerEntryKind.Payment, PassAt(pass) - Duration.FromMinutes(30), 10m);

    /// <summary>The instant of pass <paramref name="pass"/> (pass 0 is the evaluation at <see cref="Start"/>).</summary>
    public static Instant PassAt(int pass) => Start + Duration.FromHours(pass);

    /// <summary>The registration of an account in the runtime.</summary>
    public static AccountRegistration Registration(AccountSpec account) =>
        new(account.Profile, PolicyName, Cny, DateTimeZone.Utc, account.Opening);

    /// <summary>The policy registry of the runtime.</summary>
    public static AccountPolicyRegistry Registry() => new(new Dictionary<string, AccountPolicy> { [PolicyName] = Policy });

    /// <summary>SplitMix64: a deterministic spread of bits from the index.</summary>
    private static ulong Hash(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
