using Arrears.Policy.DependencyInjection.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Extensions.Tests;

public sealed class HostedServiceTests
{
    private static readonly Currency Cny = Currency.FromCode("CNY");

    [Fact]
    public async Task HostedService_GraceExpiresThenPayment_SuspendsThenResumesWithinOneWakeEach()
    {
        var clock = new FakeClock(TestHost.Start);
        var email = new RecordingNotifier("Email");
        var enforcement = new RecordingEnforcement();
        var logs = new RecordingLoggerProvider();
        using var host = TestHost.Build(
            builder => builder
                .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
                .AddNotifier(email)
                .AddNotifier(new RecordingNotifier("SMS", ContactKind.Phone))
                .UseEnforcementHandler(enforcement),
            clock: clock,
            logs: logs);
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ArrearsRuntime>();

        // A charge with no balance: overdue at once, told by email; the service then sleeps until the grace period ends.
        await runtime.RegisterAsync(new AccountRegistration(new AccountProfile("acct-1", "owner@example.com"), "api-gateway", Cny, DateTimeZone.Utc), CancellationToken.None);
        await runtime.AppendAsync("acct-1", [new LedgerEntry("c1", LedgerEntryKind.Charge, clock.GetCurrentInstant(), 25m)], CancellationToken.None);
        var overdue = await email.Deliveries.WaitForAsync(delivery => delivery.Kind == NotificationKind.Overdue);

        // The clock passes the end of the grace period; a new entry wakes the service, which suspends.
        clock.Advance(Duration.FromHours(25));
        await runtime.AppendAsync("acct-1", [new LedgerEntry("c2", LedgerEntryKind.Charge, clock.GetCurrentInstant(), 1m)], CancellationToken.None);
        var suspend = await enforcement.Actions.WaitForAsync(action => action.Kind == EnforcementKind.Suspend);

        // Paying everything resumes the service.
        clock.Advance(Duration.FromHours(1));
        await runtime.AppendAsync("acct-1", [new LedgerEntry("p1", LedgerEntryKind.Payment, clock.GetCurrentInstant(), 26m)], CancellationToken.None);
        var resume = await enforcement.Actions.WaitForAsync(action => action.Kind == EnforcementKind.Resume);

        await host.StopAsync(new CancellationTokenSource(Recorder<object>.Timeout).Token);

        Assert.Equal(("acct-1", "owner@example.com", TestHost.Start + Duration.FromHours(24)), (overdue.Account, overdue.Address, overdue.NextDeadline));
        Assert.Equal(("acct-1/1/Suspend", TestHost.Start + Duration.FromHours(24)), (suspend.Key, suspend.At));
        Assert.Equal(("acct-1/1/Resume", TestHost.Start + Duration.FromHours(26)), (resume.Key, resume.At));
        Assert.Equal([EnforcementKind.Suspend, EnforcementKind.Resume], enforcement.Actions.Items.Select(action => action.Kind));
        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Error);
        Assert.Contains(logs.Entries, entry => entry.EventId.Id == 2 && entry.Message == "Arrears runtime stopped");
    }

    [Fact]
    public async Task HostedService_BackdatedCharge_SuspendsOnTheFirstWake()
    {
        var clock = new FakeClock(TestHost.Start);
        var enforcement = new RecordingEnforcement();
        using var host = TestHost.Build(
            builder => builder
                .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
                .AddNotifier<EmailNotifier>()
                .AddNotifier<SmsNotifier>()
                .UseEnforcementHandler(enforcement),
            clock: clock);
        var runtime = host.Services.GetRequiredService<ArrearsRuntime>();

        // Known before the account's first evaluation, the charge counts from its own instant (once an account has been
        // evaluated, a backdated entry lands at the next evaluation instant instead: decision 0004).
        await runtime.RegisterAsync(new AccountRegistration(new AccountProfile("acct-2", "owner@example.com"), "api-gateway", Cny, DateTimeZone.Utc), CancellationToken.None);
        await runtime.AppendAsync("acct-2", [new LedgerEntry("c1", LedgerEntryKind.Charge, TestHost.Start - Duration.FromDays(2), 10m)], CancellationToken.None);
        await host.StartAsync();
        var suspend = await enforcement.Actions.WaitForAsync(action => action.Kind == EnforcementKind.Suspend);

        await host.StopAsync(new CancellationTokenSource(Recorder<object>.Timeout).Token);

        Assert.Equal(("acct-2", TestHost.Start - Duration.FromDays(1)), (suspend.Account, suspend.At));
    }

    [Fact]
    public async Task HostedService_Deliveries_LogMaskedAddressesOnly()
    {
        var clock = new FakeClock(TestHost.Start);
        var email = new RecordingNotifier("Email");
        var logs = new RecordingLoggerProvider();
        using var host = TestHost.Build(
            builder => builder
                .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
                .AddNotifier(email)
                .AddNotifier(new RecordingNotifier("SMS", ContactKind.Phone))
                .UseEnforcementHandler<RecordingEnforcement>(),
            clock: clock,
            logs: logs);
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ArrearsRuntime>();

        await runtime.RegisterAsync(new AccountRegistration(new AccountProfile("acct-3", "owner@example.com"), "api-gateway", Cny, DateTimeZone.Utc), CancellationToken.None);
        await runtime.AppendAsync("acct-3", [new LedgerEntry("c1", LedgerEntryKind.Charge, clock.GetCurrentInstant(), 5m)], CancellationToken.None);
        await email.Deliveries.WaitForAsync(delivery => delivery.Kind == NotificationKind.Overdue);
        await host.StopAsync(new CancellationTokenSource(Recorder<object>.Timeout).Token);

        var delivered = Assert.Single(logs.Entries, entry => entry.EventId.Id == 10);
        Assert.Equal("Delivered the Overdue notification for account acct-3 over Email to o***@example.com (attempt 1)", delivered.Message);
        Assert.DoesNotContain(logs.Entries, entry => entry.Message.Contains("owner@example.com", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, entry => entry.EventId.Id == 1 && entry.Message.Contains("account policies api-gateway", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostedService_StoreReportsDueWorkNoPassCanClaim_WaitsInsteadOfSpinning()
    {
        // A store (a third-party one, say) that reports work due in the past although no claim can take it: the service
        // must wait, not loop.
        var clock = new FakeClock(TestHost.Start);
        var logs = new RecordingLoggerProvider();
        using var host = TestHost.Build(
            builder => builder
                .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
                .AddNotifier<EmailNotifier>()
                .AddNotifier<SmsNotifier>()
                .UseEnforcementHandler<RecordingEnforcement>()
                .UseStore<AlwaysDueStore>(),
            clock: clock,
            logs: logs);
        await host.StartAsync();

        var waiting = await logs.WaitForAsync(8);
        await host.StopAsync(new CancellationTokenSource(Recorder<object>.Timeout).Token);

        Assert.Equal(LogLevel.Debug, waiting.Level);
        Assert.StartsWith($"The store reports work due at {AlwaysDueStore.Due}, but the pass found nothing it could claim; waiting 0:00:00:01", waiting.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_ServiceSleepingWithNothingDue_CompletesWithoutErrors()
    {
        var logs = new RecordingLoggerProvider();
        using var host = TestHost.Build(
            builder => builder
                .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
                .AddNotifier<EmailNotifier>()
                .AddNotifier<SmsNotifier>()
                .UseEnforcementHandler<RecordingEnforcement>(),
            logs: logs);
        await host.StartAsync();
        var sleeping = await logs.WaitForAsync(7); // "Nothing is due: sleeping until new facts arrive"

        await host.StopAsync(new CancellationTokenSource(Recorder<object>.Timeout).Token);

        Assert.Equal(LogLevel.Debug, sleeping.Level);
        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Warning);
        Assert.Contains(logs.Entries, entry => entry.EventId.Id == 2);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 1L)]           // a nanosecond waits a whole millisecond: never wake early
    [InlineData(1_500_000L, 2L)]   // 1.5 ms rounds up
    [InlineData(2_000_000L, 2L)]
    public void ToDelay_ShortWaits_RoundUpToWholeMilliseconds(long nanoseconds, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ArrearsHostedService.ToDelay(Duration.FromNanoseconds(nanoseconds)));
    }

    [Fact]
    public void ToDelay_WaitsBeyondWhatTaskDelayAccepts_AreClamped()
    {
        var longest = ArrearsHostedService.ToDelay(Duration.FromDays(180));

        Assert.Equal(TimeSpan.FromMilliseconds(uint.MaxValue - 1L), longest);
        Assert.Equal(longest, ArrearsHostedService.ToDelay(Duration.FromDays(365 * 100)));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.True(Task.Delay(longest, cancelled.Token).IsCanceled); // Task.Delay accepts it (it would throw if out of range)
    }

    [Fact]
    public void FailureWait_RepeatedFailures_DoublesFromTheBaseDelayUpToTheMaximum()
    {
        var waits = Enumerable.Range(1, 9).Select(n => ArrearsHostedService.FailureWait(n, Duration.FromSeconds(30), Duration.FromHours(1)).TotalSeconds);

        Assert.Equal([30d, 60d, 120d, 240d, 480d, 960d, 1920d, 3600d, 3600d], waits);
    }

    [Fact]
    public void IdleWait_RepeatedIdlePasses_DoublesFromOneSecondUpToTheBaseDelay()
    {
        var waits = Enumerable.Range(1, 7).Select(n => ArrearsHostedService.IdleWait(n, Duration.FromSeconds(30)).TotalSeconds);

        Assert.Equal([1d, 2d, 4d, 8d, 16d, 30d, 30d], waits);
    }

    [Theory]
    [InlineData("owner@example.com", "o***@example.com")]
    [InlineData("+8613800001234", "+86***34")]
    [InlineData("user-42", "u***")]
    [InlineData("", "***")]
    public void Mask_Addresses_KeepsTooLittleToReachAnyone(string address, string masked)
    {
        Assert.Equal(masked, AddressMask.Mask(address));
        Assert.Equal(masked, new MaskedAddress(address).ToString());
    }
}
