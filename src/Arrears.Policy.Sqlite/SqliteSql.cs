using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Sqlite;

/// <summary>Small helpers over Microsoft.Data.Sqlite commands and readers, and SQL fragments used in several places.</summary>
internal static class SqliteSql
{
    /// <summary>The database's clock in the store's instant form (to the millisecond), for columns operators read (<c>created_at</c>, <c>applied_at</c>).</summary>
    public const string DatabaseNow = "(strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000000Z')";

    /// <summary>The columns of <c>accounts</c> that <see cref="SqliteRows.Account"/> reads, in its order.</summary>
    public const string AccountColumns =
        "id, policy, currency, time_zone, opening_balance, creator, collaborators, balance_alarm, items, version, due_at, last_evaluated_at, next_review_at, alarm_armed";

    /// <summary>The columns of <c>outbox</c> that <see cref="SqliteRows.Outbox"/> reads, in its order.</summary>
    public const string OutboxColumns =
        "sequence, key, account, kind, notification, enforcement, product, episode, at, balance, recipient, channel, next_deadline, currency, time_zone, status, attempts, next_attempt_at, last_error";

    /// <summary>Creates a command in a transaction.</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Sets a parameter, adding it on first use, so that a prepared command runs again with new values.</summary>
    public static SqliteCommand Set(this SqliteCommand command, string name, object? value)
    {
        var index = command.Parameters.IndexOf(name);
        if (index < 0)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        else
        {
            command.Parameters[index].Value = value ?? DBNull.Value;
        }

        return command;
    }

    /// <summary>Reads a nullable text column.</summary>
    public static string? Text(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
