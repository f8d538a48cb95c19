using System.Collections;
using System.Globalization;

namespace AmiDialer.Ami;

/// <summary>
/// One AMI message: an ordered list of headers. Keys are looked up case-insensitively; a repeated key
/// (<c>Output</c>, <c>Variable</c>, <c>ChanVariable</c>) keeps every occurrence in wire order.
/// Used in both directions: the client receives responses and events, a server receives actions.
/// </summary>
public sealed partial class AmiMessage : IReadOnlyList<AmiHeader>
{
    private static readonly AmiHeader[] NoHeaders = [];
    private readonly AmiHeader[] _headers;

    public AmiMessage(IEnumerable<AmiHeader> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _headers = headers.ToArray();
    }

    /// <summary>Takes ownership of the array (the parser builds it exactly sized).</summary>
    internal AmiMessage(AmiHeader[] headers, bool takeOwnership)
    {
        _headers = takeOwnership ? headers : (AmiHeader[])headers.Clone();
    }

    /// <summary>A message with no headers: what a stray blank line on the wire amounts to.</summary>
    public static AmiMessage Empty { get; } = new(NoHeaders, takeOwnership: true);

    public int Count => _headers.Length;

    public AmiHeader this[int index] => _headers[index];

    /// <summary>The value of the first header named <paramref name="key"/> (any case), or null.</summary>
    public string? this[string key] => Get(key);

    /// <summary>An <c>Event:</c> header makes a message an event even when it also has <c>Response:</c> (OriginateResponse).</summary>
    public bool IsEvent => Get("Event") is not null;

    /// <summary>A reply to an action: it has <c>Response:</c> and no <c>Event:</c>.</summary>
    public bool IsResponse => !IsEvent && Get("Response") is not null;

    /// <summary>An action sent by a client (what a server parses): it has <c>Action:</c>.</summary>
    public bool IsAction => Get("Action") is not null;

    public string? EventName => Get("Event");

    public string? ActionName => Get("Action");

    public string? ActionId => Get("ActionID");

    public string? Response => Get("Response");

    public string? Message => Get("Message");

    /// <summary><c>EventList: start</c> on the response that opens a list; <c>Complete</c> on the event that closes it.</summary>
    public string? EventList => Get("EventList");

    public bool IsSuccess => string.Equals(Response, "Success", StringComparison.OrdinalIgnoreCase);

    public bool IsError => string.Equals(Response, "Error", StringComparison.OrdinalIgnoreCase);

    public bool StartsEventList => string.Equals(EventList, "start", StringComparison.OrdinalIgnoreCase);

    public bool CompletesEventList => string.Equals(EventList, "Complete", StringComparison.OrdinalIgnoreCase);

    public string? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (ref readonly var header in _headers.AsSpan())
        {
            if (string.Equals(header.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    public bool TryGet(string key, out string value)
    {
        value = Get(key)!;
        return value is not null;
    }

    public bool Contains(string key) => Get(key) is not null;

    /// <summary>Every value of a repeated header, in wire order.</summary>
    public IReadOnlyList<string> GetAll(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        List<string>? values = null;
        foreach (ref readonly var header in _headers.AsSpan())
        {
            if (string.Equals(header.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                (values ??= []).Add(header.Value);
            }
        }

        return values is null ? [] : values;
    }

    /// <summary>An integer header, or null when it is missing or not a number.</summary>
    public int? GetInt32(string key) =>
        int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    public long? GetInt64(string key) =>
        long.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>AMI booleans: true/yes/1/on, false/no/0/off; null when missing or unrecognised.</summary>
    public bool? GetBoolean(string key) => Get(key)?.ToUpperInvariant() switch
    {
        "TRUE" or "YES" or "1" or "ON" => true,
        "FALSE" or "NO" or "0" or "OFF" => false,
        _ => null,
    };

    /// <summary>The <c>Variable: NAME=value</c> (or <c>ChanVariable</c>) headers as name/value pairs, in wire order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GetVariables(string key = "Variable")
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var raw in GetAll(key))
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            result.Add(eq < 0 ? new(raw, "") : new(raw[..eq], raw[(eq + 1)..]));
        }

        return result;
    }

    /// <summary>The headers as <c>Key: Value</c> CRLF lines plus the closing blank line, with the same checks as actions.</summary>
    public byte[] ToBytes(AmiWriteLimits? limits = null) => AmiWriter.ToBytes(this, limits ?? AmiWriteLimits.Unlimited);

    public ReadOnlySpan<AmiHeader> AsSpan() => _headers;

    public IEnumerator<AmiHeader> GetEnumerator() => ((IEnumerable<AmiHeader>)_headers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Wire-like text for diagnostics; <c>Secret</c> and <c>Key</c> values are masked so a logged login leaks nothing.</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        foreach (var header in _headers)
        {
            var masked = string.Equals(header.Key, "Secret", StringComparison.OrdinalIgnoreCase)
                || string.Equals(header.Key, "Key", StringComparison.OrdinalIgnoreCase);
            text.Append(header.Key).Append(": ").Append(masked ? "***" : header.Value).Append("\r\n");
        }

        return text.Append("\r\n").ToString();
    }
}
