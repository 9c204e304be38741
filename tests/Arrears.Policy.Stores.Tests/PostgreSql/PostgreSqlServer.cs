using System.Text.RegularExpressions;
using Arrears.Policy.PostgreSql;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Arrears.Policy.Stores.Tests.PostgreSql;

/// <summary>
/// The PostgreSQL server the tests use: the Npgsql connection string in <c>ARREARS_TEST_POSTGRES</c> (<c>.ci/run</c> starts
/// a throwaway server and sets it; <c>.ci/postgres.sh start</c> does the same by hand).
/// </summary>
/// <remarks>
/// Without it, tests marked <see cref="PostgreSqlFactAttribute"/> or classes marked <see cref="PostgreSqlTestsAttribute"/>
/// are skipped with the reason on a workstation, and run (and fail through <see cref="Require"/>) when <c>CI=true</c>.
/// </remarks>
public static class PostgreSqlServer
{
    /// <summary>The environment variable holding the connection string.</summary>
    public const string Variable = "ARREARS_TEST_POSTGRES";

    /// <summary>Gets the connection string, or <see langword="null"/> when none is set.</summary>
    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Gets why no server is available, or <see langword="null"/> when one is configured.</summary>
    public static string? Unavailable => ConnectionString is null
        ? $"{Variable} is not set: the PostgreSQL store's tests need a server (eval \"$(.ci/postgres.sh start)\" starts one)"
        : null;

    /// <summary>Gets why the PostgreSQL tests are skipped here, or <see langword="null"/> when they run.</summary>
    public static string? Skip => SkipReason(Unavailable, Environment.GetEnvironmentVariable("CI"));

    /// <summary>
    /// Returns why a test that needs the server is skipped: never when the server is available, never in CI (<c>CI=true</c>),
    /// where a missing server must fail the test, and otherwise the reason it is unavailable.
    /// </summary>
    public static string? SkipReason(string? unavailable, string? ci) =>
        unavailable is null || string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{unavailable} (with CI=true this test fails instead of skipping)";

    /// <summary>Returns the connection string, or fails the test saying that no server is configured.</summary>
    public static string Require() =>
        ConnectionString ?? throw new InvalidOperationException($"The PostgreSQL store's tests need a server: {Unavailable}");
}

/// <summary>A test that needs the PostgreSQL server: skipped with the reason where there is none, except in CI.</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        Skip = PostgreSqlServer.Skip;
    }
}

/// <summary>
/// Marks a test class whose every test needs the PostgreSQL server, including tests it inherits with a plain
/// <see cref="FactAttribute"/> (the store contract): <see cref="ServerAwareTestFramework"/> skips them as
/// <see cref="PostgreSqlFactAttribute"/> would.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PostgreSqlTestsAttribute : Attribute
{
}

/// <summary>
/// xunit's framework, except that the facts of a class marked <see cref="PostgreSqlTestsAttribute"/> are reported skipped,
/// with the reason, when <see cref="PostgreSqlServer.Skip"/> says so (xunit 2 has no skipping from inside a test).
/// </summary>
public sealed class ServerAwareTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgreSqlServer.Skip is not { } reason ||
                !testMethod.TestClass.Class.GetCustomAttributes(typeof(PostgreSqlTestsAttribute)).Any() ||
                !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var testCase = new XunitSkippedDataRowTestCase(
                DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(testCase, includeSourceInformation, messageBus);
        }
    }
}

/// <summary>
/// The schemas of one test class: each store gets a fresh, uniquely named schema (so tests never see each other's rows,
/// nor other classes'), and every schema the class created is dropped when it is done.
/// </summary>
public sealed partial class PostgreSqlSchemas : IAsyncLifetime
{
    private readonly List<string> _schemas = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Lock _lock = new();
    private readonly string _prefix = $"t{Guid.NewGuid():N}"[..13];
    private NpgsqlDataSource? _admin;

    /// <summary>Gets a data source for SQL the tests run themselves (to corrupt a row, to prove a constraint).</summary>
    public NpgsqlDataSource Admin
    {
        get
        {
            lock (_lock)
            {
                return _admin ??= NpgsqlDataSource.Create(PostgreSqlServer.Require());
            }
        }
    }

    /// <summary>Returns a new schema name, to be dropped with the class.</summary>
    public string NewSchema()
    {
        lock (_lock)
        {
            var name = $"{_prefix}_{_schemas.Count}";
            _schemas.Add(name);
            return name;
        }
    }

    /// <summary>Creates a store over a new, empty schema (created by the store on first use).</summary>
    public PostgreSqlArrearsStore CreateStore() => Open(NewSchema());

    /// <summary>Opens another store over an existing schema, with its own connection pool, as another process would.</summary>
    public PostgreSqlArrearsStore Open(string schema)
    {
        var store = new PostgreSqlArrearsStore(PostgreSqlServer.Require(), schema);
        lock (_lock)
        {
            _owned.Add(store);
        }

        return store;
    }

    /// <summary>Runs SQL in a schema (its name replaces <c>{s}</c>).</summary>
    public async Task<int> ExecuteAsync(string schema, string sql)
    {
        await using var command = Admin.CreateCommand(sql.Replace("{s}", $"\"{schema}\"", StringComparison.Ordinal));
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Reads one value in a schema (its name replaces <c>{s}</c>).</summary>
    public async Task<T> ScalarAsync<T>(string schema, string sql)
    {
        await using var command = Admin.CreateCommand(sql.Replace("{s}", $"\"{schema}\"", StringComparison.Ordinal));
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _owned)
        {
            await store.DisposeAsync();
        }

        if (_admin is null && _schemas.Count == 0)
        {
            return;
        }

        foreach (var schema in _schemas)
        {
            if (SchemaName().IsMatch(schema))
            {
                await using var drop = Admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                await drop.ExecuteNonQueryAsync();
            }
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }
    }

    [GeneratedRegex("^t[0-9a-f]{12}_[0-9]+$")]
    private static partial Regex SchemaName();
}
