using Arrears.Policy.DependencyInjection;
using Arrears.Policy.PostgreSql;
using Arrears.Policy.PostgreSql.Internal;
using Arrears.Policy.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL store on the Arrears.Policy builder.</summary>
/// <example>
/// <code>
/// builder.Services.AddArrearsPolicy(builder.Configuration.GetSection("Arrears"))
///     .UsePostgreSqlStore("Host=db.internal;Database=billing;Username=arrears;Password=...", schema: "arrears")
///     .AddNotifier&lt;EmailNotifier&gt;()
///     .UseEnforcementHandler&lt;GatewaySwitch&gt;();
/// </code>
/// </example>
public static class PostgreSqlArrearsPolicyBuilderExtensions
{
    /// <summary>
    /// Uses a <see cref="PostgreSqlArrearsStore"/> over <paramref name="connectionString"/> as the runtime's store, replacing
    /// any earlier store; the container creates it once and disposes it (and its connection pool) with itself. Unless the
    /// host has set its own recipient directory, recipients are looked up in the contacts the store keeps (saved by
    /// imports), and a recipient without saved contacts is its own address, as with the default
    /// <see cref="RecipientsAreAddresses"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddArrearsPolicy</c>.</param>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=billing;Username=arrears;Password=...</c>.</param>
    /// <param name="schema">The schema holding the store's tables, created or migrated on first use. Default: <c>arrears</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string does not parse, or the schema name is not a lowercase identifier; the message names the value.</exception>
    /// <remarks>
    /// Several hosts may register the same database and schema: they share the accounts, and no two of them evaluate one
    /// account at the same time. The store is shared by the runtime and anyone resolving <see cref="PostgreSqlArrearsStore"/>
    /// or <see cref="IArrearsStore"/>. Nothing connects until the first call, which creates or migrates the schema, or
    /// fails with a <see cref="PostgreSqlStoreUnavailableException"/> naming the host and port.
    /// </remarks>
    /// <example>
    /// <code>
    /// builder.Services.AddArrearsPolicy(builder.Configuration.GetSection("Arrears"))
    ///     .UsePostgreSqlStore(builder.Configuration.GetConnectionString("Arrears")!)
    ///     .UseEnforcementHandler&lt;GatewaySwitch&gt;();
    /// </code>
    /// </example>
    public static ArrearsPolicyBuilder UsePostgreSqlStore(this ArrearsPolicyBuilder builder, string connectionString, string schema = "arrears")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"connectionString: not an Npgsql connection string ({ex.Message})", nameof(connectionString), ex);
        }

        _ = new Schema(schema); // checks the name now rather than when the host starts

        var services = builder.Services;
        services.RemoveAll<PostgreSqlArrearsStore>();
        services.AddSingleton(_ => new PostgreSqlArrearsStore(connectionString, schema));
        services.RemoveAll<IArrearsStore>();
        services.AddSingleton<IArrearsStore>(provider => provider.GetRequiredService<PostgreSqlArrearsStore>());

        // AddArrearsPolicy registers RecipientsAreAddresses as the default directory; a host's own choice is kept.
        var directory = services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(IRecipientDirectory));
        if (directory is null || ReferenceEquals(directory.ImplementationInstance, RecipientsAreAddresses.Instance))
        {
            services.RemoveAll<IRecipientDirectory>();
            services.AddSingleton<IRecipientDirectory>(provider =>
                new StoredContactsDirectory(provider.GetRequiredService<PostgreSqlArrearsStore>(), RecipientsAreAddresses.Instance));
        }

        return builder;
    }
}
