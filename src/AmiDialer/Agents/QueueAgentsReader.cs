using AmiDialer.Ami;
using AmiDialer.Core.Model;
using AmiDialer.Core.Queues;
using AmiDialer.Engine.Preflight;
using AmiDialer.Engine.Queues;
using AmiDialer.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Agents;

/// <summary>
/// The agents of Asterisk's queues as <c>amidialer agents</c>, <c>GET /api/agents</c> and the Agents page show them: a
/// QueueStatus list read on a short connection of its own (so it works with or without a running engine), the member
/// states decided by Core's <see cref="QueueAgents"/>, and each agent leg's Linkedid (CoreShowChannels), which is the
/// originated <c>;1</c> Uniqueid (QUEUES.md), matched to the live attempt that placed that call. Where this node's engine
/// follows the queue on that server, its follower's state is shown instead (<see cref="Engine.DialerEngine.FollowedQueue"/>):
/// it saw AgentCalled and AgentConnect, so it knows who rings for and talks with which attempt, and it knows the queue's
/// wrap-up (which a list does not carry), so wrapping-up agents show as such.
/// </summary>
public static class QueueAgentsReader
{
    private static readonly TimeSpan LoginWait = TimeSpan.FromSeconds(10);

    public static async Task<IReadOnlyList<ServerAgents>> ReadAsync(AppServices services, string? queue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var campaigns = (await services.Campaigns.ListAsync(ct)).Where(c => !string.IsNullOrEmpty(c.Queue)).ToList();
        var result = new List<ServerAgents>();
        foreach (var server in DoctorRunner.Servers(services) ?? [])
        {
            result.Add(await ReadServerAsync(services, server, queue, campaigns, ct));
        }

        return result;
    }

    private static async Task<ServerAgents> ReadServerAsync(AppServices services, ServerToCheck server, string? queue, IReadOnlyList<Campaign> campaigns, CancellationToken ct)
    {
        var name = server.Config.Name;
        await using var client = Connect(server);
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(LoginWait);
            await client.ConnectAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ServerAgents(name, [], $"could not log in to {server.Config.Client.Host}:{server.Config.Client.Port}: {client.State.Error?.Message ?? "no answer"}");
        }

        try
        {
            var status = new AmiAction("QueueStatus");
            if (queue is not null)
            {
                status.Add("Queue", queue);
            }

            var items = (await client.SendListAsync(status, ct)).Items;
            var channels = (await client.SendListAsync(new AmiAction("CoreShowChannels"), ct)).Items;
            var attempts = (await services.Attempts.ListOpenAsync(name, cancellationToken: ct)).ToDictionary(a => a.ChannelId, StringComparer.Ordinal);
            var campaignNames = (await services.Campaigns.ListAsync(ct)).ToDictionary(c => c.Id, c => c.Name);
            var now = services.Time.GetUtcNow();
            var queues = new List<QueueView>();
            foreach (var group in items.Where(m => m.Get("Queue") is not null).GroupBy(m => m.Get("Queue")!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var members = group.Where(m => m.IsEventNamed(AmiEventNames.QueueMember)).ToList();
                if (services.Engine?.FollowedQueue(name, group.Key) is { } followed)
                {
                    queues.Add(FromEngine(followed, members, attempts, campaignNames, [.. campaigns.Where(c => c.Queue == group.Key).Select(c => c.Name)]));
                    continue;
                }

                var waiting = group.Where(m => m.IsEventNamed(AmiEventNames.QueueEntry)).Select(m => m.Uniqueid).OfType<string>().ToList();
                var wrapUp = TimeSpan.Zero;
                var model = new QueueAgents(group.Key, wrapUp);
                model.Reset(members.Select(QueueMessages.Member).OfType<QueueMemberReport>(), waiting);
                var taken = members.ToDictionary(m => m.Get("Location") ?? "", m => m.GetInt32("CallsTaken") ?? 0, StringComparer.Ordinal);
                var agents = new List<AgentView>();
                foreach (var (member, state, _) in model.Members(now))
                {
                    // The agent leg is a channel of the member's device (Local/201@agentphone-0000002a;1, PJSIP/201-00000007).
                    var leg = channels.FirstOrDefault(c => c.IsEventNamed("CoreShowChannel") && c.Channel is { } ch && ch.StartsWith(member.Interface + "-", StringComparison.OrdinalIgnoreCase));
                    var shown = state;
                    if (state == QueueAgentState.Unavailable && member.Status == QueueMemberReport.DeviceInUse && !member.InCall && leg?.ChannelStateDesc is "Ring" or "Ringing")
                    {
                        // A ringing Local member reports Status 2 InCall 0 (QUEUES.md); its leg's channel state says which.
                        shown = QueueAgentState.Ringing;
                    }

                    var caller = leg?.Linkedid;
                    var attempt = caller is not null && attempts.TryGetValue(caller, out var a) ? a : null;
                    agents.Add(new AgentView(name, group.Key, member.Interface, member.Name, AgentView.StateName(shown), member.Paused, member.PausedReason,
                        taken.GetValueOrDefault(member.Interface), member.LastCall, leg is null ? null : caller, attempt?.Id, attempt?.CampaignId,
                        attempt is not null ? campaignNames.GetValueOrDefault(attempt.CampaignId) : null));
                }

                queues.Add(new QueueView(name, group.Key, agents, waiting.Count,
                    [.. campaigns.Where(c => c.Queue == group.Key).Select(c => c.Name)]));
            }

            return new ServerAgents(name, queues, null);
        }
        catch (AmiActionException e)
        {
            return new ServerAgents(name, [], "Asterisk says: " + e.Message);
        }
        catch (AmiException e)
        {
            return new ServerAgents(name, [], "the connection was lost: " + e.Message);
        }
    }

    private static QueueView FromEngine(Engine.Live.FollowedQueue followed, List<AmiMessage> listed, Dictionary<string, Core.Model.Attempt> open, Dictionary<long, string> campaignNames, IReadOnlyList<string> campaigns)
    {
        // CallsTaken is the list's (the follower keeps no count); the rest is the follower's.
        var taken = listed.ToDictionary(m => m.Get("Location") ?? "", m => m.GetInt32("CallsTaken") ?? 0, StringComparer.Ordinal);
        var agents = followed.Agents.Select(a =>
        {
            var attempt = a.Caller is not null && open.TryGetValue(a.Caller, out var found) ? found : null;
            var attemptId = a.AttemptId ?? attempt?.Id;
            var campaignId = attempt?.CampaignId;
            return new AgentView(followed.Server, followed.Queue, a.Member.Interface, a.Member.Name, AgentView.StateName(a.State), a.Member.Paused, a.Member.PausedReason,
                taken.GetValueOrDefault(a.Member.Interface), a.Member.LastCall, a.Caller, attemptId, campaignId, campaignId is { } id ? campaignNames.GetValueOrDefault(id) : null);
        }).ToList();
        return new QueueView(followed.Server, followed.Queue, agents, followed.Waiting, campaigns, "engine", followed.WrapUp.Describe(followed.Queue));
    }

    /// <summary>A short-lived client: no events (the lists are all it reads), one login attempt's worth of retries.</summary>
    internal static AmiClient Connect(ServerToCheck server)
    {
        var options = server.Config.Client.Copy();
        options.EventMask = "off";
        options.EventNames = null;
        options.InlineEventConsumer = false;
        options.ActionsPerSecond = 0;
        return new AmiClient(options, NullLogger<AmiClient>.Instance);
    }
}
