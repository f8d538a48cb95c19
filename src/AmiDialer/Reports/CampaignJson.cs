using System.Text;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Reports;

/// <summary>A campaign's settings as JSON (CLI <c>campaign show --format json</c>, and the web API can reuse it).</summary>
public static class CampaignJson
{
    public static void Write(Utf8JsonWriter w, Campaign c, CampaignReport? report = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(c);
        w.WriteStartObject();
        w.WriteNumber("id", c.Id);
        w.WriteString("name", c.Name);
        w.WriteString("state", c.State.ToString().ToLowerInvariant());
        w.WriteBoolean("simulated", c.IsSimulated);
        w.WriteString("timeZone", c.TimeZoneId);
        w.WriteString("dial", c.DialTemplate);
        w.WriteString("destination", c.Destination.ToString());
        w.WriteString("onAnswerRedirect", c.OnAnswerRedirect?.ToString());
        w.WriteString("callerId", c.CallerId);
        w.WriteNumber("maxConcurrent", c.MaxConcurrentCalls);
        w.WriteNumber("cps", c.CallsPerSecond);
        w.WriteNumber("ringTimeoutSeconds", c.RingTimeout.TotalSeconds);
        w.WriteString("hours", c.CallingHours.ToString());
        w.WriteString("days", c.Days.Count == 0 ? "" : ScheduleText.FormatDays(c.Days));
        w.WriteStartArray("windows");
        foreach (var window in c.Windows)
        {
            w.WriteStringValue(window.ToString());
        }

        w.WriteEndArray();
        WriteTime(w, "start", c.StartAt);
        WriteTime(w, "end", c.EndAt);
        w.WriteString("retry", c.RetryPolicy);
        w.WriteNumber("maxAttempts", c.MaxAttempts);
        w.WriteString("order", c.Order.ToWireName());
        w.WriteString("queue", c.Queue);
        w.WriteString("pacing", c.Pacing.ToWireName());
        w.WriteNumber("pacingRatio", c.PacingRatio);
        w.WriteStartArray("variables");
        foreach (var v in c.Variables)
        {
            w.WriteStartObject();
            w.WriteString("name", v.Name);
            if (v.Field is null)
            {
                w.WriteString("value", v.Value);
            }
            else
            {
                w.WriteString("field", v.Field);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteTime(w, "createdAt", c.CreatedAt);
        if (report is not null)
        {
            w.WritePropertyName("report");
            ReportJson.Write(w, report);
        }

        w.WriteEndObject();
    }

    public static string ToJson(Campaign campaign, CampaignReport? report = null, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonOutput.Writer(indented)))
        {
            Write(writer, campaign, report);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } t)
        {
            w.WriteString(name, t);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
