using System.CommandLine;
using System.Globalization;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Engine;
using AmiDialer.Hosting;
using AmiDialer.Reports;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Cli;

/// <summary>What <c>run</c> does: one campaign in the foreground (or the demo), live progress, then the report.</summary>
internal static class RunActions
{
    /// <summary>The demo's simulated seconds per real second: the sample's longest call (about 40 s of PBX time) takes 2 s.</summary>
    public const double DemoTimeScale = 20;

    public const string DemoCampaign = "demo";

    /// <summary>How long <c>run</c> waits for the AMI servers to log in before giving up.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(CliContext context, ParseResult parse, string? campaignName, bool simulate, double? timeScale, CancellationToken ct)
    {
        if (campaignName is null)
        {
            return await DemoAsync(context, parse, timeScale, ct);
        }

        await using var services = await CliServices.OpenAsync(context, parse, ct, simulate, timeScale, simulate ? SettingsUse.None : SettingsUse.Ami);
        var campaign = await CliServices.CampaignAsync(services, campaignName, ct);
        return await RunCampaignAsync(context, services, campaign, ct);
    }

    private static async Task<int> DemoAsync(CliContext context, ParseResult parse, double? timeScale, CancellationToken ct)
    {
        var settings = AmiDialerCli.LoadSettings(parse, SettingsUse.None);
        var keep = parse.GetValue(AmiDialerCli.DbOption) is not null;
        var folder = keep ? null : Directory.CreateTempSubdirectory("amidialer-demo-").FullName;
        if (folder is not null)
        {
            settings.Database.Path = Path.Combine(folder, "demo.db");
        }

        var sample = Path.Combine(AppContext.BaseDirectory, "campaigns", "sample.csv");
        if (!File.Exists(sample))
        {
            throw new CliException($"The demo's sample campaign is missing: {sample}");
        }

        try
        {
            var options = context.ServicesOptions with { SimulatorTimeScale = timeScale ?? DemoTimeScale };
            await using var services = await AppServices.CreateAsync(settings, simulate: true, options, ct);
            await context.Output.WriteLineAsync($"AmiDialer demo: {Path.GetFileName(sample)} against the built-in PBX simulator (calls run {options.SimulatorTimeScale.ToString(CultureInfo.InvariantCulture)}x faster). Nothing is dialed for real.");
            await context.Output.WriteLineAsync($"Database: {services.DatabasePath}{(keep ? "" : " (temporary; pass --db <file> to keep it)")}");
            var name = await FreeNameAsync(services, ct);
            var campaign = await services.Campaigns.CreateAsync(
                CampaignActions.Defaults(services, name) with
                {
                    // The simulator's "pstn" context decides each call's fate by the number's last digit.
                    DialTemplate = "Local/{number}@pstn",
                    Destination = new DialplanTarget("agents", "100", 1),
                    CallingHours = DailyWindow.AllDay,
                    MaxConcurrentCalls = 10,
                    CallsPerSecond = 10,
                    MaxAttempts = 1,
                    IsSimulated = true,
                },
                CliServices.Actor,
                ct);
            var imported = await services.Importer.ImportFileAsync(
                sample,
                new Data.Import.CsvImportOptions { CampaignId = campaign.Id, DefaultRegion = "US", Actor = CliServices.Actor },
                cancellationToken: ct);
            await context.Output.WriteLineAsync($"Imported {imported.Imported} leads into campaign '{name}' (calling hours 00:00-24:00).");
            return await RunCampaignAsync(context, services, campaign, ct);
        }
        finally
        {
            if (folder is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                TryDelete(folder);
            }
        }
    }

