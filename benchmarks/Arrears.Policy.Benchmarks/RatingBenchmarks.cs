using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Arrears.Policy.Benchmarks;

/// <summary>
/// Rating an account's usage at an hourly evaluation: 30 days of hourly usage of three items (hourly tiered API calls,
/// daily tiered storage, monthly seats). Before, the evaluator rated all of it every time; now it rates only the usage
/// whose cycles may have closed since its last commit.
/// </summary>
[MemoryDiagnoser]
public class RatingBenchmarks
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private AccountRegistration _registration = null!;
    private UsageRecord[] _usage = null!;
    private Instant _lastCommit;

    [GlobalSetup]
    public void Setup()
    {
        BillingItem[] items =
        [
            new("calls", 10_000m, 0.06m, BillingCycle.Every(Duration.FromHours(1)), Duration.FromMinutes(30), tiers: [new PriceTier(1_000_000m, 0.06m), new PriceTier(2_000_000m, 0.0525m)]),
            new("storage", 1m, 0.01m, BillingCycle.Day, Duration.FromHours(2), tiers: [new PriceTier(100m, 0.02m), new PriceTier(1_000m, 0.01m)]),
            new("seats", 1m, 7m, BillingCycle.Month),
        ];
        _registration = new AccountRegistration(new AccountProfile("acct", "owner"), "api-gateway", Currency.FromCode("CNY"), Shanghai, 100m, items);
        var start = Instant.FromUtc(2026, 3, 1, 0, 0);
        var usage = new List<UsageRecord>();
        for (var hour = 0; hour < 24 * 30; hour++)
        {
            var at = start + Duration.FromHours(hour) + Duration.FromMinutes(7);
            usage.Add(new UsageRecord("calls", at, 20_000m + (hour % 13 * 1_000m)));
            usage.Add(new UsageRecord("storage", at, 3m));
            usage.Add(new UsageRecord("seats", at, hour % 24 == 0 ? 1m : 0m));
        }

        _usage = [.. usage];
        _lastCommit = start + Duration.FromHours(24 * 30);
    }

    /// <summary>All 2,160 records, every evaluation (what the evaluator did before).</summary>
    [Benchmark(Baseline = true)]
    public int RateEverything() => Rating.Rate(_registration.Items, _usage, _registration.Currency, _registration.TimeZone).Count;

    /// <summary>Only the records whose cycles may close after the last commit an hour ago (what it does now).</summary>
    [Benchmark]
    public int RateSinceLastCommit()
    {
        var recent = BulkEvaluator.UsageToRate(_registration, _usage, _lastCommit);
        return Rating.Rate(_registration.Items, recent, _registration.Currency, _registration.TimeZone).Count;
    }
}
