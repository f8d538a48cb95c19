using System.Collections;
using System.Globalization;
using System.Text;

namespace AmiDialer.Ami;

/// <summary>
/// One AMI message: an ordered list of headers. Keys are looked up case-insensitively; a repeated key
/// (<c>Output</c>, <c>Variable</c>, <c>ChanVariable</c>) keeps every occurrence in wire order.
/// Used in both directions: the client receives responses and events, a server receives actions.
/// </summary>
public sealed partial class AmiMessage : IReadOnlyList<AmiHeader>
{
    private static readonly AmiHeader[] NoHeaders = [];

    // A message is stored one of two ways. Built ones (actions, the simulator's replies) hold their headers.
    // Parsed ones hold a copy of their frame's bytes and where each key and value lies in it; a value is decoded
    // from UTF-8 when first asked for. A reader that looks at five of sixteen headers pays for five strings, which
    // is what lets the client keep up with a flooded socket. Keys compare as ASCII ignoring case, as Asterisk does
    // (strncasecmp), so a non-ASCII key never matches.
    private readonly byte[]? _frame;
    private readonly AmiParsedHeader[]? _parsed;
    private string?[]? _values;
    private AmiHeader[]? _headers;

    public AmiMessage(IEnumerable<AmiHeader> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _headers = headers.ToArray();
    }

    /// <summary>Takes ownership of the array (built exactly sized by the caller).</summary>
    internal AmiMessage(AmiHeader[] headers, bool takeOwnership)
    {
        _headers = takeOwnership ? headers : (AmiHeader[])headers.Clone();
    }

    /// <summary>A parsed message: owns <paramref name="frame"/> (the complete frame's bytes) and <paramref name="parsed"/>.</summary>
    internal AmiMessage(byte[] frame, AmiParsedHeader[] parsed)
    {
        _frame = frame;
        _parsed = parsed;
    }

    /// <summary>A message with no headers: what a stray blank line on the wire amounts to.</summary>
    public static AmiMessage Empty { get; } = new(NoHeaders, takeOwnership: true);

    public int Count => _parsed?.Length ?? _headers!.Length;

    public AmiHeader this[int index] => _parsed is null ? _headers![index] : new AmiHeader(KeyAt(index), ValueAt(index));

    /// <summary>The value of the first header named <paramref name="key"/> (any case), or null.</summary>
    public string? this[string key] => Get(key);

    /// <summary>An <c>Event:</c> header makes a message an event even when it also has <c>Response:</c> (OriginateResponse).</summary>
    public bool IsEvent => Contains("Event");

    /// <summary>A reply to an action: it has <c>Response:</c> and no <c>Event:</c>.</summary>
    public bool IsResponse => !IsEvent && Contains("Response");

