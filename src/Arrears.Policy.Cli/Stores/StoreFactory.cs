using Arrears.Policy.PostgreSql;
using Arrears.Policy.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Arrears.Policy.Cli.Stores;

/// <summary>Opens the store a <c>--store</c> value names: the SQLite file or the PostgreSQL database, its schema created or migrated on first use.</summary>
internal static class StoreFactory
{
    public static async ValueTask<OpenedStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.Kind == StoreKind.Sqlite)
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = location.Target }.ToString();
            return new OpenedStore(await SqliteArrearsStore.OpenAsync(connection, cancellationToken).ConfigureAwait(false), location);
        }

        PostgreSqlArrearsStore store;
        try
        {
            // The store's tables go in the first schema of the connection string's Search Path, "arrears" by default.
            var searchPath = new NpgsqlConnectionStringBuilder(location.Target).SearchPath;
            var schema = searchPath?.Split(',')[0].Trim().Trim('"') is { Length: > 0 } first ? first : PostgreSqlArrearsStore.DefaultSchema;
            store = new PostgreSqlArrearsStore(location.Target, schema);
        }
        catch (ArgumentException exception)
        {
            // Npgsql's parser names the key it refused; the connection string itself (which may hold a password) is not repeated.
            var reason = (exception.InnerException ?? exception).Message.ReplaceLineEndings(" ").Split(" (Parameter", 2)[0];
            throw new StoreOptionException($"--store: postgres: not an Npgsql connection string: {Terminal.Printable(reason)}", exception);
        }

        try
        {
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            return new OpenedStore(store, location);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Describes a PostgreSQL connection string without its secrets: <c>postgres://HOST:PORT/DATABASE</c>, or <c>postgres:(...)</c> when it does not parse.</summary>
    public static string DescribePostgres(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return Terminal.Printable($"postgres://{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? string.Empty}");
        }
        catch (ArgumentException)
        {
            return "postgres:(an invalid connection string)";
        }
    }
}

/// <summary>A <c>--store</c> value the store refused before opening anything; its message is the line to print.</summary>
internal sealed class StoreOptionException(string message, Exception innerException) : Exception(message, innerException);
