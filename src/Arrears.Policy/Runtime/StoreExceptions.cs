using System.Globalization;

namespace Arrears.Policy.Runtime;

/// <summary>
/// Thrown by a durable store whose database has a schema this version of the library cannot use: most often a database
/// written by a newer version (<see cref="FoundVersion"/> greater than <see cref="SupportedVersion"/>), which is refused
/// rather than read or written with the wrong layout.
/// </summary>
/// <remarks>
/// Stores create their schema on first use and apply forward migrations themselves; they never downgrade. Upgrade the
/// library (or the <c>arrears</c> tool) that opens the database, or restore a backup taken before the newer version
/// migrated it.
/// </remarks>
/// <example>
/// <code>
/// try
/// {
///     await store.NextDueAsync(cancellationToken);
/// }
/// catch (StoreSchemaException ex) when (ex.FoundVersion &gt; ex.SupportedVersion)
/// {
///     // "SQLite database arrears.db: schema version 3 is newer than version 2, the newest this version of Arrears.Policy knows; ..."
///     Console.Error.WriteLine(ex.Message);
/// }
/// </code>
/// </example>
public sealed class StoreSchemaException : Exception
{
    /// <summary>Initializes a new exception.</summary>
    public StoreSchemaException()
        : this("The store's database schema cannot be used by this version of Arrears.Policy.")
    {
    }

    /// <summary>Initializes a new exception with a message.</summary>
    /// <param name="message">What is wrong with the schema.</param>
    public StoreSchemaException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new exception with a message and its cause.</summary>
    /// <param name="message">What is wrong with the schema.</param>
    /// <param name="innerException">The cause.</param>
    public StoreSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Initializes the exception for a database whose schema version is newer than the newest this library knows; the
    /// message says so and names both versions.
    /// </summary>
    /// <param name="store">What the database is, for the message (for example <c>SQLite database arrears.db</c>).</param>
    /// <param name="foundVersion">The schema version found in the database.</param>
    /// <param name="supportedVersion">The newest schema version this library knows.</param>
    public StoreSchemaException(string store, int foundVersion, int supportedVersion)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"{store}: schema version {foundVersion} is newer than version {supportedVersion}, the newest this version of Arrears.Policy knows; upgrade Arrears.Policy (or the arrears tool) to use this database, it is not downgraded"))
    {
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>Gets the schema version found in the database, when known.</summary>
    public int? FoundVersion { get; }

    /// <summary>Gets the newest schema version this library knows, when relevant.</summary>
    public int? SupportedVersion { get; }
}

/// <summary>
/// Thrown by a durable store when a row it reads cannot be what it wrote: a status that names no status, an amount that
/// is not a number, a deadline that cannot belong to the state. The message names the account (when the row has one),
/// the column and the value found.
/// </summary>
/// <remarks>
/// A store never guesses: a corrupted row stops the operation that read it, and the rest of the database stays usable.
/// Someone edited the database by hand, or restored part of it; fix the row (the message says which) or restore a backup.
/// </remarks>
/// <example>
/// <code>
/// catch (StoreDataException ex)
/// {
///     // account "acct-7": column account_products.status: not a LifecycleStatus, got "Bogus"
///     logger.LogError("corrupted row of account {Account}, column {Column}", ex.Account, ex.Column);
/// }
/// </code>
/// </example>
public sealed class StoreDataException : Exception
{
    /// <summary>Initializes a new exception.</summary>
    public StoreDataException()
        : this("A row of the store's database is corrupted.")
    {
    }

    /// <summary>Initializes a new exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public StoreDataException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StoreDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes the exception for a corrupted value; the message names the account, the column and the problem.</summary>
    /// <param name="account">The account the row belongs to, or <see langword="null"/> for a row of no account (a contact).</param>
    /// <param name="column">The column, qualified by its table (<c>account_products.status</c>).</param>
    /// <param name="problem">What is wrong, naming the value found (<c>not a LifecycleStatus, got "Bogus"</c>).</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public StoreDataException(string? account, string column, string problem, Exception? innerException)
        : base($"{(account is null ? string.Empty : $"account \"{account}\": ")}column {column}: {problem}", innerException)
    {
        Account = account;
        Column = column;
    }

    /// <summary>Gets the account the corrupted row belongs to, or <see langword="null"/>.</summary>
    public string? Account { get; }

    /// <summary>Gets the corrupted column, qualified by its table (<c>account_products.status</c>), or <see langword="null"/>.</summary>
    public string? Column { get; }
}
