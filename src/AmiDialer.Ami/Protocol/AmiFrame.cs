namespace AmiDialer.Ami;

public enum AmiFrameKind
{
    /// <summary>A complete message (possibly with no headers, from a stray blank line).</summary>
    Message,

    /// <summary>The <c>Asterisk Call Manager/x.y.z</c> greeting line: one line, no blank line after it.</summary>
    Banner,

    /// <summary>A malformed or over-long frame; it has been (or is being) skipped, and the next frame is intact.</summary>
    Malformed,
}

/// <summary>What <see cref="AmiParser.TryParse"/> produced: a message, the banner, or a report of a skipped frame.</summary>
public readonly record struct AmiFrame(AmiFrameKind Kind, AmiMessage? Message, string? Banner, string? Error)
{
    public static AmiFrame ForMessage(AmiMessage message) => new(AmiFrameKind.Message, message, null, null);

    public static AmiFrame ForBanner(string banner) => new(AmiFrameKind.Banner, null, banner, null);

    public static AmiFrame ForError(string error) => new(AmiFrameKind.Malformed, null, null, error);
}
