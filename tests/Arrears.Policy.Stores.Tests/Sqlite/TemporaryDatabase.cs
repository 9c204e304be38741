using Arrears.Policy.Sqlite;
using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Stores.Tests.Sqlite;

/// <summary>
/// A SQLite file in a temporary folder of its own, with the stores opened over it; disposing closes them and deletes the
/// folder (the database, its <c>-wal</c> and <c>-shm</c> files).
/// </summary>
internal sealed class TemporaryDatabase : IDisposable
{
    private readonly List<SqliteArrearsStore> _stores = [];

    public TemporaryDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("arrears-sqlite-").FullName;
    }

    public string Folder { get; }

    public string File => Path.Combine(Folder, "arrears.db");

    public string ConnectionString => $"Data Source={File}";

    /// <summary>Opens another store over the file, as another process would.</summary>
    public SqliteArrearsStore Store()
    {
        var store = new SqliteArrearsStore(ConnectionString);
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }

    /// <summary>Opens a store over the file and makes sure its schema is there.</summary>
    public async Task<SqliteArrearsStore> OpenAsync()
    {
        var store = await SqliteArrearsStore.OpenAsync(ConnectionString, CancellationToken.None);
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }

    /// <summary>Opens a plain connection to the file, as an operator's SQL console would; the caller disposes it.</summary>
    public SqliteConnection Connect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Runs SQL on a plain connection and returns the first column of the first row.</summary>
    public object? Sql(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        lock (_stores)
        {
            foreach (var store in _stores)
            {
                store.Dispose();
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the folder is temporary, the system cleans it up.
        }
    }
}
