using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using AmiDialer.Configuration;
using AmiDialer.Data.Database;
using Npgsql;

namespace AmiDialer.Cli;

/// <summary>What <c>db migrate --to</c> does, and how its failures read: the server, the user, what to do; never the password.</summary>
internal static class DbActions
{
    /// <summary>A lease held on another host is watched this long before the copy goes ahead: the dialers' own lease duration.</summary>
    private static readonly TimeSpan LeaseDuration = new Engine.DialerEngineOptions { DatabasePath = "-", Servers = [] }.LeaseDuration;

    public static async Task<int> MigrateAsync(CliContext context, ParseResult parse, string to, CancellationToken ct)
    {
        var settings = AmiDialerCli.LoadSettings(parse, SettingsUse.None);
        string connectionString;
        try
        {
            connectionString = PostgresConnectionString.Normalize(to);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw CliException.Usage($"--to {ex.Message.TrimEnd('.')}: give an Npgsql connection string (Host=db1;Database=amidialer;Username=dialer;Password=...) or postgres://user:password@host:port/database.");
        }

        var output = context.Output;
        try
        {
            var result = await SqliteToPostgres.CopyAsync(
                settings.Database.Path, connectionString, LeaseDuration, context.ServicesOptions.Time,
                new InlineProgress(t => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.Table,-20} {t.Rows,12:N0} rows"))), ct).ConfigureAwait(false);
            var total = result.Tables.Sum(t => t.Rows);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Copied {result.Source} into {result.Target}: {total:N0} rows in {result.Tables.Count} tables, counts checked, id sequences set. The source is unchanged.")).ConfigureAwait(false);
            await output.WriteLineAsync("To run on it: Database:Provider=Postgres and Database:ConnectionString set to the same connection string.").ConfigureAwait(false);
            return AmiDialerCli.Success;
        }
        catch (MigrationRefusedException refused)
        {
            throw new CliException(refused.Message + Environment.NewLine + refused.Remedy, inner: refused);
        }
        catch (NpgsqlException ex)
        {
            throw new CliException(Describe(ex, connectionString), inner: ex);
        }
    }

    /// <summary>Two lines: what PostgreSQL (or the way to it) said, naming the server and user, and what to do.</summary>
    internal static string Describe(NpgsqlException ex, string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var server = $"{b.Host}:{b.Port}";
        var user = b.Username ?? Environment.UserName;
        var (what, remedy) = ex switch
        {
            PostgresException { SqlState: "28P01" } => ($"PostgreSQL at {server} refused the password of user '{user}'.", "Check the password in --to (Password=... or postgres://user:password@...)."),
            PostgresException { SqlState: "28000" } => ($"PostgreSQL at {server} does not let user '{user}' in to database '{b.Database}' ({((PostgresException)ex).MessageText}).", "Check the user in --to, or allow it in the server's pg_hba.conf."),
            PostgresException { SqlState: "3D000" } => ($"There is no database '{b.Database}' on PostgreSQL at {server}.", $"Create it empty first (createdb {b.Database}, or CREATE DATABASE), then copy again."),
            PostgresException { SqlState: "42501" } => ($"User '{user}' may not create the schema in '{b.Database}' at {server} ({((PostgresException)ex).MessageText}).", "Copy as the database's owner, or grant CREATE on its schema."),
            PostgresException pg => ($"PostgreSQL at {server} refused the copy: {pg.MessageText} ({pg.SqlState}).", "Nothing was kept in the target; run again with --verbose for the details."),
            _ when ex.InnerException is SocketException or TimeoutException or IOException =>
                ($"Cannot reach PostgreSQL at {server}: {ex.InnerException.Message}.", "Check the host and port in --to, that the server runs, and that it accepts TCP connections from here."),
            _ when ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase) =>
                ($"PostgreSQL at {server} asks user '{user}' for a password and --to gives none.", "Add it to --to (Password=... or postgres://user:password@...)."),
            _ => ($"PostgreSQL at {server}: {ex.Message}", "Run again with --verbose for the details."),
        };
        return what + Environment.NewLine + remedy;
    }

    /// <summary>Reports on the copying thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<CopiedTable> report) : IProgress<CopiedTable>
    {
        public void Report(CopiedTable value) => report(value);
    }
}
