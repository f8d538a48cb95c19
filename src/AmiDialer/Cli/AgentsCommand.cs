using System.CommandLine;
using System.Text.Json;
using AmiDialer.Agents;
using AmiDialer.Configuration;
using AmiDialer.Reports;

namespace AmiDialer.Cli;

/// <summary><c>agents [--queue]</c>, <c>agents pause|unpause &lt;interface&gt;</c>: the queues' agents, read from Asterisk.</summary>
internal static class AgentsCommand
{
    public static Command Build(CliContext context)
    {
        var queue = QueueOption("Show only this queue.");
        var format = CommonOptions.Format("table", "json");
        var command = new Command("agents", "Who is logged in to the queues, paused (with reason), on a call (with which attempt), free; each queue's utilisation.");
        command.Options.Add(queue);
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliServices.OpenAsync(context, parse, ct, use: SettingsUse.Ami);
            var servers = await QueueAgentsReader.ReadAsync(services, parse.GetValue(queue), ct);
            await context.Output.WriteAsync(parse.GetValue(format)!.Is("json")
                ? JsonSerializer.Serialize(AgentsOutput.Dto(servers), AgentsOutput.Json) + Environment.NewLine
                : AgentsOutput.Table(servers, context.Tables));
            return servers.Any(s => s.Problem is not null) ? AmiDialerCli.Failure : AmiDialerCli.Success;
        });
        command.Subcommands.Add(Pause(context, paused: true));
        command.Subcommands.Add(Pause(context, paused: false));
        return command;
    }

    private static Option<string?> QueueOption(string description) => new Option<string?>("--queue")
    {
        Description = description,
        HelpName = "name",
    }.CheckText(CampaignValueParsers.QueueName);

    private static Command Pause(CliContext context, bool paused)
    {
        var member = new Argument<string>("interface") { Description = "The member's interface, e.g. Local/201@agentphone or PJSIP/201." };
        var queue = QueueOption(paused ? "Pause in this queue only (default: every queue)." : "Unpause in this queue only (default: every queue).");
        var server = new Option<string?>("--server") { Description = "The AMI server the agent is on (Ami:Servers:n:Name); needed when there are several.", HelpName = "name" };
        var command = new Command(paused ? "pause" : "unpause", paused ? "Pause a queue member (QueuePause), audited." : "Unpause a queue member (QueuePause), audited.");
        command.Arguments.Add(member);
        command.Options.Add(queue);
        command.Options.Add(server);
        Option<string?>? reason = null;
        if (paused)
        {
            reason = new Option<string?>("--reason") { Description = "Why (shown on the Agents page and in Asterisk's QueueStatus).", HelpName = "text" };
            command.Options.Add(reason);
        }

        command.SetAction(async (parse, ct) =>
        {
            await using var services = await CliServices.OpenAsync(context, parse, ct, use: SettingsUse.Ami);
            var result = await AgentPause.SetAsync(services, parse.GetValue(server), parse.GetValue(member)!, parse.GetValue(queue), paused,
                reason is null ? null : parse.GetValue(reason), CliServices.Actor, ct);
            if (!result.Done)
            {
                throw new CliException(result.Message);
            }

            await context.Output.WriteLineAsync(result.Message);
            return AmiDialerCli.Success;
        });
        return command;
    }
}
