using Arrears.Policy.DependencyInjection;
using Arrears.Policy.Runtime;
using Arrears.Policy.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite store on the Arrears.Policy builder.</summary>
/// <example>
/// <code>
/// builder.Services.AddArrearsPolicy(builder.Configuration.GetSection("Arrears"))
///     .UseSqliteStore("Data Source=/var/lib/arrears/arrears.db")
///     .AddNotifier&lt;EmailNotifier&gt;()
///     .UseEnforcementHandler&lt;GatewaySwitch&gt;();
/// </code>
/// </example>
public static class SqliteArrearsPolicyBuilderExtensions
{
    /// <summary>
    /// Uses a <see cref="SqliteArrearsStore"/> over a file as the store, replacing any earlier store; the file and its schema
    /// are created on first use. Unless the host has set its own recipient directory, recipients are looked up in the
    /// contacts the store keeps (saved by imports), and a recipient without saved contacts is its own address, as with
    /// the default <see cref="RecipientsAreAddresses"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file, for example <c>Data Source=arrears.db</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is not one the store can use; the message names it.</exception>
    /// <remarks>
    /// The container creates one store, shared by the runtime and anyone resolving <see cref="SqliteArrearsStore"/> or
    /// <see cref="IArrearsStore"/>, and disposes it when the host stops. A database of a newer schema version is refused
    /// on the first call with a <see cref="StoreSchemaException"/>.
    /// </remarks>
    public static ArrearsPolicyBuilder UseSqliteStore(this ArrearsPolicyBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        SqliteArrearsStore.ParseConnectionString(connectionString);
        var services = builder.Services;
        services.RemoveAll<SqliteArrearsStore>();
        services.AddSingleton(_ => new SqliteArrearsStore(connectionString));
        services.RemoveAll<IArrearsStore>();
        services.AddSingleton<IArrearsStore>(provider => provider.GetRequiredService<SqliteArrearsStore>());

        // AddArrearsPolicy registers RecipientsAreAddresses as the default directory; a host's own choice is kept.
        var directory = services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(IRecipientDirectory));
        if (directory is null || ReferenceEquals(directory.ImplementationInstance, RecipientsAreAddresses.Instance))
        {
            services.RemoveAll<IRecipientDirectory>();
            services.AddSingleton<IRecipientDirectory>(provider =>
                new StoredContactsDirectory(provider.GetRequiredService<IArrearsStore>() as IRecipientDirectory, RecipientsAreAddresses.Instance));
        }

        return builder;
    }
}
