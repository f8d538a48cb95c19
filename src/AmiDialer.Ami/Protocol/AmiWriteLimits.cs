namespace AmiDialer.Ami;

/// <summary>Bounds the writer enforces before writing anything. Actions use Asterisk's own limits.</summary>
public sealed record AmiWriteLimits
{
    /// <summary>Asterisk reads an action line into a 1025-byte buffer: a line, with its CRLF, must fit in 1024 bytes.</summary>
    public const int AsteriskMaxLineBytes = 1024;

    /// <summary>AST_MAX_MANHEADERS: Asterisk keeps at most 128 headers of an action.</summary>
    public const int AsteriskMaxHeaders = 128;

    /// <summary>What Asterisk accepts in an action.</summary>
    public static AmiWriteLimits Action { get; } = new() { MaxLineBytes = AsteriskMaxLineBytes, MaxHeaders = AsteriskMaxHeaders };

    /// <summary>For a server writing responses and events: only the injection checks, no size limits.</summary>
    public static AmiWriteLimits Unlimited { get; } = new() { MaxLineBytes = int.MaxValue, MaxHeaders = int.MaxValue };

    /// <summary>Longest line, counting the CRLF.</summary>
    public int MaxLineBytes { get; init; } = AsteriskMaxLineBytes;

    public int MaxHeaders { get; init; } = AsteriskMaxHeaders;
}
