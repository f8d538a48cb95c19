using AmiDialer.Data.Database;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Tests.Database;

public sealed class PreparedStatementTests
{
    [Fact]
    public async Task Binds_by_position_runs_reads_and_runs_again()
    {
        await using var db = await TempDatabase.CreateAsync();
        await using var connection = await OpenAsync(db);
        using var insert = new PreparedStatement(connection, "INSERT INTO t (id, name, score) VALUES ($id, $name, $score)", "$id", "$name", "$score");
        using var read = new PreparedStatement(connection, "SELECT name, id FROM t WHERE id = $id", "$id");

        insert.Bind(1, 1);
        insert.Bind(2, "J\u00f6rg " + new string('x', 300)); // longer than the stack buffer
        insert.Bind(3, 2.5);
        Assert.Equal(1, insert.Execute());
        insert.Bind(1, 2);
        insert.Bind(2, (string?)null);
        insert.Bind(3, (double?)null);
        Assert.Equal(1, insert.Execute());

        read.Bind(1, 1);
        Assert.True(read.Read());
        Assert.Equal(("J\u00f6rg " + new string('x', 300), 1L), (read.Text(0), read.Int64(1)));
        read.Reset();
        read.Bind(1, 2);
        Assert.True(read.Read());
        Assert.Null(read.Text(0));
        read.Reset();
        read.Bind(1, 3);
        Assert.False(read.Read());
        read.Reset();
    }

    [Fact]
    public async Task A_constraint_error_is_thrown_as_sqlite_reports_it_and_the_statement_runs_again()
    {
        await using var db = await TempDatabase.CreateAsync();
        await using var connection = await OpenAsync(db);
        using var insert = new PreparedStatement(connection, "INSERT INTO t (id, name) VALUES ($id, 'n')", "$id");
        insert.Bind(1, 7);
        insert.Execute();

        var e = Assert.Throws<SqliteException>(() => insert.Execute());

        Assert.Equal(19, e.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("t.id", e.Message, StringComparison.Ordinal);
        insert.Bind(1, 8);
        Assert.Equal(1, insert.Execute());
    }

    [Fact]
    public async Task Parameters_named_out_of_order_or_a_second_statement_are_refused_when_prepared()
    {
        await using var db = await TempDatabase.CreateAsync();
        await using var connection = await OpenAsync(db);

        var order = Assert.Throws<ArgumentException>(() => new PreparedStatement(connection, "UPDATE t SET name = $name WHERE id = $id", "$id", "$name"));
        Assert.Contains("($name, $id)", order.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PreparedStatement(connection, "UPDATE t SET name = $name", "$name", "$id"));
        Assert.Throws<ArgumentException>(() => new PreparedStatement(connection, "SELECT 1; SELECT 2"));
        Assert.Throws<SqliteException>(() => new PreparedStatement(connection, "SELECT nothing FROM nowhere"));
    }

    private static async Task<SqliteConnection> OpenAsync(TempDatabase db)
    {
        var connection = await db.Database.OpenSqliteConnectionAsync();
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT, score REAL)";
        create.ExecuteNonQuery();
        return connection;
    }
}
