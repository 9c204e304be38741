using Arrears.Policy.DependencyInjection;
using Arrears.Policy.Presets;
using Arrears.Policy.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;
using static Arrears.Policy.Stores.Tests.Sqlite.SqliteTestData;

namespace Arrears.Policy.Stores.Tests.Sqlite;

public sealed class SqliteRegistrationTests : IDisposable
{
    private readonly TemporaryDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task UseSqliteStore_AHost_RunsTheRuntimeOverOneStoreOnTheFile()
    {
        await using (var provider = Provider(builder => builder.UseSqliteStore(_database.ConnectionString)))
        {
            var store = provider.GetRequiredService<SqliteArrearsStore>();
            var runtime = provider.GetRequiredService<ArrearsRuntime>();

            Assert.Same(store, provider.GetRequiredService<IArrearsStore>());
            Assert.Same(store, runtime.Store);
            Assert.Equal(_database.File, store.DataSource);
            await runtime.RegisterAsync(Account(), Ct);
        }

        // The container disposed the store: the file is closed, and another store reads what the first wrote.
        Assert.NotNull(await (await _database.OpenAsync()).FindAccountAsync("acct", Ct));
    }

    [Fact]
    public async Task UseSqliteStore_NoDirectoryChosen_LooksUpStoredContactsThenTreatsRecipientsAsAddresses()
    {
        await using var provider = Provider(builder => builder.UseSqliteStore(_database.ConnectionString));
        var store = provider.GetRequiredService<SqliteArrearsStore>();
        await store.ImportAsync([new AccountImport(Account(), null, null, null, new Dictionary<string, RecipientContact> { ["owner"] = new("owner@example.com", "+8613800000001") }, T0)], Ct);
        var directory = provider.GetRequiredService<IRecipientDirectory>();

        var owner = await directory.FindAsync("owner", Ct);
        var address = await directory.FindAsync("dev@example.com", Ct);
        var nobody = await directory.FindAsync("dev", Ct);

        Assert.Equal(("owner@example.com", "+8613800000001"), (owner?.Email, owner?.Phone));
        Assert.Equal(("dev@example.com", (string?)null), (address?.Email, address?.Phone));
        Assert.Equal(((string?)null, (string?)null), (nobody?.Email, nobody?.Phone));
    }

    [Fact]
    public async Task UseSqliteStore_ADirectoryChosenBeforeOrAfter_IsKept()
    {
        var chosen = new InMemoryRecipientDirectory();

        await using var before = Provider(builder => builder.UseRecipientDirectory(chosen).UseSqliteStore(_database.ConnectionString));
        await using var after = Provider(builder => builder.UseSqliteStore(_database.ConnectionString).UseRecipientDirectory(chosen));

        Assert.Same(chosen, before.GetRequiredService<IRecipientDirectory>());
        Assert.Same(chosen, after.GetRequiredService<IRecipientDirectory>());
    }

    [Fact]
    public async Task UseSqliteStore_ThenAnotherStore_TheLastOneWins()
    {
        await using var provider = Provider(builder => builder.UseSqliteStore(_database.ConnectionString).UseInMemoryStore());

        Assert.IsType<InMemoryArrearsStore>(provider.GetRequiredService<ArrearsRuntime>().Store);
        Assert.False(File.Exists(_database.File));
    }

    [Fact]
    public void UseSqliteStore_AnInMemoryConnectionString_ThrowsWhenRegistering()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddArrearsPolicy().UseSqliteStore("Data Source=:memory:"));

        Assert.Equal("connectionString", error.ParamName);
    }

    private static ServiceProvider Provider(Action<ArrearsPolicyBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(new FakeClock(T0));
        var builder = services.AddArrearsPolicy()
            .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)
            .AddNotifier(new Notifier("Email", ContactKind.Email))
            .AddNotifier(new Notifier("SMS", ContactKind.Phone))
            .UseEnforcementHandler(new Enforcement());
        configure(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    private sealed class Notifier(string channel, ContactKind contact) : INotifier
    {
        public string Channel => channel;

        public ContactKind Contact => contact;

        public ValueTask<DeliveryResult> DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken) => ValueTask.FromResult(DeliveryResult.Delivered);
    }

    private sealed class Enforcement : IEnforcementHandler
    {
        public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken) => ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
