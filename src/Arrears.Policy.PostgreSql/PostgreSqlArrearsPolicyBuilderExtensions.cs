using Arrears.Policy.DependencyInjection;
using Arrears.Policy.PostgreSql;
using Arrears.Policy.PostgreSql.Internal;
using Arrears.Policy.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL store on the Arrears.Policy builder.</summary>
public static class PostgreSqlArrearsPolicyBuilderExtensions
{
    /// <summary>
    /// Uses a <see cref="PostgreSqlArrearsStore"/> over <paramref name="connectionString"/> as the runtime's store, replacing
    /// any earlier store; the container creates it once and disposes it (and its connection pool) with itself.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddArrearsPolicy</c>.</param>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=billing;Username=arrears;Password=...</c>.</param>
    /// <param name="schema">The schema holding the store's tables, created or migrated on first use. Default: <c>arrears</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string does not parse, or the schema name is not a lowercase identifier; the message names the value.</exception>
    /// <remarks>
    /// Several hosts may register the same database and schema: they share the accounts and never evaluate one at the same
    /// time. The store also resolves recipients from the contacts saved by imports (<see cref="IRecipientDirectory"/>); to
    /// use it as the recipient directory, call <c>builder.UseRecipientDirectory(...)</c> with it, or resolve
    /// <see cref="PostgreSqlArrearsStore"/> from the container.
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

        builder.Services.RemoveAll<PostgreSqlArrearsStore>();
        builder.Services.AddSingleton(_ => new PostgreSqlArrearsStore(connectionString, schema));
        builder.Services.RemoveAll<IArrearsStore>();
        builder.Services.AddSingleton<IArrearsStore>(services => services.GetRequiredService<PostgreSqlArrearsStore>());
        return builder;
    }
}
