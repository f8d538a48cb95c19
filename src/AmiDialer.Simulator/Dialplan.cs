namespace AmiDialer.Simulator;

/// <summary>How a context of the test PBX behaves when a channel enters it.</summary>
internal enum ContextKind
{
    /// <summary>The far end ("pstn"): the number's outcome rule decides.</summary>
    Pstn,

    /// <summary>Answers and talks ("agents", and any context a scenario adds).</summary>
    Agent,

    /// <summary>Redirect target that answers, waits, sets IVR_RESULT and hangs up ("ivr").</summary>
    Ivr,

    /// <summary>Dials Local/EXTEN@pstn like a trunk ("outbound"): click-to-call.</summary>
    Trunk,

    /// <summary>An agent's phone that answers at once ("agentphone").</summary>
    Phone,

    /// <summary>Runs Queue(EXTEN,r) ("queue", QUEUES.md): the answered callee waits for a member of that queue.</summary>
    Queue,
}

/// <summary>
/// The contexts and extensions the simulated PBX has loaded: the categories of extensions.conf and the files it
/// includes (<see cref="ConfigFiles"/>), as at the last start or "dialplan reload", plus a scenario's extras.
/// </summary>
internal sealed class Dialplan
{
    /// <summary>How the recorded test PBX's contexts behave; any other context answers like agents.</summary>
    private static readonly Dictionary<string, ContextKind> BuiltIn = new(StringComparer.Ordinal)
    {
        ["pstn"] = ContextKind.Pstn,
        ["agents"] = ContextKind.Agent,
        ["ivr"] = ContextKind.Ivr,
        ["outbound"] = ContextKind.Trunk,
        ["agentphone"] = ContextKind.Phone,
        ["queue"] = ContextKind.Queue,
    };

    private readonly Dictionary<string, (ContextKind Kind, string[] Patterns, string[]? Lines)> _contexts = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>The outcome ledger's contexts (version 1): the wrappers dial like a trunk, the handler context only runs as a hangup handler.</summary>
    public const string LedgerDial = "amidialer-dial";
    public const string LedgerClickToCall = "amidialer-c2c";
    public const string LedgerHandler = "amidialer-ledger";

    public Dialplan(IEnumerable<ConfigCategory> loaded, IReadOnlyDictionary<string, IReadOnlyList<string>> extra)
    {
        foreach (var category in loaded)
        {
            // pbx_config makes a context of every category but [general] and [globals]; one without extensions is not listed.
            var lines = category.Lines.Where(l => l.Name is "exten" or "same").Select(l => l.ToString()).ToArray();
            if (category.Name is "general" or "globals" || lines.Length == 0 || _contexts.ContainsKey(category.Name))
            {
                continue;
            }

            var patterns = lines.Where(l => l.StartsWith("exten=", StringComparison.Ordinal)).Select(l => l[6..].Split(',')[0].Trim()).Distinct().ToArray();
            _contexts[category.Name] = (KindOf(category.Name, lines), patterns, lines);
            _order.Add(category.Name);
        }

        foreach (var (name, patterns) in extra)
        {
            if (!_contexts.ContainsKey(name))
            {
                _order.Add(name);
            }

            // An extra context named like a ledger context lists the ledger's lines (a probe finds its version) but
            // behaves as an ordinary context unless the ledger is loaded.
            _contexts[name] = (_contexts.TryGetValue(name, out var known) ? known.Kind : ContextKind.Agent, [.. patterns],
                known.Lines ?? LedgerConf.FirstOrDefault(c => c.Category == name).Lines);
        }
    }

    /// <summary>The loaded contexts in file order (ShowDialPlan without a Context lists them all).</summary>
    public IReadOnlyList<string> Contexts => _order;

    /// <summary>
    /// A ledger context behaves as the ledger only when its lines are the ledger's (whatever the spacing around = and
    /// =>): anything else written under that name is an ordinary context that answers like agents.
    /// </summary>
    private static ContextKind KindOf(string name, string[] lines)
    {
        if (BuiltIn.TryGetValue(name, out var kind))
        {
            return kind;
        }

        return name is LedgerDial or LedgerClickToCall && IsLedgerText(name, lines) ? ContextKind.Trunk : ContextKind.Agent;
    }

    private static bool IsLedgerText(string name, string[] lines) =>
        LedgerConf.FirstOrDefault(c => c.Category == name).Lines is { } ledger && ledger.SequenceEqual(lines, StringComparer.Ordinal);

    /// <summary>The context is the ledger's wrapper (version 1, as installed): a call into it dials AMIDIALER_DIALSTRING under a hangup handler.</summary>
    public bool IsLedgerWrapper(string? context) => context is LedgerDial or LedgerClickToCall && KindOf(context) == ContextKind.Trunk;

    /// <summary>The wrapper's hangup handler exists, so its calls leave their outcome in AstDB: [amidialer-c2c] has its own, [amidialer-dial] needs [amidialer-ledger].</summary>
    public bool LedgerWrites(string? context) => IsLedgerWrapper(context)
        && (context == LedgerClickToCall || _contexts.TryGetValue(LedgerHandler, out var handler) && handler.Lines is { } lines && IsLedgerText(LedgerHandler, lines));

