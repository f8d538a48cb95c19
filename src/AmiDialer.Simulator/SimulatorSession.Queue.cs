using System.Globalization;
using System.Text;
using AmiDialer.Ami;

namespace AmiDialer.Simulator;

/// <summary>app_queue's actions (q2-q5): the status lists and the member changes, with Asterisk's texts.</summary>
internal sealed partial class SimulatorSession
{
    private SimulatedPbx Pbx => _server.Pbx;

    /// <summary>The queues a Queue header selects: all of them without one, none for an unknown name (an empty list, no error).</summary>
    private List<SimulatedQueue> SelectQueues(AmiMessage m) =>
        m["Queue"] is { Length: > 0 } name
            ? Pbx.Queues.TryGetValue(name, out var one) ? [one] : []
            : [.. Pbx.Queues.Values];

    private async Task QueueStatusAsync(AmiMessage m)
    {
        await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "Queue status will follow")).ConfigureAwait(false);
        var member = m["Member"];
        var sb = new StringBuilder(2048);
        var items = 0;
        lock (Pbx.QueueGate)
        {
            foreach (var queue in SelectQueues(m))
            {
                // "Member: X" lists only that member (q4), the queue's parameters still come first.
                if (!string.IsNullOrEmpty(member) && queue.Find(member) is null)
                {
                    continue;
                }

                queue.AppendParams(sb, m.ActionId);
                items++;
                foreach (var one in queue.Members.Where(x => string.IsNullOrEmpty(member) || x.Interface == member).Reverse())
                {
                    // Asterisk walks its member container from the newest (q1-q3 list 202 before 201).
                    one.AppendListItem(sb, queue.Name, m.ActionId);
                    items++;
                }

                items += queue.AppendEntries(sb, m.ActionId);
            }
        }

        sb.Append("Event: QueueStatusComplete\r\n");
        AppendListEnd(sb, m, items);
        Send(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private async Task QueueSummaryAsync(AmiMessage m)
    {
        await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "Queue summary will follow")).ConfigureAwait(false);
        var sb = new StringBuilder(512);
        var items = 0;
        lock (Pbx.QueueGate)
        {
            foreach (var queue in SelectQueues(m))
            {
                queue.AppendSummary(sb, m.ActionId);
                items++;
            }
        }

        sb.Append("Event: QueueSummaryComplete\r\n");
        AppendListEnd(sb, m, items);
        Send(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static void AppendListEnd(StringBuilder sb, AmiMessage m, int items)
    {
        if (m.ActionId is { } id)
        {
            sb.Append("ActionID: ").Append(id).Append("\r\n");
        }

        sb.Append("EventList: Complete\r\nListItems: ").Append(items.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
    }

    private async Task QueueResetAsync(AmiMessage m)
    {
        lock (Pbx.QueueGate)
        {
            foreach (var queue in SelectQueues(m))
            {
                queue.Reset();
            }
        }

        await RespondAsync(m, "Success", ("Message", "Queue stats reset successfully")).ConfigureAwait(false);
    }

    private async Task QueueAddAsync(AmiMessage m)
    {
        var name = m["Queue"];
        var iface = m["Interface"];
        if (string.IsNullOrEmpty(name))
        {
            await RespondAsync(m, "Error", ("Message", "'Queue' not specified.")).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(iface))
        {
            await RespondAsync(m, "Error", ("Message", "'Interface' not specified.")).ConfigureAwait(false);
            return;
        }

        string? error;
        lock (Pbx.QueueGate)
        {
            error = !Pbx.Queues.TryGetValue(name, out var queue) ? "Unable to add interface to queue: No such queue"
                : queue.Find(iface) is not null ? "Unable to add interface: Already there"
                : null;
        }

        if (error is not null)
        {
            await RespondAsync(m, "Error", ("Message", error)).ConfigureAwait(false);
            return;
        }

        // The answer comes first, then QueueMemberAdded (q4).
        await RespondAsync(m, "Success", ("Message", "Added interface to queue")).ConfigureAwait(false);
        var penalty = int.TryParse(m["Penalty"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0;
        lock (Pbx.QueueGate)
        {
            if (Pbx.Queues.TryGetValue(name, out var queue) && queue.Find(iface) is null)
            {
                queue.Add(iface, m["MemberName"] is { Length: > 0 } memberName ? memberName : iface, m.GetBoolean("Paused") == true, m["Reason"] ?? "", penalty);
            }
        }
    }

    private async Task QueueRemoveAsync(AmiMessage m)
    {
        var name = m["Queue"];
        var iface = m["Interface"];
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(iface))
        {
            await RespondAsync(m, "Error", ("Message", "Need 'Queue' and 'Interface' parameters.")).ConfigureAwait(false);
            return;
        }

        string? error;
        lock (Pbx.QueueGate)
        {
            error = !Pbx.Queues.TryGetValue(name, out var queue) ? "Unable to remove interface from queue: No such queue"
                : queue.Find(iface) is not { } member ? "Unable to remove interface: Not there"
                : !member.Dynamic ? "Member not dynamic"
                : null;
        }

        if (error is not null)
        {
            await RespondAsync(m, "Error", ("Message", error)).ConfigureAwait(false);
            return;
        }

        await RespondAsync(m, "Success", ("Message", "Removed interface from queue")).ConfigureAwait(false);
        lock (Pbx.QueueGate)
        {
            if (Pbx.Queues.TryGetValue(name, out var queue) && queue.Find(iface) is { Dynamic: true } member)
            {
                queue.Remove(member);
            }
        }
    }

    private async Task QueuePauseAsync(AmiMessage m)
    {
        var iface = m["Interface"];
        var pausedText = m["Paused"];
        if (string.IsNullOrEmpty(iface) || string.IsNullOrEmpty(pausedText))
        {
            await RespondAsync(m, "Error", ("Message", "Need 'Interface' and 'Paused' parameters.")).ConfigureAwait(false);
            return;
        }

        var paused = m.GetBoolean("Paused") == true;
        List<SimulatedQueue> targets;
        lock (Pbx.QueueGate)
        {
            // Without a Queue header the member is paused in every queue it is in, one QueueMemberPause each (q2).
            targets = SelectQueues(m).Where(q => q.Find(iface) is not null).ToList();
        }

        if (targets.Count == 0)
        {
            await RespondAsync(m, "Error", ("Message", "Interface not found")).ConfigureAwait(false);
            return;
        }

        await RespondAsync(m, "Success", ("Message", paused ? "Interface paused successfully" : "Interface unpaused successfully")).ConfigureAwait(false);
        lock (Pbx.QueueGate)
        {
            foreach (var queue in targets)
            {
                if (queue.Find(iface) is { } member)
                {
                    queue.Pause(member, paused, m["Reason"] ?? "");
                }
            }
        }
    }
}
