using Arrears.Policy.Runtime;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Arrears.Policy.Sqlite;

/// <summary>
/// The statement every commit starts with: it writes the account's run row (its version, due instant, next review, last
/// evaluation and alarm) if the version is still the claimed one. Prepared once on the writing connection and run through
/// SQLite's own API.
/// </summary>
/// <remarks>
/// Most commits of a bulk pass are this statement alone. Microsoft.Data.Sqlite looks each parameter up by name and boxes
/// its value on every run; here the parameters are bound by index, found once.
/// </remarks>
internal sealed class SqliteAccountRunUpdate : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _id;
    private readonly int _expected;
    private readonly int _due;
    private readonly int _nextReview;
    private readonly int _lastEvaluated;
    private readonly int _alarmArmed;

    public SqliteAccountRunUpdate(SqliteConnection connection, string sql)
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

    /// <summary>Runs the statement for a commit in the connection's open transaction; returns whether the version matched (one row written).</summary>
    /// <exception cref="ArgumentException">An instant of the commit is outside the range the columns hold (<see cref="SqliteInstants"/>); nothing is written.</exception>
    public bool Execute(EvaluationCommit commit)
    {
        var due = SqliteInstants.From(commit.DueAt, "dueAt");
        var nextReview = SqliteInstants.From(commit.NextReviewAt, "nextReviewAt");
        var lastEvaluated = SqliteInstants.From(commit.State.LastEvaluatedAt, "state.lastEvaluatedAt");
        try
        {
            Check(raw.sqlite3_bind_text(_statement, _id, commit.Account));
            Check(raw.sqlite3_bind_int64(_statement, _expected, commit.ExpectedVersion));
            BindInstant(_due, due);
            BindInstant(_nextReview, nextReview);
            BindInstant(_lastEvaluated, lastEvaluated);
            Check(raw.sqlite3_bind_int(_statement, _alarmArmed, commit.State.AlarmArmed ? 1 : 0));
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_changes(_db) == 1;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void BindInstant(int index, long? value) =>
        Check(value is { } nanoseconds ? raw.sqlite3_bind_int64(_statement, index, nanoseconds) : raw.sqlite3_bind_null(_statement, index));

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);

    private int Index(string name)
    {
        var index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? index : throw new InvalidOperationException($"The account run update has no parameter {name}.");
    }
}