    /// <summary>Dials <paramref name="campaign"/> until the engine says it is done, showing progress, then prints the report.</summary>
    private static async Task<int> RunCampaignAsync(CliContext context, AppServices services, Campaign campaign, CancellationToken ct)
    {
        if (!services.IsSimulated && campaign.IsSimulated)
        {
            // Said first (even a completed one may be requeued), before connecting to the PBX; the engine refuses it too, whoever asks.
            throw new CliException(CampaignSimulatedException.Explain(campaign.Name));
        }

        if (campaign.State is CampaignState.Completed or CampaignState.Stopped)
        {
            throw new CliException($"Campaign '{campaign.Name}' is {campaign.State.WireName()}: there is nothing left to dial.");
        }

        if (services.IsSimulated && !campaign.IsSimulated)
        {
            // The campaign's report and pages say its calls were simulated, and a real engine will not take it over.
            campaign = campaign with { IsSimulated = true };
            await services.Campaigns.MarkSimulatedAsync(campaign.Id, CliServices.Actor, ct);
        }

        var logger = services.LoggerFactory.CreateLogger("AmiDialer.Cli");
        var engine = await services.StartEngineAsync(useScheduler: false, ct);
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connect.CancelAfter(ConnectTimeout);
            try
            {
                await engine.WaitForServersAsync(connect.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var servers = string.Join(", ", services.Settings.Ami.Servers.Select(s => s.ToString()));
                throw new CliException($"Could not log in to the AMI server(s) within {ConnectTimeout.TotalSeconds} s: {servers}. Check Ami:Servers in the configuration (or run with --simulate).");
            }
        }

        var progress = new ProgressDisplay(context.Error, context.IsTerminal, services.Time);
        // SIGTERM stops the engine gracefully and leaves the campaign running for whoever dials it next; only Ctrl-C
        // (or, in process, the caller's token) pauses it.
        var pause = context.Signals is { } signals ? signals.Interrupted : ct;
        await using var onTerminate = context.Signals is { } s
            ? s.Terminated.Register(() =>
            {
                engine.RequestStop();
                ExitDeadline.Arm(s, engine.Options.ShutdownGrace, AmiDialerCli.Terminated);
            })
            : default;
        var result = await progress.ShowAsync(async () =>
        {
            using var stopProgress = new CancellationTokenSource();
            var showing = ShowProgressAsync(services, engine, campaign, progress, context.IsTerminal, stopProgress.Token);
            try
            {
                logger.RunStarted(campaign.Name, services.IsSimulated);
                return await engine.RunCampaignAsync(campaign.Id, pause);
            }
            catch (Exception ex) when (ex is CampaignLeaseException or CampaignSimulatedException)
            {
                throw new CliException(ex.Message);
            }
            finally
            {
                await stopProgress.CancelAsync();
                await showing;
            }
        });

        if (result.End == CampaignRunEnd.Paused)
        {
            logger.PausingOnInterrupt(campaign.Name);
        }

        var fresh = await services.Campaigns.GetAsync(campaign.Id, CancellationToken.None) ?? campaign;
        var report = ReportBuilder.Build(fresh, await services.Reports.GetSummaryAsync(campaign.Id, CancellationToken.None));
        await context.Output.WriteLineAsync($"Run ended: {result.Message}.");
        if (result.NextDueAt is { } next)
        {
            await context.Output.WriteLineAsync($"The next lead would have been due at {next.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z.");
        }

        if (result.End == CampaignRunEnd.Paused)
        {
            await context.Output.WriteLineAsync($"Campaign '{campaign.Name}' is paused; continue it with: amidialer run --campaign {CliServices.Quote(campaign.Name)}{(services.IsSimulated ? " --simulate" : "")}");
        }

        await context.Output.WriteLineAsync();
        await context.Output.WriteAsync(ReportTable.Format(report, context.Tables));
        if (result.End == CampaignRunEnd.Stopped && context.Signals?.Kind == StopKind.Terminate)
        {
            await context.Output.WriteLineAsync($"Campaign '{campaign.Name}' is left {fresh.State.WireName()} for the next 'amidialer serve' or 'run' to continue.");
            return AmiDialerCli.Terminated;
        }

        return result.End switch
        {
            CampaignRunEnd.Finished or CampaignRunEnd.EndReached => AmiDialerCli.Success,
            CampaignRunEnd.Paused => AmiDialerCli.Interrupted,
            _ => AmiDialerCli.Failure,
        };
    }

    private static async Task ShowProgressAsync(AppServices services, DialerEngine engine, Campaign campaign, ProgressDisplay progress, bool terminal, CancellationToken ct)
    {
        var interval = terminal ? TimeSpan.FromMilliseconds(250) : ProgressDisplay.PlainInterval;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(interval, services.Time, ct);
                var summary = await services.Reports.GetSummaryAsync(campaign.Id, ct);
                var live = engine.GetSnapshot().Campaigns.FirstOrDefault(c => c.CampaignId == campaign.Id);
                var dialable = summary.Leads - summary.LeadsByState.GetValueOrDefault(LeadState.Blocked);
                var open = summary.LeadsByState.GetValueOrDefault(LeadState.Pending) + summary.LeadsByState.GetValueOrDefault(LeadState.InProgress) + summary.LeadsByState.GetValueOrDefault(LeadState.WaitingRetry);
                var final = dialable - open;
                double? percent = dialable > 0 ? 100.0 * final / dialable : null;
                var answered = summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Answered);
                var status = live is null ? "" : $" [{live.Status.ToString().ToLowerInvariant()}{(live.Status == Engine.Live.DialerStatus.Waiting && live.Message is { } why ? ": " + why : "")}]";
                progress.Update(percent, string.Create(CultureInfo.InvariantCulture,
                    $"{final}/{dialable} leads done, {answered} answered, {live?.ActiveCalls ?? 0} live calls, {summary.Attempts} attempts, {live?.DialRate ?? 0:0.0} calls/s{status}"));
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private static async Task<string> FreeNameAsync(AppServices services, CancellationToken ct)
    {
        var name = DemoCampaign;
        for (var n = 2; await services.Campaigns.GetByNameAsync(name, ct) is not null; n++)
        {
            name = $"{DemoCampaign}-{n}";
        }

        return name;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Still open somewhere; the OS cleans its temp folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
