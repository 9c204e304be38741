using System.Diagnostics.CodeAnalysis;

namespace Arrears.Policy.Cli.Stores;

/// <summary>The kinds of store the tool opens.</summary>
internal enum StoreKind
{
    /// <summary>An SQLite file: <c>sqlite:PATH</c>.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database: <c>postgres:CONNECTION_STRING</c>.</summary>
    PostgreSql,
}

/// <summary>The value of <c>--store</c>: <c>sqlite:PATH</c> or <c>postgres:CONNECTION_STRING</c>.</summary>
/// <param name="Kind">The kind of store.</param>
/// <param name="Target">The file path or the connection string.</param>
internal sealed record StoreLocation(StoreKind Kind, string Target)
{
    public const string SqlitePrefix = "sqlite:";
    public const string PostgresPrefix = "postgres:";

    /// <summary>Parses a <c>--store</c> value; on a problem returns one line naming the value.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out StoreLocation? location, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        location = null;
        if (value.StartsWith(SqlitePrefix, StringComparison.Ordinal))
        {
            var path = value[SqlitePrefix.Length..];
            if (string.IsNullOrWhiteSpace(path))
            {
                error = $"--store: sqlite: needs the path of the database file, as in sqlite:arrears.db, got {Terminal.Quote(value)}";
                return false;
            }

            location = new StoreLocation(StoreKind.Sqlite, path);
            error = null;
            return true;
        }

        if (value.StartsWith(PostgresPrefix, StringComparison.Ordinal))
        {
            var connection = value[PostgresPrefix.Length..];
            if (string.IsNullOrWhiteSpace(connection))
            {
                error = "--store: postgres: needs an Npgsql connection string, as in \"postgres:Host=localhost;Database=arrears;Username=arrears\"";
                return false;
            }

            if (PostgresProblem(connection) is { } problem)
            {
                error = "--store: postgres: " + problem;
                return false;
            }

            location = new StoreLocation(StoreKind.PostgreSql, connection);
            error = null;
            return true;
        }

        error = $"--store: must be sqlite:PATH or postgres:CONNECTION_STRING, got {Terminal.Quote(value)}";
        return false;
    }

    /// <summary>Checks an Npgsql connection string's syntax and keywords, naming a keyword Npgsql does not know (the values, which may hold a password, are not repeated).</summary>
    private static string? PostgresProblem(string connection)
    {
        var parsed = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            parsed.ConnectionString = connection;
        }
        catch (ArgumentException)
        {
            return "not an Npgsql connection string: expected KEYWORD=VALUE pairs separated by ';', as in Host=localhost;Database=arrears";
        }

        var known = new Npgsql.NpgsqlConnectionStringBuilder();
        foreach (var keyword in parsed.Keys.Cast<string>())
        {
            if (!known.ContainsKey(keyword))
            {
                return $"unknown connection string keyword {Terminal.Quote(keyword)}";
            }
        }

        return null;
    }

    /// <summary>Describes the store for messages, without secrets: <c>sqlite:arrears.db</c>, or <c>postgres://localhost:5432/arrears</c>.</summary>
    public override string ToString() => Kind switch
    {
        StoreKind.Sqlite => SqlitePrefix + Terminal.Printable(Target),
        _ => StoreFactory.DescribePostgres(Target),
    };
}
