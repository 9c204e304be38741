using Arrears.Policy.PostgreSql;
using Arrears.Policy.Runtime;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Arrears.Policy.Cli.Stores;

/// <summary>Turns the failures of a store that cannot be used into one line for standard error (exit 2), never a stack trace.</summary>
internal static class StoreErrors
{
    /// <summary>Describes a failure to open or use a store, or returns <see langword="null"/> for any other exception (an internal error).</summary>
    public static string? Describe(Exception exception, StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(location);
        var message = Terminal.Printable(exception.Message.ReplaceLineEndings(" "));
        return exception switch
        {
            StoreSchemaException => $"{location}: {message}",
            StoreDataException => $"{location}: corrupted data: {message}",
            PostgreSqlStoreUnavailableException => $"{location}: {message}",
            PostgresException postgres when Refused(postgres.SqlState) =>
                $"{location}: the PostgreSQL server refused the connection ({postgres.SqlState}): {Terminal.Printable(postgres.MessageText)}",
            NpgsqlException when exception.InnerException is System.Net.Sockets.SocketException or TimeoutException =>
                $"{location}: cannot reach the PostgreSQL server: {message}",
            StoreOptionException => exception.Message,
            SqliteException sqlite => $"{location}: the SQLite database cannot be used (SQLite error {sqlite.SqliteErrorCode}): {message}",
            UnauthorizedAccessException or IOException when location.Kind == StoreKind.Sqlite => $"{location}: {message}",
            _ => null,
        };
    }

    /// <summary>Whether a server error means the connection was refused (authentication, no such database, no permission, shutting down), not a bug.</summary>
    private static bool Refused(string sqlState) =>
        sqlState.StartsWith("28", StringComparison.Ordinal) ||   // invalid authorization
        sqlState.StartsWith("08", StringComparison.Ordinal) ||   // connection exception
        sqlState.StartsWith("57P", StringComparison.Ordinal) ||  // admin shutdown, cannot connect now
        sqlState == "3D000" ||                                   // no such database
        sqlState == "42501" ||                                   // insufficient privilege
        sqlState == "53300";                                     // too many connections
}
