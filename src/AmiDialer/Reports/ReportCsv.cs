using System.Globalization;
using AmiDialer.Data.Export;

namespace AmiDialer.Reports;

/// <summary>The summary as a two-column CSV (metric, value), through the spreadsheet-safe writer.</summary>
public static class ReportCsv
{
    public static void Write(SafeCsvWriter csv, CampaignReport report)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(report);
        csv.WriteRow(["metric", "value"]);
        csv.WriteRow(["campaign", report.Campaign]);
        csv.WriteRow(["simulated", report.Simulated ? "yes" : "no"]);
        Row(csv, "leads", report.Leads);
        Row(csv, "dialable", report.Dialable);
        Row(csv, "blocked", report.Blocked);
        Row(csv, "attempts", report.Attempts);
        Row(csv, "not_final", report.Pending);
        csv.WriteRow(["answer_rate_leads", report.AnswerRate.ToString("0.####", CultureInfo.InvariantCulture)]);
        csv.WriteRow(["answer_rate_attempts", report.AttemptAnswerRate.ToString("0.####", CultureInfo.InvariantCulture)]);
        Row(csv, "outcome_unknown", report.OutcomeUnknown);
        csv.WriteRow(["avg_talk_seconds", report.AvgTalkSeconds.ToString("0.#", CultureInfo.InvariantCulture)]);
        foreach (var (key, n) in report.Outcomes)
        {
            Row(csv, "outcome:" + key, n);
        }

        foreach (var (key, n) in report.AttemptOutcomes)
        {
            Row(csv, "attempts:" + key, n);
        }

        foreach (var (key, n) in report.States)
        {
            Row(csv, "state:" + key, n);
        }

        foreach (var hour in report.ByHour)
        {
            Row(csv, "hour:" + hour.Hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH':00Z'", CultureInfo.InvariantCulture), hour.Attempts);
        }
    }

    private static void Row(SafeCsvWriter csv, string metric, long value) =>
        csv.WriteRow([metric, value.ToString(CultureInfo.InvariantCulture)]);
}
