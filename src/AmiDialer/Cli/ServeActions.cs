using System.CommandLine;
using AmiDialer.Configuration;
using AmiDialer.Web;

namespace AmiDialer.Cli;

/// <summary>
/// What <c>serve</c> does: the engine (Quartz dials every running campaign) and the web host, until SIGINT or SIGTERM;
/// then a graceful stop that leaves every campaign as it is stored, and exit 0.
/// </summary>
internal static class ServeActions
{
    public static async Task<int> ServeAsync(CliContext context, ParseResult parse, bool simulate, double? timeScale, string? urls, CancellationToken ct)
    {
        var use = simulate ? SettingsUse.Web : SettingsUse.Web | SettingsUse.Ami;
        await using var services = await CliServices.OpenAsync(context, parse, ct, simulate, timeScale, use);
        var engine = await services.StartEngineAsync(useScheduler: true, ct);
        // SIGTERM or SIGINT: no new Originate from this instant, while the web host finishes its requests.
        await using var stopDialing = ct.Register(() =>
        {
            engine.RequestStop();
            ExitDeadline.Arm(context.Signals, engine.Options.ShutdownGrace, AmiDialerCli.Success);
        });
        var listen = urls ?? services.Settings.Web.Urls;
        if (services.IsSimulated)
        {
            await context.Output.WriteLineAsync($"SIMULATED: calls go to the built-in PBX simulator on {services.Simulator!.EndPoint}, not to a real Asterisk.");
        }

        if (services.AdminPasswordHash is null)
        {
            await context.Output.WriteLineAsync("No admin password is set: run 'amidialer admin set-password' to log in to the pages.");
        }

        await context.Output.WriteLineAsync($"Serving on {listen} (database {services.DatabaseWhere}); Ctrl-C or SIGTERM to stop.");
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

        // Live calls followed for up to Engine:ShutdownGrace, leases released, Quartz shut down; campaigns stay as stored.
        await engine.StopAsync();
        await context.Output.WriteLineAsync("Stopped.");
        return AmiDialerCli.Success;
    }
}
