using System.CommandLine;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Hosting;

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
        return await AppServices.CreateAsync(settings, simulate, options, ct);
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
