using System.Text;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.Pbx;

/// <summary>One dialplan line of the ledger: <c>exten =&gt; Value</c> or <c> same =&gt; Value</c>.</summary>
public sealed record LedgerConfLine(string Name, string Value)
{
    public override string ToString() => (Name == "same" ? " same => " : "exten => ") + Value;
}

/// <summary>One context of the ledger dialplan, with the comment that says what it is for.</summary>
public sealed record LedgerConfContext(string Name, string Comment, IReadOnlyList<LedgerConfLine> Lines);

/// <summary>
/// The outcome ledger's dialplan text, in one place: what <c>amidialer pbx install-ledger</c> prints and writes, built
/// from the names the engine dials with (<see cref="LedgerDialplan"/>), so the text and the dialer cannot drift apart.
/// The version is the <c>NoOp(amidialer-ledger vN)</c> that <see cref="LedgerProbe"/> reads back.
/// </summary>
public static class LedgerConf
{
    /// <summary>The file install-ledger writes through AMI, in Asterisk's configuration folder.</summary>
    public const string FileName = "amidialer.conf";

    /// <summary>The line extensions.conf needs so Asterisk loads <see cref="FileName"/> (AMI cannot write it).</summary>
    public const string IncludeLine = "#include " + FileName;

    public static int Version => LedgerDialplan.Version;

    public static IReadOnlyList<LedgerConfContext> Contexts { get; } = Build();

    /// <summary>The names of the contexts, which install-ledger creates and is the only one to change.</summary>
    public static IReadOnlyList<string> ContextNames { get; } = [.. Contexts.Select(c => c.Name)];

    /// <summary>The dialplan as a file: a header naming the version, then each context with its comment.</summary>
    public static string Text
    {
        get
        {
            var text = new StringBuilder();
            text.Append("; AmiDialer outcome ledger, version ").Append(Version).Append(" (amidialer pbx install-ledger). Keep the context, variable and family names.\n");
            foreach (var context in Contexts)
            {
                text.Append('[').Append(context.Name).Append("]").Append(new string(' ', Math.Max(1, 41 - context.Name.Length - 2))).Append("; ").Append(context.Comment).Append('\n');
                foreach (var line in context.Lines)
                {
                    text.Append(line).Append('\n');
                }
            }

            return text.ToString();
        }
    }

    private static List<LedgerConfContext> Build()
    {
        var version = "NoOp(" + LedgerDialplan.VersionPrefix + LedgerDialplan.Version + ")";
        var dial = $"Dial(${{{LedgerDialplan.DialStringVariable}}},${{{LedgerDialplan.RingVariable}}})";
        var value = "${DIALSTATUS}|${HANGUPCAUSE}|${ANSWEREDTIME}|${EPOCH}";
        var key = $"{LedgerDialplan.Family}/${{{LedgerDialplan.AttemptVariable}}}";
        return
        [
            new(LedgerDialplan.DialContext, "campaign calls: Local/<number>@" + LedgerDialplan.DialContext + "/n",
            [
                new("exten", "_X.,1," + version),
                new("same", $"n,Set(CHANNEL(hangup_handler_push)={LedgerDialplan.HandlerContext},s,1)"),
                new("same", "n," + dial),
                new("same", "n,Hangup()"),
            ]),
            new(LedgerDialplan.HandlerContext, "the hangup handler: writes each call's outcome to AstDB",
            [
                new("exten", $"s,1,Set(DB({key})={value})"),
                new("same", "n,Return()"),
            ]),
            new(LedgerDialplan.ClickToCallContext, "click-to-call: the customer's leg, once the agent answered",
            [
                new("exten", "_X.,1," + version),
                new("same", $"n,Set(CHANNEL(hangup_handler_push)={LedgerDialplan.ClickToCallContext},ledger,1)"),
                new("same", "n," + dial),
                new("same", "n,Hangup()"),
                new("exten", $"ledger,1,Set(DB({key}{LedgerDialplan.CustomerSuffix})={value})"),
                new("same", "n,Return()"),
            ]),
        ];
    }
}
