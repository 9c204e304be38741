using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Sqlite;

/// <summary>
/// One transaction of the store and the commands run in it. A write session borrows the writing connection's commands,
/// kept prepared from one write to the next; a read session creates its own and disposes them at the end. Commands from a
/// session are never disposed by their users.
/// </summary>
internal sealed class SqliteSession(SqliteConnection connection, SqliteTransaction transaction, Dictionary<string, SqliteCommand>? prepared) : IDisposable
{
    private List<SqliteCommand>? _owned;

    public SqliteTransaction Transaction => transaction;

    /// <summary>Gets the session's connection.</summary>
    public SqliteConnection Connection => connection;

    /// <summary>Returns a command for <paramref name="sql"/> in this session's transaction; set its parameters with <see cref="SqliteSql.Set"/>.</summary>
    public SqliteCommand Command(string sql)
    {
        if (prepared is null)
        {
            var command = SqliteSql.Command(connection, transaction, sql);
            (_owned ??= []).Add(command);
            return command;
        }

        if (!prepared.TryGetValue(sql, out var cached))
        {
            cached = SqliteSql.Command(connection, transaction, sql);
            prepared.Add(sql, cached);
        }

        cached.Transaction = transaction;
        return cached;
    }

    public void Dispose()
    {
        foreach (var command in _owned ?? [])
        {
            command.Dispose();
        }
    }
}
