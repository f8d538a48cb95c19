using System.CommandLine;
using AmiDialer.Configuration;

namespace AmiDialer.Cli;

/// <summary><c>config check</c>: load and validate the settings without starting anything.</summary>
internal static class ConfigCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var forAmi = new Option<bool>("--ami") { Description = "Also require working AMI server settings (secrets included)." };
        var check = new Command("check", "Validate the configuration and print where each setting comes from.");
        check.Options.Add(forAmi);
        check.SetAction(async (parse, ct) =>
        {
            var settings = AmiDialerCli.LoadSettings(parse, parse.GetValue(forAmi) ? SettingsUse.Ami : SettingsUse.None);
            await output.WriteLineAsync($"Configuration is valid. Database: {Where(settings.Database)}");
            foreach (var server in settings.Ami.Servers)
            {
                // The secret is never printed, only whether it is set.
                await output.WriteLineAsync($"AMI server {server} auth={server.Auth} tls={server.UseTls} secret={(server.Secret.Length > 0 ? "set" : "not set")}");
            }

            return AmiDialerCli.Success;
        });

        var config = new Command("config", "Inspect the configuration.");
        config.Subcommands.Add(check);
        return config;
    }

    /// <summary>The store the settings name: the SQLite file, or postgres://host:port/database (never the password).</summary>
    private static string Where(DatabaseSettings database)
    {
        if (database.Provider != DatabaseProvider.Postgres)
        {
            return database.Path;
        }

        var b = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"postgres://{b.Host}:{b.Port}/{b.Database}";
    }
}
