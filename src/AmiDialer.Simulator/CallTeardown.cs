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
        if (call.Wrapper && kind == TeardownKind.Shutdown && legs[0] is { } a1 && Get(a1, "ChannelState") == "6")
        {
            AnsweredWrapperShutdown(events, call, legs, now);
            return events;
        }

        for (var pair = 2; pair >= 0; pair -= 2)
        {
            var one = legs[pair];
            var two = legs[pair + 1];
            if (one is null && two is null)
            {
                continue;
            }

            var device = call.Get(pair == 0 ? Slot.DevA : Slot.DevB);
            var up = one is not null && Get(one, "ChannelState") == "6";
            // The ledger's hangup handler runs inside its leg's hangup, before that leg's Hangup event (i4, k5).
            var handlerOnOne = call.Ledger is not null && call.LedgerLeg == pair;
            var handlerOnTwo = call.Ledger is not null && call.LedgerLeg == pair + 1;
            if (kind == TeardownKind.Shutdown && up)
            {
                Add(events, "SoftHangupRequest", two, ("Cause", "4"));
                Add(events, "SoftHangupRequest", one, ("Cause", "4"));
                Add(events, "SoftHangupRequest", two, ("Cause", "16"));
                Add(events, "HangupRequest", one, ("Cause", "0"));
                if (handlerOnTwo)
                {
                    Handler(events, call, two);
                }

                Add(events, "Hangup", two, ("Cause", "0"), ("Cause-txt", Causes.Text(0)));
                Device(events, device);
                Cdr(events, call, two, now);
                Add(events, "SoftHangupRequest", one, ("Cause", "16"));
                if (handlerOnOne)
                {
                    Handler(events, call, one);
                }

                Add(events, "Hangup", one, ("Cause", "0"), ("Cause-txt", Causes.Text(0)));
                Cdr(events, call, one, now);
                Device(events, device);
                continue;
            }

            if (kind == TeardownKind.Shutdown)
            {
                // Still ringing (i3, i4): the dial that created this pair ends NOANSWER, both halves hang up with cause 0.
                Add(events, "SoftHangupRequest", one, ("Cause", "4"));
                Add(events, "SoftHangupRequest", two, ("Cause", "4"));
                DialEnd(events, Dialer(call, legs, pair), one);
                Add(events, "HangupRequest", two, ("Cause", "0"));
                if (handlerOnOne)
                {
                    Handler(events, call, one);
                }

                Add(events, "Hangup", one, ("Cause", "0"), ("Cause-txt", Causes.Text(0)));
                Add(events, "SoftHangupRequest", two, ("Cause", "16"));
                if (handlerOnTwo)
                {
                    Add(events, "VarSet", two, ("Variable", "DIALSTATUS"), ("Value", "CHANUNAVAIL"));
                    Handler(events, call, two);
                }

                Add(events, "Hangup", two, ("Cause", "0"), ("Cause-txt", Causes.Text(0)));
                Device(events, device);
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
                if (handlerOnTwo)
                {
                    Handler(events, call, two);
                }

                Add(events, "Hangup", two, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
                if (handlerOnOne)
                {
                    Handler(events, call, one);
                }

                Add(events, "Hangup", one, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
            }
            else
            {
                DialEnd(events, Dialer(call, legs, pair), one);
                Add(events, "HangupRequest", two, ("Cause", c));
                Add(events, "SoftHangupRequest", two, ("Cause", "16"));
                if (handlerOnTwo)
                {
                    Handler(events, call, two);
                }

                Add(events, "Hangup", two, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
                if (handlerOnOne)
                {
                    Handler(events, call, one);
                }

                Add(events, "Hangup", one, ("Cause", c), ("Cause-txt", Causes.Text(cause)));
            }

            Device(events, device);
            Device(events, device);
        }

        return events;
    }

    /// <summary>
    /// A click-to-call's customer leg redirected (<see cref="SimulatedCall.RedirectCustomer"/>): B;1 runs the target's
    /// first priority, then the agent's pair, left alone in its bridge, clears normally (16), its ledger handler first.
    /// </summary>
    public static List<(string Text, AmiPrivilege Class)> CustomerRedirected(SimulatedCall call, List<KeyValuePair<string, string>> customer, IReadOnlyList<List<KeyValuePair<string, string>>?> agentLegs, string context, string exten, DateTimeOffset now)
    {
        var events = new List<(string, AmiPrivilege)>();
        var moved = customer.Select(h => h.Key switch
        {
            "Context" => new KeyValuePair<string, string>(h.Key, context),
            "Exten" => new KeyValuePair<string, string>(h.Key, exten),
            "Priority" => new KeyValuePair<string, string>(h.Key, "1"),
            _ => h,
        }).ToList();
        Add(events, "Newexten", moved, AmiPrivilege.Dialplan, ("Extension", exten), ("Application", "Answer"), ("AppData", ""));
        events.AddRange(Build(call, agentLegs, TeardownKind.HangupAction, 16, now));
        return events;
    }

    /// <summary>
    /// An answered wrapper call cut by a restart (i4): only A;1, in the Originate's dialplan, goes with cause 0; the
    /// wrapper's ;2 runs the ledger handler and it and the far pair clear normally (16) as the bridge empties.
    /// </summary>
    private static void AnsweredWrapperShutdown(List<(string, AmiPrivilege)> events, SimulatedCall call, IReadOnlyList<List<KeyValuePair<string, string>>?> legs, DateTimeOffset now)
    {
        var (a1, a2, b1, b2) = (legs[0], legs[1], legs[2], legs[3]);
        foreach (var leg in legs)
        {
            Add(events, "SoftHangupRequest", leg, ("Cause", "4"));
        }

        Add(events, "SoftHangupRequest", a1, ("Cause", "16"));
        Add(events, "HangupRequest", a2, ("Cause", "0"));
        Add(events, "Hangup", a1, ("Cause", "0"), ("Cause-txt", Causes.Text(0)));
        Cdr(events, call, a1, now);
        Add(events, "SoftHangupRequest", a2, ("Cause", "16"));
        Handler(events, call, a2);
        Add(events, "HangupRequest", b2, ("Cause", "16"));
        Add(events, "Hangup", b1, ("Cause", "16"), ("Cause-txt", Causes.Text(16)));
        Add(events, "SoftHangupRequest", b2, ("Cause", "16"));
        Add(events, "Hangup", b2, ("Cause", "16"), ("Cause-txt", Causes.Text(16)));
        Cdr(events, call, b2, now);
        Add(events, "Hangup", a2, ("Cause", "16"), ("Cause-txt", Causes.Text(16)));
        Cdr(events, call, a2, now);
        foreach (var device in new[] { call.Get(Slot.DevA), call.Get(Slot.DevA), call.Get(Slot.DevB), call.Get(Slot.DevB) })
        {
            Device(events, device);
        }
    }

    /// <summary>Who dialled the pair: nobody for A (the Originate itself); for B the wrapper's ;2 or, in click-to-call, the agent's ;1.</summary>
    private static List<KeyValuePair<string, string>>? Dialer(SimulatedCall call, IReadOnlyList<List<KeyValuePair<string, string>>?> legs, int pair) =>
        pair == 0 ? null : call.Wrapper ? legs[1] : legs[0];

    /// <summary>The DialEnd of the dial that created a pair: the Originate's own (no Channel) or, for a wrapper's far pair, the wrapper's ;2 Dial.</summary>
    private static void DialEnd(List<(string, AmiPrivilege)> events, List<KeyValuePair<string, string>>? caller, List<KeyValuePair<string, string>>? dest)
    {
        if (dest is null)
        {
            return;
        }

        var dial = new StringBuilder("Event: DialEnd\r\nPrivilege: call,all\r\n");
        foreach (var (key, value) in (caller ?? []).Where(h => h.Key is not ("Application" or "ApplicationData")))
        {
            dial.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        foreach (var (key, value) in dest.Where(h => h.Key is not ("Application" or "ApplicationData")))
        {
            dial.Append("Dest").Append(key).Append(": ").Append(value).Append("\r\n");
        }

        events.Add((dial.Append("DialStatus: NOANSWER\r\n\r\n").ToString(), AmiPrivilege.Call));
    }

    /// <summary>The ledger's hangup handler ([amidialer-ledger] s,1: Set(DB(amidialer/KEY)=VALUE), Return), as i4 recorded it.</summary>
    private static void Handler(List<(string, AmiPrivilege)> events, SimulatedCall call, List<KeyValuePair<string, string>>? leg)
    {
        if (leg is null)
        {
            return;
        }

        call.WriteLedgerIfDue();
        var inHandler = leg.Select(h => h.Key switch
        {
            "Context" => new KeyValuePair<string, string>(h.Key, Dialplan.LedgerHandler),
            "Exten" => new KeyValuePair<string, string>(h.Key, "s"),
            "Priority" => new KeyValuePair<string, string>(h.Key, "1"),
            _ => h,
        }).ToList();
        Add(events, "HangupHandlerRun", leg, AmiPrivilege.Dialplan, ("Handler", Dialplan.LedgerHandler + ",s,1"));
        Add(events, "VarSet", leg, AmiPrivilege.Dialplan, ("Variable", "LOCAL(ARGC)"), ("Value", "0"));
        Add(events, "Newexten", inHandler, AmiPrivilege.Dialplan, ("Extension", "s"), ("Application", "Set"), ("AppData", "DB(amidialer/" + call.Ledger + ")=" + call.Get(Slot.Ledger)));
        var returning = inHandler.Select(h => h.Key == "Priority" ? new KeyValuePair<string, string>(h.Key, "2") : h).ToList();
        Add(events, "Newexten", returning, AmiPrivilege.Dialplan, ("Extension", "s"), ("Application", "Return"), ("AppData", ""));
    }

    private static string Get(List<KeyValuePair<string, string>> headers, string key) => headers.FirstOrDefault(h => h.Key == key).Value ?? "";

    private static void Add(List<(string, AmiPrivilege)> events, string name, List<KeyValuePair<string, string>>? leg, params (string Key, string Value)[] extra) =>
        Add(events, name, leg, AmiPrivilege.Call, extra);

    private static void Add(List<(string, AmiPrivilege)> events, string name, List<KeyValuePair<string, string>>? leg, AmiPrivilege cls, params (string Key, string Value)[] extra)
    {
        if (leg is null)
        {
            return;
        }

        var sb = new StringBuilder("Event: ").Append(name).Append("\r\nPrivilege: ").Append(cls == AmiPrivilege.Dialplan ? "dialplan" : "call").Append(",all\r\n");
        foreach (var (key, value) in leg.Where(h => h.Key is not ("Application" or "ApplicationData")))
        {
            sb.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        foreach (var (key, value) in extra)
        {
            sb.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        events.Add((sb.Append("\r\n").ToString(), cls));
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
