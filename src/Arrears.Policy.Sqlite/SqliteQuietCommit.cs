using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Arrears.Policy.Sqlite;

/// <summary>
/// The statement that saves an evaluation which changed nothing but the account's run row (its version, due instant,
/// next review, last evaluation and alarm), prepared once on the writing connection and run through SQLite's own API.
/// </summary>
/// <remarks>
/// Most commits of a bulk pass are these, one statement each. Microsoft.Data.Sqlite looks each parameter up by name and
/// boxes its value on every run; here the parameters are bound by index, found once.
/// </remarks>
internal sealed class SqliteQuietCommit : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _id;
    private readonly int _expected;
    private readonly int _due;
    private readonly int _nextReview;
    private readonly int _lastEvaluated;
    private readonly int _alarmArmed;

    public SqliteQuietCommit(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The writing connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _statement), _db);
        _id = Index("$id");
        _expected = Index("$expected");
        _due = Index("$due");
        _nextReview = Index("$next_review");
        _lastEvaluated = Index("$last_evaluated");
        _alarmArmed = Index("$alarm_armed");
    }

    /// <summary>Runs the statement in the connection's open transaction and returns how many rows it changed (0 or 1).</summary>
    public int Execute(string id, long expected, string? due, string? nextReview, string? lastEvaluated, bool alarmArmed)
    {
        try
        {
            Check(raw.sqlite3_bind_text(_statement, _id, id));
            Check(raw.sqlite3_bind_int64(_statement, _expected, expected));
            BindText(_due, due);
            BindText(_nextReview, nextReview);
            BindText(_lastEvaluated, lastEvaluated);
            Check(raw.sqlite3_bind_int(_statement, _alarmArmed, alarmArmed ? 1 : 0));
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void BindText(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);

    private int Index(string name)
    {
        var index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? index : throw new InvalidOperationException($"The quiet commit statement has no parameter {name}.");
    }
}
