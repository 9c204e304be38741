using Microsoft.Data.Sqlite;

namespace Arrears.Policy.Sqlite;

/// <summary>Small helpers over Microsoft.Data.Sqlite commands and readers, and SQL fragments used in several places.</summary>
internal static class SqliteSql
{
    /// <summary>The database's clock in the store's instant form (to the millisecond), for columns operators read (<c>created_at</c>, <c>applied_at</c>).</summary>
    public const string DatabaseNow = "(strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000000Z')";

    /// <summary>
    /// The columns of <c>accounts a</c> and <c>account_runs r</c> (<see cref="AccountTables"/>) that <see cref="SqliteRows.Account"/>
    /// reads, in its order.
    /// </summary>
    public const string AccountColumns =
        "a.id, a.policy, a.currency, a.time_zone, a.opening_balance, a.creator, a.collaborators, a.balance_alarm, a.items, r.version, r.due_at, r.last_evaluated_at, r.next_review_at, r.alarm_armed";

    /// <summary>
    /// An account's registration (<c>accounts a</c>) joined with what each pass writes (<c>account_runs r</c>, a narrow row
    /// of its own so that claims and commits rewrite a few dozen bytes rather than the registration); filter on <c>a.id</c>.
    /// </summary>
    public const string AccountTables = "accounts a JOIN account_runs r ON r.id = a.id";

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
