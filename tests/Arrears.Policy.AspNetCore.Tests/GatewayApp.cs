using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Arrears.Policy.Runtime;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.AspNetCore.Tests;

/// <summary>
/// The sample application in memory (WebApplicationFactory, with its hosted service running), on a FakeClock and over
/// a store that counts the calls it receives.
/// </summary>
internal sealed class GatewayApp : IAsyncDisposable
{
    /// <summary>When the tests' clocks start: 1 Feb 2026 08:00 UTC, half an hour before the charge of <see cref="SuspendAsync"/>.</summary>
    public static readonly Instant Start = Instant.FromUtc(2026, 2, 1, 8, 0);

    /// <summary>When <see cref="SuspendAsync"/> charges.</summary>
    public static readonly Instant ChargedAt = Instant.FromUtc(2026, 2, 1, 8, 30);

    /// <summary>How long a test waits for the hosted service before it fails: a bound, never a measurement.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly WebApplicationFactory<Program> _factory;

    public GatewayApp(InMemoryArrearsStore? store = null, Instant? start = null)
    {
        Clock = new FakeClock(start ?? Start);
        Store = CountingStore.Over(store ?? new InMemoryArrearsStore());
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.ConfigureTestServices(services =>
        {
            services.AddSingleton<IClock>(Clock);
            services.AddSingleton(Store.Store);
        }));
        Client = _factory.CreateClient();
    }

    public FakeClock Clock { get; }

    public CountingStore Store { get; }

    public HttpClient Client { get; }

    public ArrearsRuntime Runtime => _factory.Services.GetRequiredService<ArrearsRuntime>();

    public ApiStatusCache Statuses => _factory.Services.GetRequiredService<ApiStatusCache>();

    /// <summary>Returns a task that completes with the next status the enforcement handler sets for an account.</summary>
    public Task<ServiceStatus> NextChange(string account)
    {
        var changed = new TaskCompletionSource<ServiceStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(string changedAccount, string? product, ServiceStatus status)
        {
            if (changedAccount == account && changed.TrySetResult(status))
            {
                Statuses.Changed -= OnChanged;
            }
        }

        Statuses.Changed += OnChanged;
        return changed.Task.WaitAsync(Patience);
    }

    public async Task RegisterAsync(string account)
    {
        using var response = await Client.PostAsJsonAsync("/billing/accounts", new { id = account, email = $"{account}@example.com", phone = "+8613800000000" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<HttpResponseMessage> PostEntryAsync(string account, string id, string kind, decimal amount) =>
        await Client.PostAsJsonAsync($"/billing/accounts/{account}/entries", new { id, kind, amount });

    public async Task<HttpResponseMessage> HelloAsync(string account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/hello");
        request.Headers.Add("X-Account", account);
        return await Client.SendAsync(request);
    }

    /// <summary>
    /// Charges a registered account 25.00 it cannot pay at <see cref="ChargedAt"/>, lets the 24 hours of grace pass and
    /// waits for the suspension to reach the gateway. Returns the status the enforcement handler set.
    /// </summary>
    public async Task<ServiceStatus> SuspendAsync(string account)
    {
        Clock.Reset(ChargedAt);
        using var charged = await PostEntryAsync(account, "c1", "charge", 25.00m);
        Assert.True(charged.IsSuccessStatusCode, await charged.Content.ReadAsStringAsync());

        // The hosted service wakes on the charge and makes the account Overdue at 08:30; the grace period counts from
        // there. (Had the clock moved first, the charge would be late: known only 24 hours after it happened.)
        await WaitUntilAsync(async () => (await Runtime.Store.HistoryAsync(account, CancellationToken.None)).Any(t => t.To == LifecycleStatus.Overdue));

        var suspended = NextChange(account);
        Clock.Advance(Duration.FromHours(24));
        // The pass the hosted service's timer runs when the grace period ends: the clock is fake, so the test runs it.
        // (Should the hosted service be in a pass of its own, that one suspends the account instead.)
        await Runtime.RunOnceAsync(CancellationToken.None);
        return await suspended;
    }

    /// <summary>Waits for work the hosted service does in the background, failing after a bound.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}

/// <summary>A store that forwards every call to another and counts them by method name.</summary>
public class CountingStore : DispatchProxy
{
    private IArrearsStore _inner = null!;

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public IArrearsStore Store => (IArrearsStore)(object)this;

    public static CountingStore Over(IArrearsStore inner)
    {
        var proxy = (CountingStore)(object)Create<IArrearsStore, CountingStore>();
        proxy._inner = inner;
        return proxy;
    }

    public int Count(string method) => Calls.GetValueOrDefault(method);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
