using System.Buffers;
using System.Globalization;
using System.Text;

namespace AmiDialer.Simulator;

/// <summary>The call-specific values a template line can hold ({{name}} in Templates/*.ami).</summary>
internal enum Slot
{
    A, B, UA1, UA2, UB1, UB2, CidNum, CidName, Ctx, Exten, DCtx, DExten, DevA, DevB, Num, RCtx, RExten,
    CdrStart, CdrAnswer, CdrEnd, Dur, Bill, Var, Val, VarCampaign, Digit,

    /// <summary>Outcome ledger: the AstDB key, the value the hangup handler writes, Dial's ring timeout, ANSWEREDTIME.</summary>
    Attempt, Ledger, Ring, Answered,

    /// <summary>The BridgeUniqueid of the call's bridge (a new UUID per call, as Asterisk makes one).</summary>
    Bridge,

    /// <summary>Queue calls (queue-*.ami): the queue, the member rung (its pair is B), where the caller waits, and the times app_queue reports.</summary>
    Queue, Member, Peer, BExten, QPos, QCount, QHold, QTalk, RingS, RingMs, QWait, QWaitMs, AnsT, AnsTms, DialT, DialTms,
    MCalls, MLastCall, MDynamic, MPenalty,
}

/// <summary>The legs a template talks about: A is the originated Local pair, B the trunk's pair in click-to-call.</summary>
internal enum Leg
{
    A1, A2, B1, B2,
}

internal enum PhaseDelay
{
    /// <summary>LedgerRing: the ledger wrapper's Dial timeout (AMIDIALER_RING), which ends an unanswered ring.</summary>
    Now, Ring, Talk, Timeout, DialTimeout, Fixed, LedgerRing,
}

internal enum ItemKind
{
    Event, Vars, OriginateResponse, State, Gone,

    /// <summary>"!q join|empty|member": an event of the queue as a whole, rendered by the queue (SimulatedQueue).</summary>
    Queue,
}

/// <summary>One piece of a message: literal UTF-8 bytes or a slot filled per call.</summary>
internal readonly record struct Segment(byte[]? Literal, Slot Slot);

internal sealed class TemplateItem
{
    public required ItemKind Kind { get; init; }

    public Leg Leg { get; init; }

    public bool Reverse { get; init; }

    public Segment[] Segments { get; init; } = [];

    public AmiPrivilege Class { get; init; }

    /// <summary>"Newchannel", "Hangup"...: lets a call see which events its phase carries.</summary>
    public string EventName { get; init; } = "";
}

internal sealed class TemplatePhase
{
    public required PhaseDelay Delay { get; init; }

    public double FixedSeconds { get; init; }

    public required TemplateItem[] Items { get; init; }

    public bool HasOriginateResponse => Items.Any(i => i.Kind == ItemKind.OriginateResponse);
}

/// <summary>A recorded call event stream (see Templates/extract_templates.py), compiled for fast replay.</summary>
internal sealed class CallTemplate
{
    private static readonly Dictionary<string, Slot> SlotNames = new(StringComparer.Ordinal)
    {
        ["A"] = Slot.A, ["B"] = Slot.B, ["uA1"] = Slot.UA1, ["uA2"] = Slot.UA2, ["uB1"] = Slot.UB1, ["uB2"] = Slot.UB2,
        ["cidnum"] = Slot.CidNum, ["cidname"] = Slot.CidName, ["ctx"] = Slot.Ctx, ["exten"] = Slot.Exten,
        ["dctx"] = Slot.DCtx, ["dexten"] = Slot.DExten, ["devA"] = Slot.DevA, ["devB"] = Slot.DevB, ["num"] = Slot.Num,
        ["rctx"] = Slot.RCtx, ["rexten"] = Slot.RExten, ["cdrstart"] = Slot.CdrStart, ["cdranswer"] = Slot.CdrAnswer,
        ["cdrend"] = Slot.CdrEnd, ["dur"] = Slot.Dur, ["bill"] = Slot.Bill, ["var"] = Slot.Var, ["val"] = Slot.Val,
        ["var:CAMPAIGN"] = Slot.VarCampaign, ["digit"] = Slot.Digit,
        ["attempt"] = Slot.Attempt, ["ledger"] = Slot.Ledger, ["ring"] = Slot.Ring, ["answered"] = Slot.Answered, ["bridge"] = Slot.Bridge,
        ["queue"] = Slot.Queue, ["member"] = Slot.Member, ["peer"] = Slot.Peer, ["bexten"] = Slot.BExten, ["qpos"] = Slot.QPos,
        ["qcount"] = Slot.QCount, ["qhold"] = Slot.QHold, ["qtalk"] = Slot.QTalk, ["rings"] = Slot.RingS, ["ringms"] = Slot.RingMs,
        ["qwait"] = Slot.QWait, ["qwaitms"] = Slot.QWaitMs, ["anst"] = Slot.AnsT, ["anstms"] = Slot.AnsTms, ["dialt"] = Slot.DialT,
        ["dialtms"] = Slot.DialTms, ["mcalls"] = Slot.MCalls, ["mlastcall"] = Slot.MLastCall, ["mdynamic"] = Slot.MDynamic, ["mpenalty"] = Slot.MPenalty,
    };

    private static readonly Lazy<IReadOnlyDictionary<string, CallTemplate>> AllTemplates = new(LoadAll);

    private CallTemplate(string name, TemplatePhase[] phases)
    {
        Name = name;
        Phases = phases;
    }

    public string Name { get; }

    public TemplatePhase[] Phases { get; }

    public bool UsesB => Phases.Any(p => p.Items.Any(i => i.Kind == ItemKind.Event && i.Segments.Any(s => s.Literal is null && s.Slot is Slot.B or Slot.UB1)));

