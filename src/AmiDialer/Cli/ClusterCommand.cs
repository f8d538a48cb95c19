using System.CommandLine;
using System.Text.Json;
using AmiDialer.Cluster;

namespace AmiDialer.Cli;

/// <summary><c>cluster [--format table|json]</c>: every node on the store, its heartbeat, the campaigns it dials and its open calls per server.</summary>
internal static class ClusterCommand
{
    public static Command Build(CliContext context)
    {
        var format = CommonOptions.Format("table", "json");
        var command = new Command("cluster", "The nodes on this store (serve, run): live, late, gone or stopped by their heartbeat, which campaigns each dials, its open calls per AMI server.");
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliServices.OpenAsync(context, parse, ct);
            var cluster = await ClusterView.ReadAsync(services, ct);
            await context.Output.WriteAsync(parse.GetValue(format)!.Is("json")
                ? JsonSerializer.Serialize(cluster, ClusterView.Json) + Environment.NewLine
                : ClusterView.Table(cluster, context.Tables));
            return AmiDialerCli.Success;
        });
        return command;
    }
}
