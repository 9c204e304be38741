using Arrears.Policy.Sqlite;
using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Cli.Stores;

/// <summary>Opens the store a <c>--store</c> value names: the SQLite file or the PostgreSQL database (schema created or migrated on first use).</summary>
internal static class StoreFactory
{
    public static async ValueTask<OpenedStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        switch (location.Kind)
        {
            case StoreKind.Sqlite:
                var connection = new SqliteConnectionStringBuilder { DataSource = location.Target }.ToString();
                return new OpenedStore(await SqliteArrearsStore.OpenAsync(connection, cancellationToken).ConfigureAwait(false), location);
            default:
                throw new NotSupportedException($"the {location.Kind} store is not built into this version of the tool");
        }
    }

    /// <summary>Describes a PostgreSQL connection string without its secrets: <c>postgres://HOST:PORT/DATABASE</c>.</summary>
    public static string DescribePostgres(string connectionString)
    {
        string? host = null, port = null, database = null;
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }

            var key = part[..equals].Trim().ToUpperInvariant();
            var value = part[(equals + 1)..].Trim();
            switch (key)
            {
                case "HOST" or "SERVER":
                    host = value;
                    break;
                case "PORT":
                    port = value;
                    break;
                case "DATABASE" or "DB":
                    database = value;
                    break;
            }
        }

        return Terminal.Printable($"postgres://{host ?? "localhost"}:{port ?? "5432"}/{database ?? string.Empty}");
    }
}
