using System.CommandLine;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Cli;

/// <summary>How commands get their settings and services, and the lookups most of them share.</summary>
internal static class CliServices
{
    /// <summary>Who the audit log says made a change from the command line.</summary>
    public static string Actor => "cli:" + Environment.UserName;

    public static async Task<AppServices> OpenAsync(CliContext context, ParseResult parse, CancellationToken ct, bool simulate = false, double? timeScale = null, SettingsUse use = SettingsUse.None)
    {
        var settings = AmiDialerCli.LoadSettings(parse, use);
        var options = timeScale is { } scale ? context.ServicesOptions with { SimulatorTimeScale = scale } : context.ServicesOptions;
        try
        {
            return await AppServices.CreateAsync(settings, simulate, options, ct);
        }
        catch (NpgsqlException ex)
        {
            throw new CliException(string.Join(Environment.NewLine, CliFailures.Postgres(ex, settings.Database.ConnectionString)), inner: ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            // Opening creates the folder, the file and the schema: whatever fails there is about the database path.
            var path = Path.GetFullPath(settings.Database.Path);
            var lines = ex is SqliteException sqlite
                ? CliFailures.Database(sqlite, path)
                : [$"Cannot create the database {path}: {ex.Message}", "Point --db (or Database:Path) at a file in a folder this user can write to."];
            throw new CliException(string.Join(Environment.NewLine, lines), inner: ex);
        }
    }

    public static async Task<Campaign> CampaignAsync(AppServices services, string name, CancellationToken ct) =>
        await services.Campaigns.GetByNameAsync(name, ct)
        ?? throw new CliException($"No campaign named '{name}'. 'amidialer campaign list' shows them; 'amidialer campaign create {Quote(name)}' makes one.");

    /// <summary>Quotes a value for a shell command line shown to the user.</summary>
    public static string Quote(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':') ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string WireName(this CampaignState state) => state.ToString().ToLowerInvariant();

    public static bool Is(this string format, string name) => string.Equals(format, name, StringComparison.OrdinalIgnoreCase);
}
