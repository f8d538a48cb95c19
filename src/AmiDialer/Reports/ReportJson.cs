using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AmiDialer.Reports;

/// <summary>
/// The report's documented JSON shape, written by hand so key names and order never drift:
/// <c>{"campaign","leads","dialable","blocked","attempts","simulated","outcomes":{answered,busy,no-answer,
/// congestion,rejected,invalid-number,failed,...},"attemptOutcomes":{...},"states":{...},"notFinal","pending","answerRate",
/// "attemptAnswerRate","outcomeUnknown","avgTalkSeconds","byHour":[{"hour","attempts","answered"}]}</c>. <c>notFinal</c>
/// is the sum of the states pending, in-progress and waiting-retry; <c>pending</c> repeats it for scripts written before
/// (it is not <c>states.pending</c>). <c>answerRate</c> is by leads, <c>attemptAnswerRate</c> by attempts. <c>outcomeUnknown</c> counts the
/// leads whose call ended while the dialer was down (<see cref="CampaignReport.UnknownNote"/>), left out of answerRate.
/// A queue campaign adds <c>"abandon"</c> after byHour (<see cref="AbandonReport"/>).
/// </summary>
public static class ReportJson
{
    public static void Write(Utf8JsonWriter writer, CampaignReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteStartObject();
        writer.WriteString("campaign", report.Campaign);
        writer.WriteNumber("leads", report.Leads);
        writer.WriteNumber("dialable", report.Dialable);
        writer.WriteNumber("blocked", report.Blocked);
        writer.WriteNumber("attempts", report.Attempts);
        writer.WriteBoolean("simulated", report.Simulated);
        WriteCounts(writer, "outcomes", report.Outcomes);
        WriteCounts(writer, "attemptOutcomes", report.AttemptOutcomes);
        WriteCounts(writer, "states", report.States);
        writer.WriteNumber("notFinal", report.Pending);
        writer.WriteNumber("pending", report.Pending);
        writer.WriteNumber("answerRate", report.AnswerRate);
        writer.WriteNumber("attemptAnswerRate", report.AttemptAnswerRate);
        writer.WriteNumber("outcomeUnknown", report.OutcomeUnknown);
        writer.WriteNumber("avgTalkSeconds", report.AvgTalkSeconds);
        writer.WriteStartArray("byHour");
        foreach (var hour in report.ByHour)
        {
            writer.WriteStartObject();
            writer.WriteString("hour", hour.Hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteNumber("attempts", hour.Attempts);
            writer.WriteNumber("answered", hour.Answered);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (report.Abandon is { } abandon)
        {
            WriteAbandon(writer, abandon);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>"abandon":{"window","since","limit","fallbackAt","answered","abandoned","rate","atFallback","byDay":[{"day","answered","abandoned","rate"}]}</c>:
    /// a queue campaign's answered calls not taken by an agent within 2 s (or whose caller left, or whose fate is unknown).
    /// </summary>
    private static void WriteAbandon(Utf8JsonWriter writer, AbandonReport abandon)
    {
        writer.WriteStartObject("abandon");
        writer.WriteString("window", abandon.Window);
        writer.WriteString("since", abandon.Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        writer.WriteNumber("limit", abandon.Limit);
        writer.WriteNumber("fallbackAt", Math.Round(abandon.FallbackRate, 6));
        writer.WriteNumber("answered", abandon.Answered);
        writer.WriteNumber("abandoned", abandon.Abandoned);
        writer.WriteNumber("rate", Math.Round(abandon.Rate, 6));
        writer.WriteBoolean("atFallback", abandon.AtFallback);
        writer.WriteStartArray("byDay");
        foreach (var day in abandon.Days)
        {
            writer.WriteStartObject();
            writer.WriteString("day", day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            writer.WriteNumber("answered", day.Answered);
            writer.WriteNumber("abandoned", day.Abandoned);
            writer.WriteNumber("rate", day.Answered == 0 ? 0 : Math.Round(day.Abandoned / (double)day.Answered, 6));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static string ToJson(CampaignReport report, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonOutput.Writer(indented)))
        {
            Write(writer, report);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteCounts(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, n) in counts)
        {
            writer.WriteNumber(key, n);
        }

        writer.WriteEndObject();
    }
}
