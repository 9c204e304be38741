using System.Collections.Concurrent;
using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Tests.Runtime;

/// <summary>A runtime over an in-memory store with a fake clock, recording notifiers for Email and SMS, and a recording enforcement handler.</summary>
internal sealed class RuntimeHarness
{
    public static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30);

    public RuntimeHarness(IArrearsStore? store = null, Instant? start = null, IReadOnlyDictionary<string, AccountPolicy>? policies = null, ArrearsRuntimeOptions? options = null)
    {
        Clock = new FakeClock(start ?? T0 - Duration.FromHours(1));
        Store = store ?? new InMemoryArrearsStore();
        Policies = new AccountPolicyRegistry(policies ?? new Dictionary<string, AccountPolicy> { ["api-gateway"] = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy) });
        Directory.Set("owner", new RecipientContact("owner@example.com", "+8613800000001"));
        Directory.Set("dev", new RecipientContact("dev@example.com", "+8613800000002"));
        Options = options ?? new ArrearsRuntimeOptions { MaxDegreeOfParallelism = 2 };
        Runtime = Build();
    }

    public FakeClock Clock { get; }

    public IArrearsStore Store { get; }

    public AccountPolicyRegistry Policies { get; }

    public ArrearsRuntimeOptions Options { get; }

    public InMemoryRecipientDirectory Directory { get; } = new();

    public RecordingNotifier Email { get; } = new("Email", ContactKind.Email);

    public RecordingNotifier Sms { get; } = new("SMS", ContactKind.Phone);

    public RecordingEnforcement Enforcement { get; } = new();

    public ArrearsRuntime Runtime { get; private set; }

    /// <summary>A new runtime over the same store, as after a process restart.</summary>
    public ArrearsRuntime Build(IArrearsStore? store = null) =>
        Runtime = new ArrearsRuntime(store ?? Store, Policies, Clock, [Email, Sms], Enforcement, Directory, Options);

    public static AccountRegistration Account(string id = "acct", string policy = "api-gateway", decimal opening = 0m, DateTimeZone? zone = null, IReadOnlyList<BillingItem>? items = null) =>
        new(new AccountProfile(id, "owner", collaborators: ["dev"]), policy, Currency.FromCode("CNY"), zone ?? DateTimeZone.Utc, opening, items);

    public static LedgerEntry Charge(string id, Instant at, decimal amount) => new(id, LedgerEntryKind.Charge, at, amount);

    public static LedgerEntry Payment(string id, Instant at, decimal amount) => new(id, LedgerEntryKind.Payment, at, amount);

    /// <summary>Moves the clock to <paramref name="at"/> and runs one evaluation and dispatch pass.</summary>
    public async Task<(EvaluationSummary Evaluation, DispatchSummary Dispatch)> RunAtAsync(Instant at)
    {
        Clock.Reset(at);
        return await Runtime.RunOnceAsync(CancellationToken.None);
    }

    /// <summary>Runs at every due instant up to and including <paramref name="until"/>, as a host that sleeps until due would.</summary>
    public async Task RunUntilAsync(Instant until)
    {
        await Runtime.RunOnceAsync(CancellationToken.None);
        var passes = 0;
        while (await Runtime.NextDueAsync(CancellationToken.None) is { } due && due <= until)
        {
            // A store whose next due instant never moves would make a host spin: fail instead of looping forever.
            Assert.True(++passes < 10_000, $"the store stays due at {due} after {passes} passes");
            Clock.Reset(Instant.Max(due, Clock.GetCurrentInstant()));
            await Runtime.RunOnceAsync(CancellationToken.None);
        }

        Clock.Reset(Instant.Max(until, Clock.GetCurrentInstant()));
        await Runtime.RunOnceAsync(CancellationToken.None);
    }
}

/// <summary>Records every delivery; can be told to fail a number of times first.</summary>
internal sealed class RecordingNotifier(string channel, ContactKind contact) : INotifier
{
    private readonly ConcurrentQueue<NotificationDelivery> _deliveries = new();

    public string Channel { get; } = channel;

    public ContactKind Contact { get; } = contact;

    public IReadOnlyList<NotificationDelivery> Deliveries => [.. _deliveries];

    /// <summary>Decides the outcome of each attempt; null delivers.</summary>
    public Func<NotificationDelivery, DeliveryResult?>? Fail { get; set; }

    public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        if (Fail?.Invoke(delivery) is { } failure)
        {
            return ValueTask.FromResult(failure);
        }

        _deliveries.Enqueue(delivery);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}

/// <summary>Records every enforcement call; can be told to throw or fail.</summary>
internal sealed class RecordingEnforcement : IEnforcementHandler
{
    private readonly ConcurrentQueue<EnforcementAction> _actions = new();

    public IReadOnlyList<EnforcementAction> Actions => [.. _actions];

    public Func<EnforcementAction, DeliveryResult?>? Fail { get; set; }

    public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
    {
        if (Fail?.Invoke(action) is { } failure)
        {
            return ValueTask.FromResult(failure);
        }

        _actions.Enqueue(action);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
