using System.Globalization;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Reports;

/// <summary>
/// The per-lead report's columns: the E.164 number, the lead's CSV fields, then state, final outcome, attempts,
/// last attempt time, talk seconds, the raw hangup cause of the last attempt, whether it was simulated, and a note
/// on the outcome (<see cref="CampaignReport.UnknownNote"/> for an unknown one).
/// </summary>
public static class LeadReport
{
    public static IReadOnlyList<string> Header(IReadOnlyList<string> fieldNames)
    {
        ArgumentNullException.ThrowIfNull(fieldNames);
        return ["phone", .. fieldNames, "state", "outcome", "attempts", "last_attempt_at", "talk_seconds", "hangup_cause", "hangup_cause_text", "simulated", "outcome_note"];
    }

    public static IReadOnlyList<string?> Cells(LeadReportRow row, IReadOnlyList<string> fieldNames)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(fieldNames);
        var cells = new List<string?>(fieldNames.Count + 10) { row.PhoneE164 };
        cells.AddRange(fieldNames.Select(f => row.Fields.GetValueOrDefault(f)));
        cells.Add(row.State.ToWireName());
        cells.Add(row.FinalOutcome?.ToWireName());
        cells.Add(row.Attempts.ToString(CultureInfo.InvariantCulture));
        cells.Add(row.LastAttemptAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        cells.Add(row.TalkSeconds?.ToString("0.###", CultureInfo.InvariantCulture));
        cells.Add(row.LastHangupCause?.ToString(CultureInfo.InvariantCulture));
        cells.Add(row.LastHangupCauseText);
        cells.Add(row.Attempts == 0 ? null : row.IsSimulated ? "yes" : "no");
        cells.Add(OutcomeNote(row));
        return cells;
    }

    public static void WriteJson(Utf8JsonWriter w, LeadReportRow row)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(row);
        w.WriteStartObject();
        w.WriteString("phone", row.PhoneE164);
        w.WriteStartObject("fields");
        foreach (var (name, value) in row.Fields)
        {
            w.WriteString(name, value);
        }

        w.WriteEndObject();
        w.WriteString("state", row.State.ToWireName());
        w.WriteString("outcome", row.FinalOutcome?.ToWireName());
        w.WriteNumber("attempts", row.Attempts);
        if (row.LastAttemptAt is { } at)
        {
            w.WriteString("lastAttemptAt", at.ToUniversalTime());
        }
        else
        {
            w.WriteNull("lastAttemptAt");
        }

        if (row.TalkSeconds is { } talk)
        {
            w.WriteNumber("talkSeconds", talk);
        }
        else
        {
            w.WriteNull("talkSeconds");
        }

        if (row.LastHangupCause is { } cause)
        {
            w.WriteNumber("hangupCause", cause);
        }
        else
        {
            w.WriteNull("hangupCause");
        }

        w.WriteString("hangupCauseText", row.LastHangupCauseText);
        w.WriteBoolean("simulated", row.IsSimulated);
        w.WriteString("outcomeNote", OutcomeNote(row));
        w.WriteEndObject();
    }

    /// <summary>What an outcome's bare name does not say: <see cref="CampaignReport.UnknownNote"/> for unknown, else null.</summary>
    public static string? OutcomeNote(CallOutcome? outcome) => outcome == CallOutcome.Unknown ? CampaignReport.UnknownNote : null;

    /// <summary>The lead's own note (why it was never called) first, else what its outcome's name does not say.</summary>
    public static string? OutcomeNote(LeadReportRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Note ?? OutcomeNote(row.FinalOutcome);
    }

    /// <summary>Every lead of a campaign, page by page (keyset paging: flat memory whatever the size).</summary>
    public static async IAsyncEnumerable<LeadReportRow> AllAsync(ReportRepository reports, long campaignId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reports);
        long after = 0;
        while (true)
        {
            var page = await reports.ListLeadRowsAsync(campaignId, after, 1000, ct);
            foreach (var row in page)
            {
                yield return row;
            }

            if (page.Count < 1000)
            {
                yield break;
            }

            after = page[^1].LeadId;
        }
    }

    /// <summary>The leads of a campaign a filter keeps, page by page.</summary>
    public static async IAsyncEnumerable<LeadReportRow> AllAsync(ReportRepository reports, long campaignId, LeadFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reports);
        long after = 0;
        while (true)
        {
            var page = await reports.ListFilteredLeadRowsAsync(campaignId, filter, after, 1000, 0, ct);
            foreach (var row in page)
            {
                yield return row;
            }

            if (page.Count < 1000)
            {
                yield break;
            }

            after = page[^1].LeadId;
        }
    }

    /// <summary>The field names of a campaign's leads, in first-seen order (one pass over the leads).</summary>
    public static async Task<IReadOnlyList<string>> FieldNamesAsync(ReportRepository reports, long campaignId, CancellationToken ct)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in AllAsync(reports, campaignId, ct))
        {
            foreach (var name in row.Fields.Keys)
            {
                if (seen.Add(name))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }
}
