namespace AmiDialer.Simulator;

/// <summary>An Originate action's headers, validated as Asterisk does before queuing the call.</summary>
internal sealed record OriginateRequest
{
    public required string Channel { get; init; }

    public string? Context { get; init; }

    public string? Exten { get; init; }

    public string Priority { get; init; } = "1";

    public string? Application { get; init; }

    public string? Data { get; init; }

    public int TimeoutMs { get; init; } = 30000;

    public string CallerIdName { get; init; } = "<unknown>";

    public string CallerIdNum { get; init; } = "<unknown>";

    public IReadOnlyList<KeyValuePair<string, string>> Variables { get; init; } = [];

    public string? ChannelId { get; init; }

    public string? OtherChannelId { get; init; }

    public string? ActionId { get; init; }

    public bool Async { get; init; }

    /// <summary>Technology part of Channel ("Local", "PJSIP"...).</summary>
    public string Technology => Channel[..Channel.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>The number the far end sees: Local/N@ctx → N, PJSIP/N@trunk → N, PJSIP/trunk/N → N.</summary>
    public string DialedNumber
    {
        get
        {
            var rest = Channel[(Channel.IndexOf('/', StringComparison.Ordinal) + 1)..];
            var at = rest.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                rest = rest[..at];
            }

            var slash = rest.LastIndexOf('/');
            return slash >= 0 ? rest[(slash + 1)..] : rest;
        }
    }

    /// <summary>The context of a Local channel (Local/N@ctx), else null.</summary>
    public string? LocalContext
    {
        get
        {
            if (!Technology.Equals("Local", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var at = Channel.IndexOf('@', StringComparison.Ordinal);
            if (at < 0)
            {
                return "default";
            }

            var ctx = Channel[(at + 1)..];
            var slash = ctx.IndexOf('/', StringComparison.Ordinal);
            return slash >= 0 ? ctx[..slash] : ctx;
        }
    }

    /// <summary>Parses `"Name" &lt;num&gt;`, `Name &lt;num&gt;`, `&lt;num&gt;` or a bare number like Asterisk's ast_callerid_parse.</summary>
    public static (string Name, string Num) ParseCallerId(string? callerId)
    {
        if (string.IsNullOrWhiteSpace(callerId))
        {
            return ("<unknown>", "<unknown>");
        }

        var lt = callerId.LastIndexOf('<');
        var gt = callerId.LastIndexOf('>');
        if (lt >= 0 && gt > lt)
        {
            var num = callerId[(lt + 1)..gt].Trim();
            var name = callerId[..lt].Trim().Trim('"').Trim();
            return (name.Length == 0 ? "<unknown>" : name, num.Length == 0 ? "<unknown>" : num);
        }

        var trimmed = callerId.Trim().Trim('"');
        return trimmed.All(c => char.IsDigit(c) || c is '+' or '*' or '#') ? ("<unknown>", trimmed) : (trimmed, "<unknown>");
    }
}
