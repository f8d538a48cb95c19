namespace AmiDialer.Core.Doctor;

/// <summary>
/// Whether a campaign may start, from the doctor's report on its servers: not when a check that makes its calls fail
/// outright FAILs (a refused login, no <c>originate</c> class, its destination missing, the ledger configured but
/// missing), nor when no server can be logged in to at all (nothing would be dialed). Warnings never refuse.
/// </summary>
public static class StartGate
{
    /// <summary>Why the start is refused, one line per reason naming the server, what was found and how to fix it; empty when it may start.</summary>
    public static IReadOnlyList<string> Refusals(DoctorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lines = new List<string>();
        foreach (var server in report.Servers)
        {
            lines.AddRange(server.BlockingFailures.Select(c => Line(server, c)));
        }

        if (report.Servers.Count == 0)
        {
            lines.Add("no AMI server is configured (Ami:Servers): nothing would be dialed");
        }
        else if (!report.Servers.Any(s => s.Reachable))
        {
            var unlisted = report.Servers.Where(s => !s.BlockingFailures.Any())
                .Select(s => s.Checks.FirstOrDefault(c => c.Level == CheckLevel.Fail) is { } why ? Line(s, why) : $"{s.Server}: not logged in");
            lines.Add("no AMI server can be logged in to, so nothing would be dialed");
            lines.AddRange(unlisted);
        }

        return lines;
    }

    private static string Line(ServerCheckReport server, DoctorCheck check) =>
        $"{server.Server} {check.Check}: {check.Detail}" + (string.IsNullOrEmpty(check.Fix) ? "" : $" (fix: {check.Fix})");
}
