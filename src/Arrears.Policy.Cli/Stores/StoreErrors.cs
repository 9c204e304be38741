using Arrears.Policy.Runtime;
using Microsoft.Data.Sqlite;

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
            NotSupportedException => $"{location}: {message}",
            SqliteException sqlite => $"{location}: the SQLite database cannot be used (SQLite error {sqlite.SqliteErrorCode}): {message}",
            UnauthorizedAccessException or IOException when location.Kind == StoreKind.Sqlite => $"{location}: {message}",
            _ => null,
        };
    }
}
