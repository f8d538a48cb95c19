using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Reports;

/// <summary>
/// Leads of an import the dialer will refuse to call because a field used as a channel variable cannot be sent (a
/// line break would inject AMI headers): counted after the import so the operator learns it before dialing.
/// </summary>
public static class UnsendableLeads
{
    /// <returns>How many, and the first reason (for the summary line); (0, null) when none.</returns>
    public static async Task<(long Count, string? FirstReason)> CountAsync(LeadRepository leads, Campaign campaign, long importId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(leads);
        ArgumentNullException.ThrowIfNull(campaign);
        if (!campaign.Variables.Any(v => v.Field is not null))
        {
            return (0, null);
        }

        long count = 0;
        string? first = null;
        await foreach (var fields in leads.ListImportFieldsAsync(importId, ct))
        {
            if (!ChannelVariables.TryResolve(campaign.Variables, fields, out _, out var problem))
            {
                count++;
                first ??= problem + ": not dialed";
            }
        }

        return (count, first);
    }
}