    public bool HasContext(string context) => _contexts.ContainsKey(context);

    public ContextKind? KindOf(string context) => _contexts.TryGetValue(context, out var c) ? c.Kind : null;

    public bool ExtensionExists(string context, string exten) =>
        _contexts.TryGetValue(context, out var c) && c.Patterns.Any(p => Matches(p, exten));

    /// <summary>Asterisk extension patterns: literal, or _ followed by X, Z, N, [ranges], . and !.</summary>
    internal static bool Matches(string pattern, string exten)
    {
        if (!pattern.StartsWith('_'))
        {
            return string.Equals(pattern, exten, StringComparison.Ordinal);
        }

        var p = 1;
        var e = 0;
        while (p < pattern.Length)
        {
            var c = pattern[p];
            if (c == '.')
            {
                return e < exten.Length;
            }

            if (c == '!')
            {
                return true;
            }

            if (e >= exten.Length)
            {
                return false;
            }

            var ch = exten[e];
            bool ok;
            switch (char.ToUpperInvariant(c))
            {
                case 'X': ok = ch is >= '0' and <= '9'; break;
                case 'Z': ok = ch is >= '1' and <= '9'; break;
                case 'N': ok = ch is >= '2' and <= '9'; break;
                case '[':
                    var end = pattern.IndexOf(']', p);
                    if (end < 0)
                    {
                        return false;
                    }

                    ok = InSet(pattern.AsSpan(p + 1, end - p - 1), ch);
                    p = end;
                    break;
                default: ok = c == ch; break;
            }

            if (!ok)
            {
                return false;
            }

            p++;
            e++;
        }

        return e == exten.Length;
    }

    private static bool InSet(ReadOnlySpan<char> set, char ch)
    {
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                if (ch >= set[i] && ch <= set[i + 2])
                {
                    return true;
                }

                i += 2;
            }
            else if (set[i] == ch)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>extensions.conf as GetConfig returns it (the recorded file plus the click-to-call contexts).</summary>
    public static readonly (string Category, string[] Lines)[] ExtensionsConf =
    [
        ("general", ["static=yes", "writeprotect=yes", "clearglobalvars=no"]),
        ("globals", []),
        ("default", []),
        ("pstn",
        [
            "exten=_X.,1,NoOp(PSTN simulator: ${EXTEN} outcome digit ${EXTEN:-1})", "same=n,Set(PSTN_OUTCOME=${EXTEN:-1})",
            "same=n,Goto(d${EXTEN:-1})", "same=n(d0),Goto(d1)", "same=n(d1),Ringing()", "same=n,Wait(2)", "same=n,Answer()",
            "same=n,Wait(5)", "same=n,Hangup()", "same=n(d2),Busy(10)", "same=n,Hangup()", "same=n(d3),Ringing()", "same=n,Wait(60)",
            "same=n,Hangup()", "same=n(d4),Congestion(10)", "same=n,Hangup()", "same=n(d5),Hangup(1)", "same=n(d6),Answer()",
            "same=n,Wait(1)", "same=n,Hangup()", "same=n(d7),Answer()", "same=n,Wait(600)", "same=n,Hangup()", "same=n(d8),Ringing()",
            "same=n,Wait(4)", "same=n,Hangup(21)", "same=n(d9),Answer()", "same=n,Playback(silence/1)", "same=n,Wait(2)", "same=n,Hangup()",
        ]),
        ("agents", ["exten=_X.,1,NoOp(Agent ${EXTEN} takes call from ${CALLERID(all)} campaign=${CAMPAIGN})", "same=n,Answer()", "same=n,Wait(10)", "same=n,Hangup()"]),
        ("ivr", ["exten=s,1,NoOp(IVR reached by ${CHANNEL})", "same=n,Answer()", "same=n,Wait(2)", "same=n,Set(IVR_RESULT=completed)", "same=n,Hangup()"]),
        ("outbound", ["exten=_X.,1,NoOp(outbound trunk: ${EXTEN})", "same=n,Dial(Local/${EXTEN}@pstn,30)", "same=n,NoOp(DIALSTATUS=${DIALSTATUS} HANGUPCAUSE=${HANGUPCAUSE})", "same=n,Hangup()"]),
        ("agentphone", ["exten=_X.,1,Answer()", "same=n,Wait(120)", "same=n,Hangup()"]),
    ];

    /// <summary>The lab's [queue] context (QUEUES.md): one extension per queue, which runs Queue(name,r) (ringing, not music on hold).</summary>
    public static (string Category, string[] Lines) QueueContext(IEnumerable<string> queues) =>
        ("queue", [.. queues.SelectMany(q => new[] { $"exten={q},1,Queue({q},r)", "same=n,Hangup()" })]);

