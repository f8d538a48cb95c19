using System.Text;
using System.Text.Json;
using AmiDialer.Core.Doctor;

namespace AmiDialer.Reports;

/// <summary>The doctor's report as JSON (<c>doctor --format json</c> and <c>GET /api/doctor</c>: the same document) and as tables.</summary>
public static class DoctorOutput
{
    public static string Word(CheckLevel level) => level switch
    {
        CheckLevel.Ok => "OK",
        CheckLevel.Warn => "WARN",
        _ => "FAIL",
    };

    public static void Write(Utf8JsonWriter w, DoctorReport report)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        w.WriteStartObject();
        w.WriteString("checkedAt", report.CheckedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteBoolean("ok", !report.HasFailures);
        w.WriteStartArray("servers");
        foreach (var server in report.Servers)
        {
            w.WriteStartObject();
            w.WriteString("name", server.Server);
            w.WriteString("address", server.Address);
            w.WriteString("result", Word(server.Level));
            w.WriteStartArray("checks");
            foreach (var check in server.Checks)
            {
                w.WriteStartObject();
                w.WriteString("check", check.Check);
                w.WriteString("result", Word(check.Level));
                w.WriteString("detail", check.Detail);
                w.WriteString("fix", check.Fix);
                w.WriteBoolean("blocking", check.Blocking);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string Json(DoctorReport report, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonOutput.Writer(indented)))
        {
            Write(w, report);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>One table per server under a line naming it and its worst result, then a line saying what the exit code means.</summary>
    public static string Table(DoctorReport report, TableStyle style)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        foreach (var server in report.Servers)
        {
            text.AppendLine($"{server.Server} ({server.Address}): {Word(server.Level)}");
            var table = new TextTable("check", "result", "found", "how to fix");
            foreach (var check in server.Checks)
            {
                table.Add(check.Check, Word(check.Level), check.Detail, check.Fix ?? "");
            }

            text.Append(table.Render(style));
            text.AppendLine();
        }

        var failed = report.Servers.Count(s => s.Level == CheckLevel.Fail);
        var warned = report.Servers.Count(s => s.Level == CheckLevel.Warn);
        text.Append(report.Servers.Count == 0
            ? "No AMI server is configured (Ami:Servers)."
            : failed > 0
                ? $"{failed} of {report.Servers.Count} server(s) FAIL a check: fix the lines marked FAIL."
                : warned > 0
                    ? $"No check FAILs; {warned} server(s) have warnings."
                    : "Every check is OK.");
        return text.ToString();
    }
}
