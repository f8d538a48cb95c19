using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>db migrate --to</c>: the SQLite database copied into an empty PostgreSQL database.</summary>
internal static class DbCommand
{
    public static Command Build(CliContext context)
    {
        var to = new Option<string>("--to")
        {
            Description = "The empty PostgreSQL database to copy into: an Npgsql connection string (Host=...;Database=...;Username=...;Password=...) or a postgres://user:password@host:port/database URI.",
            HelpName = "connection string",
            Required = true,
        };
        var migrate = new Command(
            "migrate",
            "Copy the SQLite database (--db or Database:Path; opened read-only, left as it is) into an empty PostgreSQL database: campaigns, leads, attempts, do-not-call, imports, audit, click-to-calls, counters. Refused while any process holds a lease on it.");
        migrate.Options.Add(to);
        migrate.SetAction((parse, ct) => DbActions.MigrateAsync(context, parse, parse.GetValue(to)!, ct));

        var db = new Command("db", "The database: copy it to PostgreSQL.");
        db.Subcommands.Add(migrate);
        return db;
    }
}
