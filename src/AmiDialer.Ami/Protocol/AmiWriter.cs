using System.Buffers;
using System.Text;

namespace AmiDialer.Ami;

/// <summary>
/// Serialises headers as <c>Key: Value</c> CRLF lines and a closing blank line. Every key and value is checked
/// first (no CR, LF or NUL anywhere, no ':' in a key, line and header-count limits), and nothing is written
/// unless all of them pass, so a value can never smuggle in a header or a second action.
/// </summary>
public static class AmiWriter
{
    private static readonly SearchValues<char> ForbiddenInValue = SearchValues.Create("\r\n\0");
    private static readonly SearchValues<char> ForbiddenInKey = SearchValues.Create("\r\n\0: \t");

    /// <summary>Checks everything and returns the number of bytes <see cref="Write"/> would write.</summary>
    public static int Validate(ReadOnlySpan<AmiHeader> headers, AmiWriteLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (headers.IsEmpty)
        {
            throw new AmiFormatException("An AMI message needs at least one header; an empty one is a stray blank line.");
        }

        if (headers.Length > limits.MaxHeaders)
        {
            throw new AmiFormatException($"{headers.Length} headers is more than the {limits.MaxHeaders} allowed.");
        }

        long total = 2;
        foreach (ref readonly var header in headers)
        {
            total += ValidateHeader(header.Key, header.Value, limits);
        }

        return total <= int.MaxValue ? (int)total : throw new AmiFormatException("The message is too large to write.");
    }

    /// <summary>Checks one header; returns its line length in bytes with CRLF.</summary>
    public static int ValidateHeader(string key, string value, AmiWriteLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (string.IsNullOrEmpty(key))
        {
            throw new AmiFormatException("A header key must not be empty.", key);
        }

        if (value is null)
        {
            throw new AmiFormatException($"The value of header '{SafeKey(key)}' must not be null.", key);
        }

        if (key.AsSpan().IndexOfAny(ForbiddenInKey) >= 0)
        {
            throw new AmiFormatException($"Header key '{SafeKey(key)}' contains CR, LF, NUL, ':' or whitespace.", key);
        }

        var bad = value.AsSpan().IndexOfAny(ForbiddenInValue);
        if (bad >= 0)
        {
            throw new AmiFormatException($"The value of header '{key}' contains {Describe(value[bad])} at position {bad}; it could inject AMI headers.", key);
        }

        var lineBytes = (long)Encoding.UTF8.GetByteCount(key) + 2 + Encoding.UTF8.GetByteCount(value) + 2;
        if (lineBytes > limits.MaxLineBytes)
        {
            throw new AmiFormatException($"Header '{key}' makes a {lineBytes}-byte line; the limit is {limits.MaxLineBytes} bytes with CRLF.", key);
        }

        return (int)lineBytes;
    }

    public static void Write(ReadOnlySpan<AmiHeader> headers, IBufferWriter<byte> output, AmiWriteLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var total = Validate(headers, limits ?? AmiWriteLimits.Unlimited);
        var span = output.GetSpan(total);
        var written = WriteUnchecked(headers, span);
        output.Advance(written);
    }

    public static byte[] ToBytes(ReadOnlySpan<AmiHeader> headers, AmiWriteLimits? limits = null)
    {
        var total = Validate(headers, limits ?? AmiWriteLimits.Unlimited);
        var bytes = new byte[total];
        WriteUnchecked(headers, bytes);
        return bytes;
    }

    public static byte[] ToBytes(AmiMessage message, AmiWriteLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ToBytes(message.AsSpan(), limits);
    }

    public static void Write(AmiMessage message, IBufferWriter<byte> output, AmiWriteLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Write(message.AsSpan(), output, limits);
    }

    private static int WriteUnchecked(ReadOnlySpan<AmiHeader> headers, Span<byte> target)
    {
        var pos = 0;
        foreach (ref readonly var header in headers)
        {
            pos += Encoding.UTF8.GetBytes(header.Key, target[pos..]);
            target[pos++] = (byte)':';
            target[pos++] = (byte)' ';
            pos += Encoding.UTF8.GetBytes(header.Value, target[pos..]);
            target[pos++] = (byte)'\r';
            target[pos++] = (byte)'\n';
        }

        target[pos++] = (byte)'\r';
        target[pos++] = (byte)'\n';
        return pos;
    }

    private static string Describe(char c) => c switch
    {
        '\r' => "CR",
        '\n' => "LF",
        _ => "NUL",
    };

    // A key is ours or the caller's code, never a secret, but it may hold the very control characters we refuse.
    private static string SafeKey(string key) => key.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
}
