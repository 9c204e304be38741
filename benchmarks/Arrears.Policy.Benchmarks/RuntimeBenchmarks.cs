using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Arrears.Policy.Benchmarks;

/// <summary>
/// The runtime's latency from a payment being appended to a suspended account to the enforcement handler being called
/// with Resume: one wake of a host (evaluate what is due, then dispatch), over the in-memory store.
/// </summary>
[MemoryDiagnoser]
public class RuntimeBenchmarks
{
    private static readonly Instant Start = Instant.FromUtc(2026, 2, 1, 8, 30);
    private readonly SettableClock _clock = new();
    private ArrearsRuntime _runtime = null!;
    private CountingEnforcement _enforcement = null!;
    private int _account;

    /// <summary>Gets or sets how many other (idle) accounts the store holds.</summary>
    [Params(0, 10_000)]
    public int Others { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _clock.Now = Start;
        _enforcement = new CountingEnforcement();
        var policies = new AccountPolicyRegistry(new Dictionary<string, AccountPolicy> { ["api-gateway"] = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy) });
        _runtime = new ArrearsRuntime(new InMemoryArrearsStore(), policies, _clock, [new CountingNotifier("Email", ContactKind.Email), new CountingNotifier("SMS", ContactKind.Phone)], _enforcement, RecipientsAreAddresses.Instance);
        for (var i = 0; i < Others; i++)
        {
            Register($"idle-{i}").GetAwaiter().GetResult();
        }

        _runtime.RunOnceAsync(default).GetAwaiter().GetResult();
    }

    /// <summary>Before each payment: a new account, charged and suspended, with its suspension enforced and the outbox empty.</summary>
    [IterationSetup]
    public void SuspendOne()
    {
        var id = $"acct-{++_account}";
        _clock.Now += Duration.FromDays(1);
        Register(id).GetAwaiter().GetResult();
        _runtime.AppendAsync(id, [new LedgerEntry("c1", LedgerEntryKind.Charge, _clock.Now, 25m)], default).AsTask().GetAwaiter().GetResult();
        _runtime.RunOnceAsync(default).GetAwaiter().GetResult();
        _clock.Now += Duration.FromHours(24);
        _runtime.RunOnceAsync(default).GetAwaiter().GetResult();
        _clock.Now += Duration.FromMinutes(1);
    }

    /// <summary>Appends the payment and runs one wake; returns the number of Resume calls so far.</summary>
    [Benchmark]
    public async Task<int> PaymentToResumeEnforced()
    {
        var id = $"acct-{_account}";
        await _runtime.AppendAsync(id, [new LedgerEntry("p1", LedgerEntryKind.Payment, _clock.Now, 25m)], default).ConfigureAwait(false);
        await _runtime.RunOnceAsync(default).ConfigureAwait(false);
        return _enforcement.Resumes;
    }

    private Task<bool> Register(string id) =>
        _runtime.RegisterAsync(new AccountRegistration(new AccountProfile(id, "owner@example.com"), "api-gateway", Currency.FromCode("CNY"), DateTimeZone.Utc, 100m), default).AsTask();

    private sealed class SettableClock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }

    private sealed class CountingEnforcement : IEnforcementHandler
    {
        public int Resumes { get; private set; }

        public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
        {
            if (action.Kind == EnforcementKind.Resume)
            {
                Resumes++;
            }

            return ValueTask.FromResult(DeliveryResult.Delivered);
        }
    }

    private sealed class CountingNotifier(string channel, ContactKind contact) : INotifier
    {
        public string Channel { get; } = channel;

        public ContactKind Contact { get; } = contact;

        public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken) => ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
