namespace Arrears.Policy.Cli.Stores;

/// <summary>Turns the failures of a store that cannot be used into one line for standard error (exit 2), never a stack trace.</summary>
internal static class StoreErrors
{
    /// <summary>Describes a failure to open or use a store, or returns <see langword="null"/> for any other exception (an internal error).</summary>
    public static string? Describe(Exception exception, StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(location);
        return exception switch
        {
            NotSupportedException => $"{location}: {Terminal.Printable(exception.Message)}",
            UnauthorizedAccessException or IOException when location.Kind == StoreKind.Sqlite => $"{location}: cannot open the database file: {Terminal.Printable(exception.Message.ReplaceLineEndings(" "))}",
            _ => null,
        };
    }
}
