namespace AmiDialer.Ami;

/// <summary>
/// Bounds on what the parser accepts before it reports a frame as over-long and skips it. Named presets: a client
/// reading Asterisk (long Command/GetConfig/ListCommands replies) and a server reading actions (Asterisk's own limits).
/// </summary>
public sealed record AmiParserLimits
{
    /// <summary>For reading what Asterisk sends: generous, since ListCommands and GetConfig replies are long.</summary>
    public static AmiParserLimits FromServer { get; } = new() { MaxLineBytes = 64 * 1024, MaxHeaders = 16 * 1024, MaxFrameBytes = 4 * 1024 * 1024 };

    /// <summary>For a server reading actions: Asterisk's limits (1024-byte lines, 128 headers).</summary>
    public static AmiParserLimits FromClient { get; } = new() { MaxLineBytes = AmiWriteLimits.AsteriskMaxLineBytes, MaxHeaders = AmiWriteLimits.AsteriskMaxHeaders, MaxFrameBytes = 256 * 1024 };

    /// <summary>Longest line, counting its line ending.</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    public int MaxHeaders { get; init; } = 16 * 1024;

    /// <summary>Longest message, counting every line and the closing blank line.</summary>
    public int MaxFrameBytes { get; init; } = 4 * 1024 * 1024;
}
