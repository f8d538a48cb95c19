using System.CommandLine;
using AmiDialer.Configuration;
using AmiDialer.Web;

namespace AmiDialer.Cli;

/// <summary>What <c>serve</c> does: the engine (Quartz dials every running campaign) and the web host, until Ctrl-C.</summary>
internal static class ServeActions
{
    public static async Task<int> ServeAsync(CliContext context, ParseResult parse, bool simulate, double? timeScale, string? urls, CancellationToken ct)
    {
        var use = simulate ? SettingsUse.Web : SettingsUse.Web | SettingsUse.Ami;
        await using var services = await CliServices.OpenAsync(context, parse, ct, simulate, timeScale, use);
        await services.StartEngineAsync(useScheduler: true, ct);
        var listen = urls ?? services.Settings.Web.Urls;
        if (services.IsSimulated)
        {
            await context.Output.WriteLineAsync($"SIMULATED: calls go to the built-in PBX simulator on {services.Simulator!.EndPoint}, not to a real Asterisk.");
        }

        if (services.AdminPasswordHash is null)
        {
            await context.Output.WriteLineAsync("No admin password is set: run 'amidialer admin set-password' to log in to the pages.");
        }

        await context.Output.WriteLineAsync($"Serving on {listen} (database {services.DatabasePath}); Ctrl-C to stop.");
        await context.Output.FlushAsync(ct);
        try
        {
            await WebServer.RunAsync(services, listen, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C is how serve ends.
        }
        catch (IOException ex)
        {
            throw new CliException($"Cannot listen on {listen}: {ex.Message}");
        }

        await context.Output.WriteLineAsync("Stopped.");
        return AmiDialerCli.Success;
    }
}