    public static IReadOnlyDictionary<string, CallTemplate> All => AllTemplates.Value;

    public static CallTemplate Get(string name) => All.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException("No call template " + name);

    private static Dictionary<string, CallTemplate> LoadAll()
    {
        var asm = typeof(CallTemplate).Assembly;
        var result = new Dictionary<string, CallTemplate>(StringComparer.Ordinal);
        const string prefix = "AmiDialer.Simulator.Templates.";
        foreach (var resource in asm.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".ami", StringComparison.Ordinal)))
        {
            using var stream = asm.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var name = resource[prefix.Length..^".ami".Length];
            result[name] = Parse(name, reader.ReadToEnd());
        }

        return result;
    }

    internal static CallTemplate Parse(string name, string text)
    {
        var phases = new List<TemplatePhase>();
        List<TemplateItem>? items = null;
        PhaseDelay delay = PhaseDelay.Now;
        double fixedSeconds = 0;
        string? pending = null;
        var block = new List<string>();

        void FlushBlock()
        {
            if (block.Count == 0 && pending is null)
            {
                return;
            }

            var directive = pending?.Split(' ') ?? [];
            var kind = directive.Length == 0 ? ItemKind.Event : directive[0] switch
            {
                "!vars" => ItemKind.Vars,
                "!or" => ItemKind.OriginateResponse,
                "!state" => ItemKind.State,
                "!gone" => ItemKind.Gone,
                "!q" => ItemKind.Queue,
                _ => throw new FormatException($"{name}: unknown directive {pending}"),
            };
            var eventName = block.Count > 0 && block[0].StartsWith("Event: ", StringComparison.Ordinal) ? block[0][7..] : "";
            var privilege = block.FirstOrDefault(l => l.StartsWith("Privilege: ", StringComparison.Ordinal));
            items!.Add(new TemplateItem
            {
                Kind = kind,
                Leg = directive.Length > 1 && kind != ItemKind.Queue ? Enum.Parse<Leg>(directive[1]) : default,
                Reverse = directive.Length > 2 && directive[2] == "reverse",
                Segments = Compile(name, block),
                Class = privilege is null ? AmiPrivilege.None : AmiPrivileges.Parse(privilege[11..].Split(',')[0]),
                EventName = kind == ItemKind.Queue ? directive[1] : eventName,
            });
            block.Clear();
            pending = null;
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("@phase ", StringComparison.Ordinal))
            {
                FlushBlock();
                if (items is not null)
                {
                    phases.Add(new TemplatePhase { Delay = delay, FixedSeconds = fixedSeconds, Items = [.. items] });
                }

                items = [];
                var spec = line[7..].Trim();
                fixedSeconds = 0;
                delay = spec switch
                {
                    "now" => PhaseDelay.Now,
                    "ring" => PhaseDelay.Ring,
                    "talk" => PhaseDelay.Talk,
                    "timeout" => PhaseDelay.Timeout,
                    "dialtimeout" => PhaseDelay.DialTimeout,
                    "ledgerring" => PhaseDelay.LedgerRing,
                    _ when spec.StartsWith("fixed:", StringComparison.Ordinal) => PhaseDelay.Fixed,
                    _ => throw new FormatException($"{name}: unknown phase {spec}"),
                };
                if (delay == PhaseDelay.Fixed)
                {
                    fixedSeconds = double.Parse(spec[6..], CultureInfo.InvariantCulture);
                }

                continue;
            }

            if (line.StartsWith('!'))
            {
                FlushBlock();
                pending = line.Trim();
                if (pending is "!or" || pending.StartsWith("!gone", StringComparison.Ordinal))
                {
                    FlushBlock();
                }

                continue;
            }

            if (line.Length == 0)
            {
                FlushBlock();
                continue;
            }

            block.Add(line);
        }

        FlushBlock();
        if (items is not null)
        {
            phases.Add(new TemplatePhase { Delay = delay, FixedSeconds = fixedSeconds, Items = [.. items] });
        }

        return new CallTemplate(name, [.. phases]);
    }

    private static Segment[] Compile(string name, List<string> lines)
    {
        if (lines.Count == 0)
        {
            return [];
        }

        var segments = new List<Segment>();
        var literal = new StringBuilder();
        foreach (var line in lines)
        {
            var pos = 0;
            while (true)
            {
                var open = line.IndexOf("{{", pos, StringComparison.Ordinal);
                if (open < 0)
                {
                    literal.Append(line, pos, line.Length - pos);
                    break;
                }

                var close = line.IndexOf("}}", open, StringComparison.Ordinal);
                literal.Append(line, pos, open - pos);
                var slotName = line[(open + 2)..close];
                if (!SlotNames.TryGetValue(slotName, out var slot))
                {
                    throw new FormatException($"{name}: unknown placeholder {slotName}");
                }

                if (literal.Length > 0)
                {
                    segments.Add(new Segment(Encoding.UTF8.GetBytes(literal.ToString()), default));
                    literal.Clear();
                }

                segments.Add(new Segment(null, slot));
                pos = close + 2;
            }

            literal.Append("\r\n");
        }

        literal.Append("\r\n");
        segments.Add(new Segment(Encoding.UTF8.GetBytes(literal.ToString()), default));
        return [.. segments];
    }

    /// <summary>Writes one message with the call's slot values (UTF-8 bytes, indexed by <see cref="Slot"/>).</summary>
    public static void Render(Segment[] segments, byte[][] slots, IBufferWriter<byte> output)
    {
        foreach (var segment in segments)
        {
            var bytes = segment.Literal ?? slots[(int)segment.Slot];
            output.Write(bytes);
        }
    }
}