    /// <summary>An action sent by a client (what a server parses): it has <c>Action:</c>.</summary>
    public bool IsAction => Contains("Action");

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
        var i = IndexOf(key, 0);
        return i < 0 ? null : _parsed is null ? _headers![i].Value : ValueAt(i);
    }

    public bool TryGet(string key, out string value)
    {
        value = Get(key)!;
        return value is not null;
    }

    /// <summary>
    /// The first value of each of <paramref name="keys"/> (any case), in one pass over the headers, into
    /// <paramref name="values"/> in the keys' order; null where a key is missing.
    /// </summary>
    public void GetValues(AmiHeaderKeys keys, Span<string?> values)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (values.Length < keys.Count)
        {
            throw new ArgumentException($"Room for {keys.Count} values is needed, not {values.Length}.", nameof(values));
        }

        values[..keys.Count].Clear();
        if (_parsed is { } parsed)
        {
            var frame = _frame!;
            var names = keys.AsciiNames;
            for (var i = 0; i < parsed.Length; i++)
            {
                ref readonly var header = ref parsed[i];
                foreach (var k in keys.OfLength(header.KeyLength))
                {
                    if (values[k] is null && Ascii.EqualsIgnoreCase(frame.AsSpan(header.KeyStart, header.KeyLength), names[k]))
                    {
                        values[k] = ValueAt(i);
                        break;
                    }
                }
            }
        }
        else
        {
            var headers = _headers!;
            var names = keys.Names;
            for (var i = 0; i < headers.Length; i++)
            {
                foreach (var k in keys.OfLength(headers[i].Key.Length))
                {
                    if (values[k] is null && string.Equals(headers[i].Key, names[k], StringComparison.OrdinalIgnoreCase))
                    {
                        values[k] = headers[i].Value;
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Whether a header named <paramref name="key"/> is present (any case), without decoding its value.</summary>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return IndexOf(key, 0) >= 0;
    }

    /// <summary>Every value of a repeated header, in wire order.</summary>
    public IReadOnlyList<string> GetAll(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        List<string>? values = null;
        for (var i = IndexOf(key, 0); i >= 0; i = IndexOf(key, i + 1))
        {
            (values ??= []).Add(_parsed is null ? _headers![i].Value : ValueAt(i));
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

    public ReadOnlySpan<AmiHeader> AsSpan() => Headers;

    public IEnumerator<AmiHeader> GetEnumerator() => ((IEnumerable<AmiHeader>)Headers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Wire-like text for diagnostics; <c>Secret</c> and <c>Key</c> values are masked so a logged login leaks nothing.</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        foreach (var header in Headers)
        {
            var masked = string.Equals(header.Key, "Secret", StringComparison.OrdinalIgnoreCase)
                || string.Equals(header.Key, "Key", StringComparison.OrdinalIgnoreCase);
            text.Append(header.Key).Append(": ").Append(masked ? "***" : header.Value).Append("\r\n");
        }

        return text.Append("\r\n").ToString();
    }

    /// <summary>Every header as key and value; a parsed message decodes all its values once, on first use.</summary>
    private AmiHeader[] Headers
    {
        get
        {
            if (_headers is { } headers)
            {
                return headers;
            }

            var parsed = _parsed!;
            headers = new AmiHeader[parsed.Length];
            for (var i = 0; i < headers.Length; i++)
            {
                headers[i] = new AmiHeader(KeyAt(i), ValueAt(i));
            }

            // Racing readers may both build it; either copy is the same, so the last write wins harmlessly.
            _headers = headers;
            return headers;
        }
    }

    private int IndexOf(string key, int start)
    {
        if (_parsed is { } parsed)
        {
            var frame = _frame!;
            for (var i = start; i < parsed.Length; i++)
            {
                ref readonly var header = ref parsed[i];
                if (header.KeyLength == key.Length && Ascii.EqualsIgnoreCase(frame.AsSpan(header.KeyStart, header.KeyLength), key))
                {
                    return i;
                }
            }
        }
        else
        {
            var headers = _headers!;
            for (var i = start; i < headers.Length; i++)
            {
                if (string.Equals(headers[i].Key, key, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private string KeyAt(int index)
    {
        var header = _parsed![index];
        return Encoding.UTF8.GetString(_frame!, header.KeyStart, header.KeyLength);
    }

    /// <summary>A parsed message's value, decoded on first use and kept (messages are shared across threads: a race
    /// decodes the same bytes twice, never differently).</summary>
    private string ValueAt(int index)
    {
        var values = _values ?? Interlocked.CompareExchange(ref _values, new string?[_parsed!.Length], null) ?? _values;
        if (values[index] is { } value)
        {
            return value;
        }

        var header = _parsed![index];
        value = header.ValueLength == 0 ? "" : Encoding.UTF8.GetString(_frame!, header.ValueStart, header.ValueLength);
        values[index] = value;
        return value;
    }
}

/// <summary>Where a parsed header's key and value lie in its frame's bytes.</summary>
internal readonly record struct AmiParsedHeader(int KeyStart, int KeyLength, int ValueStart, int ValueLength);
