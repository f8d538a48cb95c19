namespace AmiDialer.Ami;

/// <summary>
/// A header or action that cannot be written safely (CR, LF or NUL in a key or value, a line or header count over
/// Asterisk's limits). Thrown before any byte is written, so a bad CSV field can never inject a header or an action.
/// </summary>
public sealed class AmiFormatException : ArgumentException
{
    public AmiFormatException()
    {
    }

    public AmiFormatException(string message)
        : base(message)
    {
    }

    public AmiFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AmiFormatException(string message, string? headerKey)
        : base(message)
    {
        HeaderKey = headerKey;
    }

    /// <summary>The key of the offending header, when one header is to blame.</summary>
    public string? HeaderKey { get; }
}
