using System.CommandLine;
using AmiDialer.Configuration;
using AmiDialer.Hosting;
using AmiDialer.Reports;

namespace AmiDialer.Cli;

/// <summary>
/// <c>doctor</c>: logs in to every configured AMI server (or one) and checks what the dialer will need there; exit 0
/// when nothing FAILs, 1 otherwise (WARNs do not fail).
/// </summary>
internal static class DoctorCommand
{
    public static Command Build(CliContext context)
    {
        var server = new Option<string?>("--server") { Description = "Check only the AMI server with this name (Ami:Servers:n:Name).", HelpName = "name" };
        var format = CommonOptions.Format("table", "json");
        var command = new Command("doctor", "Check each AMI server: reachable, login, write and read classes, the dialplan the campaigns and click-to-call use, the ledger, channel drivers, clock skew. Exit 1 when a check FAILs.");
        command.Options.Add(server);
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliServices.OpenAsync(context, parse, ct, use: SettingsUse.Ami);
            var name = parse.GetValue(server);
            var servers = DoctorRunner.Servers(services, name)
                ?? throw CliException.Usage($"--server: no AMI server named '{name}'; configured: {string.Join(", ", services.Settings.Ami.Servers.Select(s => s.Name))}.");
            var report = await DoctorRunner.RunAsync(services, servers, await DoctorRunner.NeedsAsync(services, ct), ct);
            await context.Output.WriteLineAsync(parse.GetValue(format)!.Is("json") ? DoctorOutput.Json(report) : DoctorOutput.Table(report, context.Tables));
            return report.HasFailures ? AmiDialerCli.Failure : AmiDialerCli.Success;
        });
        return command;
    }
}
