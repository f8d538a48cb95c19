using AmiDialer.Core.Doctor;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine.Preflight;

/// <summary>Runs <see cref="ServerDoctor"/> on several servers at once; one slow or dead server does not hold up the others' checks.</summary>
public static class Doctor
{
    public static async Task<DoctorReport> RunAsync(IReadOnlyList<ServerToCheck> servers, DoctorNeeds needs, DoctorOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(logger);
        var checkedAt = time.GetUtcNow();
        var reports = await Task.WhenAll(servers.Select(s => ServerDoctor.CheckAsync(s, needs, options, time, cancellationToken))).ConfigureAwait(false);
        foreach (var report in reports)
        {
            logger.DoctorChecked(report.Server, report.Address, Count(report, CheckLevel.Ok), Count(report, CheckLevel.Warn), Count(report, CheckLevel.Fail));
        }

        return new DoctorReport(checkedAt, reports);
    }

    private static int Count(ServerCheckReport report, CheckLevel level) => report.Checks.Count(c => c.Level == level);
}
