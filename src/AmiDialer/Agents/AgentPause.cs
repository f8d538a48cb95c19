using AmiDialer.Ami;
using AmiDialer.Hosting;

namespace AmiDialer.Agents;

/// <summary>What a pause or unpause came to: done, or refused with a reason to show (and, for the API, which field).</summary>
public sealed record AgentPauseResult(bool Done, string Message, string? Field = null);

/// <summary>
/// Pauses or unpauses a queue member with <c>QueuePause</c> (needs <c>agent</c> in the user's write classes), audited as
/// <c>agent.pause</c>/<c>agent.unpause</c>. Without a queue Asterisk pauses the member in every queue (QUEUES.md q2).
/// </summary>
public static class AgentPause
{
    public static async Task<AgentPauseResult> SetAsync(AppServices services, string? serverName, string memberInterface, string? queue, bool paused, string? reason, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(memberInterface) || memberInterface.Any(char.IsControl))
        {
            return new(false, "Name the member's interface, e.g. Local/201@agentphone or PJSIP/201.", "interface");
        }

        if (queue is not null && Cli.CampaignValueParsers.QueueName(queue) is { } queueProblem)
        {
            return new(false, queueProblem, "queue");
        }

        if (reason is not null && (reason.Length > 80 || reason.Any(char.IsControl)))
        {
            return new(false, "At most 80 characters, on one line.", "reason");
        }

        var servers = DoctorRunner.Servers(services, serverName);
        if (servers is null || servers.Count == 0)
        {
            return new(false, serverName is null ? "No AMI server is configured (Ami:Servers)." : $"No AMI server is named '{serverName}'.", "server");
        }

        if (servers.Count > 1)
        {
            return new(false, $"Say which server the agent is on: {string.Join(", ", servers.Select(s => s.Config.Name))}.", "server");
        }

        var server = servers[0];
        await using var client = QueueAgentsReader.Connect(server);
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await client.ConnectAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new(false, $"Could not log in to server '{server.Config.Name}': {client.State.Error?.Message ?? "no answer"}.");
            }
        }

        var action = new AmiAction("QueuePause").Add("Interface", memberInterface).Add("Paused", paused ? "true" : "false");
        if (queue is not null)
        {
            action.Add("Queue", queue);
        }

        if (paused && !string.IsNullOrEmpty(reason))
        {
            action.Add("Reason", reason);
        }

        try
        {
            await client.SendAsync(action, ct);
        }
        catch (AmiActionException e)
        {
            // "Interface not found" (not a member), or Permission denied without agent in write.
            var hint = e.Message.Contains("ermission", StringComparison.Ordinal) ? $" Add agent to write = in manager.conf [{server.Config.Client.Username}]." : "";
            return new(false, $"Asterisk refused to {(paused ? "pause" : "unpause")} {memberInterface}{(queue is null ? "" : " in " + queue)}: {e.Message}.{hint}", e.Message.Contains("not found", StringComparison.OrdinalIgnoreCase) ? "interface" : null);
        }

        var details = (queue is null ? "every queue" : "queue " + queue) + (paused && !string.IsNullOrEmpty(reason) ? ", reason: " + reason : "") + ", server " + server.Config.Name;
        await services.Audit.RecordAsync(services.Time.GetUtcNow(), actor, paused ? "agent.pause" : "agent.unpause", "agent:" + memberInterface, details, ct);
        return new(true, $"{memberInterface} is {(paused ? "paused" : "unpaused")} in {(queue ?? "every queue")}.");
    }
}
