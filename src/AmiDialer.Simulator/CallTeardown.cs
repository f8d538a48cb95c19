using System.Globalization;
using System.Text;

namespace AmiDialer.Simulator;

/// <summary>Why a call is being ended from outside its template.</summary>
internal enum TeardownKind
{
    /// <summary>The Hangup action (g2).</summary>
    HangupAction,

    /// <summary>"core restart now" / "core stop now" (i1, i2): soft hangup flag 4, cause 0.</summary>
    Shutdown,
}

/// <summary>
/// The events Asterisk sent when a live Local call was ended from outside (g2's Hangup, i1's restart), rebuilt from
/// the legs' last known state. Each Local pair (A, and B for click-to-call) is torn down the same way.
/// </summary>
internal static class CallTeardown
{
    public static List<(string Text, AmiPrivilege Class)> Build(SimulatedCall call, IReadOnlyList<List<KeyValuePair<string, string>>?> legs, TeardownKind kind, int cause, DateTimeOffset now)
    {
        var events = new List<(string, AmiPrivilege)>();
        for (var pair = 2; pair >= 0; pair -= 2)
        {
            var one = legs[pair];
            var two = legs[pair + 1];
            if (one is null && two is null)
            {
                continue;
            }

            var device = pair == 0 ? call.Request.Channel : "Local/" + call.Request.Exten + "@pstn";
            var up = one is not null && Get(one, "ChannelState") == "6";
            if (kind == TeardownKind.Shutdown)
            {
                Add(events, "SoftHangupRequest", two, ("Cause", "4"));
                Add(events, "SoftHangupRequest", one, ("Cause", "4"));
                Add(events, "SoftHangupRequest", two, ("Cause", "16"));
                Add(events, "HangupRequest", one, ("Cause", "0"));
                Add(events, "Hangup", two, ("Cause", "0"), ("Cause-txt", Causes.Text(0)));
                Device(events, device);
                if (up)
                {
                    Cdr(events, call, two, now);
                }

                Add(events, "SoftHangupRequest", one, ("Cause", "16"));
                Add(events, "Hangup", one, ("Cause", "0"), ("Cause-txt", Causes.Text(0)));
                if (up)
                {
                    Cdr(events, call, one, now);
                }

                Device(events, device);
                continue;
            }

            var c = cause.ToString(CultureInfo.InvariantCulture);
            if (up)
            {
                Add(events, "SoftHangupRequest", one, ("Cause", "16"));
                Add(events, "SoftHangupRequest", two, ("Cause", "16"));
                Add(events, "HangupRequest", one, ("Cause", c));
                Cdr(events, call, two, now);
                Cdr(events, call, one, now);
                Add(events, "Hangup", two, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
                Add(events, "Hangup", one, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
            }
            else
            {
                if (one is not null)
                {
                    var dial = new StringBuilder("Event: DialEnd\r\nPrivilege: call,all\r\n");
                    foreach (var (key, value) in one.Where(h => h.Key is not ("Application" or "ApplicationData")))
                    {
                        dial.Append("Dest").Append(key == "Uniqueid" ? "Uniqueid" : key).Append(": ").Append(value).Append("\r\n");
                    }

                    events.Add((dial.Append("DialStatus: NOANSWER\r\n\r\n").ToString(), AmiPrivilege.Call));
                }

                Add(events, "HangupRequest", two, ("Cause", c));
                Add(events, "SoftHangupRequest", two, ("Cause", "16"));
                Add(events, "Hangup", two, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
                Add(events, "Hangup", one, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
            }

            Device(events, device);
            Device(events, device);
        }

        return events;
    }

    private static string Get(List<KeyValuePair<string, string>> headers, string key) => headers.FirstOrDefault(h => h.Key == key).Value ?? "";

    private static void Add(List<(string, AmiPrivilege)> events, string name, List<KeyValuePair<string, string>>? leg, params (string Key, string Value)[] extra)
    {
        if (leg is null)
        {
            return;
        }

        var sb = new StringBuilder("Event: ").Append(name).Append("\r\nPrivilege: call,all\r\n");
        foreach (var (key, value) in leg.Where(h => h.Key is not ("Application" or "ApplicationData")))
        {
            sb.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        foreach (var (key, value) in extra)
        {
            sb.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        events.Add((sb.Append("\r\n").ToString(), AmiPrivilege.Call));
    }

    private static void Device(List<(string, AmiPrivilege)> events, string device) =>
        events.Add(($"Event: DeviceStateChange\r\nPrivilege: call,all\r\nDevice: {device}\r\nState: NOT_INUSE\r\n\r\n", AmiPrivilege.Call));

    private static void Cdr(List<(string, AmiPrivilege)> events, SimulatedCall call, List<KeyValuePair<string, string>>? leg, DateTimeOffset now)
    {
        if (leg is null)
        {
            return;
        }

        var r = call.Request;
        var start = call.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var answer = call.AnswerTime == default ? start : call.AnswerTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var duration = ((int)(now - call.Start).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var billed = ((int)(now - (call.AnswerTime == default ? call.Start : call.AnswerTime)).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var text = "Event: Cdr\r\nPrivilege: cdr,all\r\nAccountCode: \r\n"
            + $"Source: {r.CallerIdNum}\r\nDestination: {Get(leg, "Exten")}\r\nDestinationContext: {Get(leg, "Context")}\r\n"
            + $"CallerID: \"{r.CallerIdName}\" <{r.CallerIdNum}>\r\nChannel: {Get(leg, "Channel")}\r\nDestinationChannel: \r\n"
            + $"LastApplication: {Get(leg, "Application")}\r\nLastData: {Get(leg, "ApplicationData")}\r\n"
            + $"StartTime: {start}\r\nAnswerTime: {answer}\r\nEndTime: {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}\r\n"
            + $"Duration: {duration}\r\nBillableSeconds: {billed}\r\nDisposition: ANSWERED\r\nAMAFlags: DOCUMENTATION\r\n"
            + $"UniqueID: {Get(leg, "Uniqueid")}\r\nUserField: \r\n\r\n";
        events.Add((text, AmiPrivilege.Cdr));
    }
}
