using System.Globalization;
using System.Text.Json;
using AmiDialer.Agents;
using AmiDialer.Web.Infrastructure;

namespace AmiDialer.Reports;

/// <summary>The agents of the queues, as <c>amidialer agents</c> prints them and <c>GET /api/agents</c> returns them.</summary>
public static class AgentsOutput
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new UtcTimeJsonConverter() },
    };

    /// <summary>The API's body: one entry per server, its queues with their figures and agents.</summary>
    public static object Dto(IReadOnlyList<ServerAgents> servers) =>
        new
        {
            servers = servers.Select(s => new
            {
                server = s.Server,
                problem = s.Problem,
                queues = s.Queues.Select(q => new
                {
                    queue = q.Queue,
                    loggedIn = q.LoggedIn,
                    paused = q.Paused,
                    talking = q.Talking,
                    free = q.Free,
                    waiting = q.Waiting,
                    utilisation = Math.Round(q.Utilisation, 4),
                    campaigns = q.Campaigns,
                    agents = q.Agents.Select(a => new
                    {
                        @interface = a.Interface,
                        name = a.Name,
                        state = a.State,
                        paused = a.Paused,
                        pausedReason = a.PausedReason,
                        callsTaken = a.CallsTaken,
                        lastCall = a.LastCall,
                        attemptId = a.AttemptId,
                        campaignId = a.CampaignId,
                        campaign = a.Campaign,
                    }),
                }),
            }),
        };

    public static string Table(IReadOnlyList<ServerAgents> servers, TableStyle style)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var server in servers)
        {
            if (server.Problem is not null)
            {
                sb.Append("Server ").Append(server.Server).Append(": ").AppendLine(server.Problem);
                continue;
            }

            if (server.Queues.Count == 0)
            {
                sb.Append("Server ").Append(server.Server).AppendLine(": no queue.");
                continue;
            }

            foreach (var q in server.Queues)
            {
                sb.Append("Queue ").Append(q.Queue).Append(" on ").Append(server.Server).Append(": ")
                  .Append(q.LoggedIn.ToString(CultureInfo.InvariantCulture)).Append(" logged in, ")
                  .Append(q.Paused.ToString(CultureInfo.InvariantCulture)).Append(" paused, ")
                  .Append(q.Talking.ToString(CultureInfo.InvariantCulture)).Append(" talking, ")
                  .Append(q.Free.ToString(CultureInfo.InvariantCulture)).Append(" free, ")
                  .Append(q.Waiting.ToString(CultureInfo.InvariantCulture)).Append(" waiting; utilisation ")
                  .Append((q.Utilisation * 100).ToString("0", CultureInfo.InvariantCulture)).Append('%');
                if (q.Campaigns.Count > 0)
                {
                    sb.Append("; campaigns: ").Append(string.Join(", ", q.Campaigns));
                }

                sb.AppendLine();
                var table = new TextTable("agent", "interface", "state", "paused reason", "calls", "attempt");
                foreach (var a in q.Agents)
                {
                    table.Add(a.Name ?? "", a.Interface, a.State, a.PausedReason ?? "", a.CallsTaken.ToString(CultureInfo.InvariantCulture),
                        a.AttemptId is { } id ? $"#{id.ToString(CultureInfo.InvariantCulture)} ({a.Campaign})" : "");
                }

                sb.Append(table.Render(style));
            }
        }

        return sb.ToString();
    }
}