    /// <summary>
    /// The outcome ledger's dialplan, version 1 (the issue's recipe). [amidialer-c2c] dials the customer's string like
    /// [amidialer-dial] and keeps its own handler as extension "ledger" (not matched by _X.), writing KEY-customer.
    /// </summary>
    public static readonly (string Category, string[] Lines)[] LedgerConf =
    [
        (LedgerDial,
        [
            "exten=_X.,1,NoOp(amidialer-ledger v1)", "same=n,Set(CHANNEL(hangup_handler_push)=amidialer-ledger,s,1)",
            "same=n,Dial(${AMIDIALER_DIALSTRING},${AMIDIALER_RING})", "same=n,Hangup()",
        ]),
        (LedgerHandler, ["exten=s,1,Set(DB(amidialer/${AMIDIALER_ATTEMPT})=${DIALSTATUS}|${HANGUPCAUSE}|${ANSWEREDTIME}|${EPOCH})", "same=n,Return()"]),
        (LedgerClickToCall,
        [
            "exten=_X.,1,NoOp(amidialer-ledger v1)", "same=n,Set(CHANNEL(hangup_handler_push)=amidialer-c2c,ledger,1)",
            "same=n,Dial(${AMIDIALER_DIALSTRING},${AMIDIALER_RING})", "same=n,Hangup()",
            "exten=ledger,1,Set(DB(amidialer/${AMIDIALER_ATTEMPT}-customer)=${DIALSTATUS}|${HANGUPCAUSE}|${ANSWEREDTIME}|${EPOCH})", "same=n,Return()",
        ]),
    ];

    /// <summary>One dialplan priority as ShowDialPlan lists it.</summary>
    public readonly record struct Priority(string Extension, int Number, string Application, string AppData);

    /// <summary>The priorities of a context (its extensions.conf lines), or null for a context this PBX does not have.</summary>
    public List<Priority>? Priorities(string context)
    {
        if (!HasContext(context))
        {
            return null;
        }

        var lines = _contexts[context].Lines
            // A scenario's extra context answers like the agents context.
            ?? ExtensionsConf.First(c => c.Category == "agents").Lines;
        var list = new List<Priority>();
        var extension = "";
        var number = 0;
        foreach (var raw in lines)
        {
            var body = raw[(raw.IndexOf('=', StringComparison.Ordinal) + 1)..];
            if (raw.StartsWith("exten=", StringComparison.Ordinal))
            {
                var parts = body.Split(',', 3);
                if (parts.Length < 3 || !int.TryParse(parts[1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var first))
                {
                    // pbx_config skips a line it cannot read (with a warning in Asterisk's log, nothing on AMI).
                    continue;
                }

                extension = parts[0].Trim();
                number = first;
                body = parts[2];
            }
            else
            {
                var comma = body.IndexOf(',', StringComparison.Ordinal);
                if (comma < 0 || extension.Length == 0)
                {
                    continue;
                }

                number++;
                body = body[(comma + 1)..];
            }

            var open = body.IndexOf('(', StringComparison.Ordinal);
            list.Add(open < 0 ? new(extension, number, body, "") : new(extension, number, body[..open], body[(open + 1)..^1]));
        }

        return list;
    }

    /// <summary>Where each context's first line sits in the test PBX's extensions.conf (ivr's is recorded in g1).</summary>
    private static readonly Dictionary<string, int> FirstLine = new(StringComparer.Ordinal)
    {
        ["pstn"] = 38, ["agents"] = 70, ["ivr"] = 76, ["outbound"] = 83, ["agentphone"] = 89,
    };

    /// <summary>The CLI's "dialplan show CONTEXT" output lines, or null for an unknown context.</summary>
    public static List<string>? Show(string context)
    {
        var entry = ExtensionsConf.FirstOrDefault(c => c.Category == context);
        if (entry.Lines is null || !FirstLine.TryGetValue(context, out var line))
        {
            return null;
        }

        var output = new List<string> { $"[ Context '{context}' created by 'pbx_config' ]" };
        var priorities = 0;
        var extensions = 0;
        var priority = 0;
        foreach (var raw in entry.Lines)
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            var body = raw[(eq + 1)..];
            string prefix;
            string app;
            if (raw.StartsWith("exten=", StringComparison.Ordinal))
            {
                var parts = body.Split(',', 3);
                extensions++;
                priority = 1;
                prefix = $"  '{parts[0]}' =>";
                app = parts[2];
            }
            else
            {
                priority++;
                prefix = "";
                var comma = body.IndexOf(',', StringComparison.Ordinal);
                var label = body[..comma];
                app = body[(comma + 1)..];
                if (label.Contains('(', StringComparison.Ordinal))
                {
                    app = "[" + label[(label.IndexOf('(', StringComparison.Ordinal) + 1)..^1] + "] " + app;
                }
            }

            priorities++;
            output.Add(prefix.PadRight(20) + $"{priority}. {app}".PadRight(46) + $"[extensions.conf:{line++}]");
        }

        output.Add("");
        output.Add($"-= {extensions} extension{(extensions == 1 ? "" : "s")} ({priorities} priorities) in 1 context. =-");
        return output;
    }
}
