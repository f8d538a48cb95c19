using AmiDialer.Data.Database;
using Npgsql;

namespace AmiDialer.Hosting;

/// <summary>
/// What the operator reads when PostgreSQL fails, from the CLI, <c>serve</c>'s start and the web alike: one line naming
/// the server (host:port, never the password) and the setting to check, one saying what to do.
/// </summary>
internal static class PostgresFailures
{
    public const string Key = "Database:ConnectionString";

    /// <summary>host:port of <paramref name="connectionString"/> (an Npgsql string or a postgres:// URI); "the PostgreSQL server" when it cannot be read.</summary>
    public static string Server(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(connectionString));
            return $"{b.Host}:{b.Port}";
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return "the PostgreSQL server";
        }
    }

    /// <summary>"Cannot reach PostgreSQL at host:port (Database:ConnectionString): reason": the server down, restarting, or the way to it cut.</summary>
    public static string Unreachable(string connectionString, Exception failure) =>
        $"Cannot reach PostgreSQL at {Server(connectionString)} ({Key}): {StoreErrors.Reason(failure)}.";

    /// <summary>The two lines for <paramref name="ex"/> on the server <paramref name="connectionString"/> names.</summary>
    public static IReadOnlyList<string> Describe(NpgsqlException ex, string connectionString)
    {
        var server = Server(connectionString);
        var (user, database) = UserAndDatabase(connectionString);
        return ex switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg =>
                [$"PostgreSQL at {server} refused user '{user}' ({Key}): {pg.MessageText}.", $"Check Username and Password in {Key}, or the server's pg_hba.conf."],
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
                [$"There is no database '{database}' on PostgreSQL at {server} ({Key}).", $"Create it (createdb {database}), or fix Database in {Key}."],
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } pg =>
                [$"User '{user}' may not do that on PostgreSQL at {server} ({Key}): {pg.MessageText}.", "Grant the user ownership of the database (AmiDialer creates its tables), or connect as its owner."],
            _ when StoreErrors.Classify(ex) == StoreFailure.Unavailable =>
                [Unreachable(connectionString, ex), $"Is the server running and reachable from here? Check Host and Port in {Key}; commands work again once it is back."],
            PostgresException pg => [$"PostgreSQL at {server} ({Key}) refused it: {pg.MessageText} ({pg.SqlState}).", "Run the command again with --verbose for the details."],
            _ => [$"PostgreSQL at {server} ({Key}): {StoreErrors.Reason(ex)}.", "Run the command again with --verbose for the details."],
        };
    }

    private static (string User, string Database) UserAndDatabase(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(connectionString));
            return (b.Username ?? Environment.UserName, b.Database ?? "");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return (Environment.UserName, "");
        }
    }
}
