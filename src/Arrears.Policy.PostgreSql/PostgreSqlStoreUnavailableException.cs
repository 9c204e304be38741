namespace Arrears.Policy.PostgreSql;

/// <summary>
/// Thrown by <see cref="PostgreSqlArrearsStore"/> when it cannot reach or log in to its database: the server does not
/// answer, refuses the connection, rejects the credentials, or has no such database. The message names the host and the
/// port, and the reason.
/// </summary>
/// <remarks>
/// Nothing was read or written. The <c>arrears</c> tool reports it as invalid input (exit code 2); a host retries later or
/// fails its start. The original <c>NpgsqlException</c> is the <see cref="Exception.InnerException"/>.
/// </remarks>
/// <example>
/// <code>
/// catch (PostgreSqlStoreUnavailableException ex)
/// {
///     // cannot connect to PostgreSQL at db.internal:5432 (database "arrears"): Connection refused
///     logger.LogError("{Message}", ex.Message);
/// }
/// </code>
/// </example>
public sealed class PostgreSqlStoreUnavailableException : Exception
{
    /// <summary>Initializes a new exception.</summary>
    public PostgreSqlStoreUnavailableException()
        : this("cannot connect to PostgreSQL")
    {
    }

    /// <summary>Initializes a new exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public PostgreSqlStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public PostgreSqlStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes the exception for a server that could not be reached; the message names the host, the port and the reason.</summary>
    /// <param name="host">The host (or hosts) of the connection string.</param>
    /// <param name="port">The port.</param>
    /// <param name="database">The database, or <see langword="null"/>.</param>
    /// <param name="reason">Why, for example <c>Connection refused</c>.</param>
    /// <param name="innerException">The cause.</param>
    public PostgreSqlStoreUnavailableException(string host, int port, string? database, string reason, Exception? innerException)
        : base($"cannot connect to PostgreSQL at {host}:{port}{(database is null ? string.Empty : $" (database \"{database}\")")}: {reason}", innerException)
    {
        Host = host;
        Port = port;
    }

    /// <summary>Gets the host (or comma-separated hosts) of the connection string, when known.</summary>
    public string? Host { get; }

    /// <summary>Gets the port, when known.</summary>
    public int? Port { get; }
}
