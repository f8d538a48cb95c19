using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AmiDialer.Simulator;

/// <summary>
/// The simulator's ground truth for tests that run it in another process (<c>simulate --record</c>): one JSON line
/// per Originate received and one per call when it ends, appended and flushed at once, so a test that kills the
/// dialer (or the simulator) still reads every line written so far. The field names are a contract: kill tests read them.
/// </summary>
internal sealed record QueueFate(string Queue, string? Agent, long? AnswerToAgentMs, bool Abandoned);

internal sealed class GroundTruthRecorder : IDisposable
{
    // A file for tests to read, not HTML: "+" and quotes in a dial string stay as they are.
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly FileStream _file;
    private readonly Lock _gate = new();
    private bool _disposed;

    public GroundTruthRecorder(string path)
    {
        // Shared read (and write, for a test that truncates between runs): the reader is another process.
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.None);
    }

    /// <summary>Outcome names as AmiDialer reports them (CallOutcome's text).</summary>
    public static string OutcomeText(SimulatedOutcome outcome) => outcome switch
    {
        SimulatedOutcome.Answered => "answered",
        SimulatedOutcome.Busy => "busy",
        SimulatedOutcome.NoAnswer => "no-answer",
        SimulatedOutcome.Congestion => "congestion",
        SimulatedOutcome.Unallocated => "invalid-number",
        SimulatedOutcome.Rejected => "rejected",
        _ => "failed",
    };

    public void Originate(string? channelId, string number, DateTimeOffset at) => Write(w =>
    {
        w.WriteString("originate", channelId ?? "");
        w.WriteString("number", number);
        w.WriteString("at", Time(at));
    });

    public void CallEnded(string channelId, string number, string outcome, bool answered, DateTimeOffset startedAt, DateTimeOffset endedAt, bool ledger, QueueFate? queue = null) => Write(w =>
    {
        w.WriteString("channelId", channelId);
        w.WriteString("number", number);
        w.WriteString("outcome", outcome);
        w.WriteBoolean("answered", answered);
        w.WriteString("startedAt", Time(startedAt));
        w.WriteString("endedAt", Time(endedAt));
        w.WriteBoolean("ledger", ledger);
        if (queue is not null)
        {
            // What the abandon rule measures, from the PBX's side: the agent who took the call (null: none) and the PBX
            // milliseconds from the callee's answer to AgentConnect.
            w.WriteString("queue", queue.Queue);
            w.WriteString("agent", queue.Agent);
            if (queue.AnswerToAgentMs is { } ms)
            {
                w.WriteNumber("answerToAgentMs", ms);
            }
            else
            {
                w.WriteNull("answerToAgentMs");
            }

            w.WriteBoolean("abandoned", queue.Abandoned);
        }
    });

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _file.Dispose();
        }
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void Write(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // One write per line, flushed to the OS at once: a line is whole or absent when the reader looks.
            _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _file.Flush();
        }
    }
}
