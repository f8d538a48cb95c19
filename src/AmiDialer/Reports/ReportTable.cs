using System.Globalization;
using System.Text;

namespace AmiDialer.Reports;

/// <summary>The report as a terminal reads it: headline figures, then outcomes, states and attempts by hour.</summary>
public static class ReportTable
{
    public static string Format(CampaignReport report) => Format(report, TableStyle.Plain);

    public static string Format(CampaignReport report, TableStyle style)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var state = report.CampaignState is null ? "" : $" ({report.CampaignState})";
        text.AppendLine(CultureInfo.InvariantCulture, $"Campaign: {report.Campaign}{state}");
        if (report.Simulated)
        {
            text.AppendLine("SIMULATED: these calls went to the built-in simulator, not a real PBX.");
        }

        // "Not final" with its parts: the state table below has a row named pending that is only one of them.
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Leads: {report.Leads}  dialable: {report.Dialable}  blocked: {report.Blocked}  not final: {report.Pending} (pending {report.States.GetValueOrDefault("pending")}, in progress {report.States.GetValueOrDefault("in-progress")}, waiting retry {report.States.GetValueOrDefault("waiting-retry")})");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Attempts: {report.Attempts}  answer rate by leads: {report.AnswerRate * 100:0.0} %  by attempts: {report.AttemptAnswerRate * 100:0.0} %  average talk: {report.AvgTalkSeconds:0.0} s");
        if (report.Abandon is { } abandon)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Abandoned (no agent within 2 s of the answer) over {abandon.Window}: {abandon.Abandoned} of {abandon.Answered} answered queue calls = {abandon.Rate * 100:0.00} %  limit: {abandon.Limit * 100:0.##} %{(abandon.AtFallback ? $"  at or past {AbandonReport.FallbackShare * 100:0} % of the limit: predictive pacing runs as progressive" : "")}");
        }

        if (report.OutcomeUnknown > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Ended while the dialer was down: outcome unknown: {report.OutcomeUnknown} lead(s), not in the answer rate and never re-dialed automatically. To call them again: amidialer campaign requeue {Cli.CliServices.Quote(report.Campaign)} --outcome unknown");
        }

        text.AppendLine();

        var outcomes = new TextTable("outcome", "leads", "attempts");
        foreach (var key in report.Outcomes.Keys.Union(report.AttemptOutcomes.Keys))
        {
            outcomes.Add(key, report.Outcomes.GetValueOrDefault(key), report.AttemptOutcomes.GetValueOrDefault(key));
        }

        text.Append(outcomes.Render(style));
        text.AppendLine();

        var states = new TextTable("state", "leads");
        foreach (var (key, n) in report.States)
        {
            states.Add(key, n);
        }

        text.Append(states.Render(style));
        if (report.ByHour.Count > 0)
        {
            text.AppendLine();
            var hours = new TextTable("hour (UTC)", "attempts", "answered");
            foreach (var hour in report.ByHour)
            {
                hours.Add(hour.Hour.UtcDateTime.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture), hour.Attempts, hour.Answered);
            }

            text.Append(hours.Render(style));
        }

        if (report.Abandon is { Days.Count: > 0 } daily)
        {
            text.AppendLine();
            var days = new TextTable("day (UTC)", "answered", "abandoned", "abandon rate");
            foreach (var day in daily.Days)
            {
                days.Add(day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day.Answered, day.Abandoned,
                    (day.Answered == 0 ? 0 : day.Abandoned * 100.0 / day.Answered).ToString("0.00", CultureInfo.InvariantCulture) + " %");
            }

            text.Append(days.Render(style));
        }

        return text.ToString();
    }
}
