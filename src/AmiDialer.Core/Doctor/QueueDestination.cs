namespace AmiDialer.Core.Doctor;

/// <summary>A queue a campaign's agents sit in, the destination its answered calls go to, and the campaigns that use it.</summary>
public sealed record QueueUse(string Queue, DialplanPlace Destination, IReadOnlyList<string> UsedBy);

/// <summary>
/// Whether a destination's extension runs <c>Queue(&lt;name&gt;)</c>, from its ShowDialPlan priorities (issue #26: a
/// queue campaign's answered calls must reach the agents it is paced by). Pure.
/// </summary>
public static class QueueDestination
{
    // Applications through which an extension can reach Queue() elsewhere, out of ShowDialPlan's sight.
    private static readonly HashSet<string> Jumps = new(StringComparer.OrdinalIgnoreCase) { "Goto", "GotoIf", "GotoIfTime", "Gosub", "GosubIf", "Macro", "Dial", "Stasis", "AGI", "EAGI", "ExecIf", "Exec" };

    /// <summary>
    /// OK when a priority runs <c>Queue(queue,...)</c>; FAIL (blocking) when it runs only another queue, or no queue and no
    /// jump, since every answered call would then miss the agents; WARN when it may reach the queue through a jump
    /// (Goto, Gosub, Dial of a Local channel, ...) the doctor cannot follow.
    /// </summary>
    public static DoctorCheck Check(QueueUse use, IEnumerable<(string Application, string AppData)> priorities)
    {
        ArgumentNullException.ThrowIfNull(use);
        ArgumentNullException.ThrowIfNull(priorities);
        var name = $"queue {use.Queue} at {use.Destination}";
        var usedBy = string.Join(", ", use.UsedBy);
        var list = priorities.ToList();
        var queues = list.Where(p => p.Application.Equals("Queue", StringComparison.OrdinalIgnoreCase)).Select(p => QueueOf(p.AppData)).ToList();
        if (queues.Contains(use.Queue, StringComparer.Ordinal))
        {
            return DoctorCheck.Ok(name, $"the destination runs Queue({use.Queue}) (used by {usedBy})");
        }

        var fix = $"make {use.Destination} run Queue({use.Queue}) (the destination must also play the identification message), or change the queue of {usedBy}";
        if (queues.Count > 0)
        {
            return DoctorCheck.Fail(name, $"the destination runs Queue({string.Join(", ", queues.Distinct())}), not Queue({use.Queue}): answered calls would go to agents the campaign is not paced by (used by {usedBy})", fix, blocking: true);
        }

        if (list.FirstOrDefault(p => Jumps.Contains(p.Application)) is { Application: not null } jump)
        {
            return DoctorCheck.Warn(name, $"unverified: the destination runs no Queue() itself but {jump.Application}({jump.AppData}), which may lead to it (used by {usedBy})", fix);
        }

        return DoctorCheck.Fail(name, $"the destination runs no Queue(): answered calls would reach no agent (used by {usedBy})", fix, blocking: true);
    }

    /// <summary>The queue name of <c>Queue()</c>'s arguments: the first, before any comma.</summary>
    public static string QueueOf(string? appData)
    {
        var data = appData ?? "";
        var comma = data.IndexOf(',', StringComparison.Ordinal);
        return (comma < 0 ? data : data[..comma]).Trim();
    }
}
