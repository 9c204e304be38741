// A host application that knows Arrears.Policy only through its NuGet packages. It registers the library with the
// dependency-injection entry point over a SQLite file, drives the runtime with a FakeClock through a charge, a
// suspension and a payment, checks every notification and enforcement call the runtime delivered, and reads the audit
// trail back as a restarted host would. Exit code 0 when all is as expected, 1 with one line per difference otherwise.
using System.Collections.Concurrent;
using System.Reflection;
using Arrears.Policy;
using Arrears.Policy.Notifications;
using Arrears.Policy.Presets;
using Arrears.Policy.Runtime;
using Arrears.Policy.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

var ct = CancellationToken.None;
var clock = new FakeClock(Instant.FromUtc(2026, 2, 1, 8, 30));
var directory = new InMemoryRecipientDirectory();
directory.Set("owner", new RecipientContact("owner@example.com", "+8613800000000"));
var email = new RecordingNotifier("Email", ContactKind.Email);
var sms = new RecordingNotifier("SMS", ContactKind.Phone);
var gateway = new RecordingGateway();

var database = Path.Combine(Path.GetTempPath(), $"arrears-consumer-{Guid.NewGuid():N}.db");
ServiceProvider Host()
{
    var services = new ServiceCollection();
    services.AddSingleton<IClock>(clock);
    services.AddArrearsPolicy()
        .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)   // 24 hours of grace, then suspended; Email and SMS
        .UseSqliteStore($"Data Source={database}")                  // the file and its schema are created on first use
        .AddNotifier(email)
        .AddNotifier(sms)
        .UseEnforcementHandler(gateway)
        .UseRecipientDirectory(directory);
    return services.BuildServiceProvider();
}

var provider = Host();
var runtime = provider.GetRequiredService<ArrearsRuntime>();

// Day 1, 08:30: a charge the account cannot pay. It is overdue at once.
await runtime.RegisterAsync(new AccountRegistration(new AccountProfile("acct-1", "owner"), "api-gateway", Currency.FromCode("CNY"), DateTimeZone.Utc), ct);
await runtime.AppendAsync("acct-1", [new LedgerEntry("c1", LedgerEntryKind.Charge, clock.GetCurrentInstant(), 25.00m)], ct);
await runtime.RunOnceAsync(ct);

// Day 2, 08:30: the grace period is over, the account is suspended.
clock.Advance(Duration.FromHours(24));
await runtime.RunOnceAsync(ct);

// Day 2, 09:00: the arrears are paid; the account resumes.
clock.Advance(Duration.FromMinutes(30));
await runtime.AppendAsync("acct-1", [new LedgerEntry("p1", LedgerEntryKind.Payment, clock.GetCurrentInstant(), 25.00m)], ct);
await runtime.RunOnceAsync(ct);

var delivered = email.Delivered.Concat(sms.Delivered).OrderBy(line => line, StringComparer.Ordinal).ToList();
string[] expectedNotifications =
[
    "acct-1/1/Overdue/owner/Email to owner@example.com: Account acct-1: payment overdue",
    "acct-1/1/Overdue/owner/SMS to +8613800000000",
    "acct-1/1/Resumed/owner/Email to owner@example.com: Account acct-1: service resumed",
    "acct-1/1/Resumed/owner/SMS to +8613800000000",
    "acct-1/1/Suspended/owner/Email to owner@example.com: Account acct-1: service suspended",
    "acct-1/1/Suspended/owner/SMS to +8613800000000",
];
string[] expectedEnforcement = ["Suspend acct-1/1/Suspend at 2026-02-02T08:30:00Z", "Resume acct-1/1/Resume at 2026-02-02T09:00:00Z"];

// A second host over the same file, as after a restart, reads the audit trail the first one wrote.
await provider.DisposeAsync();
List<string> history;
await using (var restarted = Host())
{
    var store = restarted.GetRequiredService<ArrearsRuntime>().Store;
    Console.WriteLine($"store {store.GetType().FullName}");
    history = [.. (await store.HistoryAsync("acct-1", ct)).Select(record => $"{record.From} -> {record.To} at {record.At}")];
}

foreach (var file in new[] { database, database + "-wal", database + "-shm" })
{
    File.Delete(file);
}

string[] expectedHistory =
[
    "Active -> Overdue at 2026-02-01T08:30:00Z",
    "Overdue -> Suspended at 2026-02-02T08:30:00Z",
    "Suspended -> Active at 2026-02-02T09:00:00Z",
];

foreach (var assembly in new[] { typeof(AccountPolicy), typeof(ArrearsPolicyServiceCollectionExtensions), typeof(EnglishNotificationTemplates), typeof(SqliteArrearsStore) })
{
    var version = assembly.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    Console.WriteLine($"package {assembly.Assembly.GetName().Name} {version}");
}

var problems = new List<string>();
Check("notification", expectedNotifications, delivered);
Check("enforcement", expectedEnforcement, gateway.Done);
Check("transition", expectedHistory, history);
foreach (var problem in problems)
{
    Console.Error.WriteLine(problem);
}

Console.WriteLine(problems.Count == 0
    ? $"ok: {delivered.Count} notifications, {gateway.Done.Count} enforcement calls, {history.Count} transitions as expected"
    : $"FAILED: {problems.Count} differences");
return problems.Count == 0 ? 0 : 1;

void Check(string what, IReadOnlyList<string> expected, IReadOnlyCollection<string> actual)
{
    foreach (var line in actual)
    {
        Console.WriteLine($"{what}: {line}");
    }

    problems.AddRange(expected.Except(actual).Select(line => $"missing {what}: {line}"));
    problems.AddRange(actual.Except(expected).Select(line => $"unexpected {what}: {line}"));
    if (actual.Count != expected.Count)
    {
        problems.Add($"{what}s: expected {expected.Count}, got {actual.Count}");
    }
    else if (!expected.SequenceEqual(actual))
    {
        problems.Add($"{what}s: expected in the order {string.Join("; ", expected)}");
    }
}

/// <summary>A notifier that records what it would send: the key, the address and, for email, the subject.</summary>
internal sealed class RecordingNotifier(string channel, ContactKind contact) : INotifier
{
    public ConcurrentQueue<string> Delivered { get; } = new();

    public string Channel => channel;

    public ContactKind Contact => contact;

    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        var line = $"{delivery.Key} to {delivery.Address}";
        if (contact == ContactKind.Email)
        {
            line += $": {EnglishNotificationTemplates.Instance.Email(delivery).Subject}";
        }

        Delivered.Enqueue(line);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}

/// <summary>The host's switch for its APIs; here it records each call.</summary>
internal sealed class RecordingGateway : IEnforcementHandler
{
    public ConcurrentQueue<string> Done { get; } = new();

    public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
    {
        Done.Enqueue($"{action.Kind} {action.Key} at {action.At}");
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
