namespace AmiDialer.Ami;

/// <summary>
/// An action to send: its name and headers, without <c>ActionID</c> (the client assigns a unique one when it sends).
/// Every header is checked when added (and again when written): CR, LF or NUL anywhere is refused with an
/// <see cref="AmiFormatException"/>, as is a line over 1024 bytes or more than 128 headers.
/// </summary>
public sealed class AmiAction
{
    private readonly List<AmiHeader> _headers = [];

    public AmiAction(string name)
    {
        AmiWriter.ValidateHeader("Action", name, AmiWriteLimits.Action);
        if (name.Length == 0)
        {
            throw new AmiFormatException("An action needs a name.", "Action");
        }

        Name = name;
    }

    public AmiAction(string name, IEnumerable<KeyValuePair<string, string>> headers)
        : this(name)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var (key, value) in headers)
        {
            Add(key, value);
        }
    }

    public string Name { get; }

    /// <summary>The headers after <c>Action</c>, in the order they will be sent.</summary>
    public IReadOnlyList<AmiHeader> Headers => _headers;

    public bool IsOriginate => string.Equals(Name, "Originate", StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds a header (repeat a key to send it several times).</summary>
    public AmiAction Add(string key, string value)
    {
        AmiWriter.ValidateHeader(key, value, AmiWriteLimits.Action);
        if (string.Equals(key, "Action", StringComparison.OrdinalIgnoreCase) || string.Equals(key, "ActionID", StringComparison.OrdinalIgnoreCase))
        {
            throw new AmiFormatException($"'{key}' is set by the client, not added as a header.", key);
        }

        // Action and ActionID take two of Asterisk's 128 header slots.
        if (_headers.Count + 2 >= AmiWriteLimits.AsteriskMaxHeaders)
        {
            throw new AmiFormatException($"An action can carry at most {AmiWriteLimits.AsteriskMaxHeaders - 2} headers besides Action and ActionID.", key);
        }

        _headers.Add(new AmiHeader(key, value));
        return this;
    }

    /// <summary>Adds one <c>Variable: name=value</c> header. The name must not contain '='.</summary>
    public AmiAction AddVariable(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
        {
            throw new AmiFormatException($"Variable name '{name.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}' must be non-empty and contain no '='.", "Variable");
        }

        return Add("Variable", name + "=" + value);
    }

    /// <summary>
    /// One <c>Variable:</c> header per variable. Asterisk still splits each header's value at unescaped commas, so a
    /// value from user data must arrive escaped (Core's <c>ChannelVariables.TryResolve</c> does it); this layer does not
    /// escape again, or the escape would reach the channel.
    /// </summary>
    public AmiAction AddVariables(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (var (name, value) in variables)
        {
            AddVariable(name, value);
        }

        return this;
    }

    /// <summary>The full message: <c>Action</c>, then <c>ActionID</c> when given, then the headers.</summary>
    public AmiMessage ToMessage(string? actionId)
    {
        var all = new AmiHeader[_headers.Count + (actionId is null ? 1 : 2)];
        all[0] = new AmiHeader("Action", Name);
        var i = 1;
        if (actionId is not null)
        {
            all[i++] = new AmiHeader("ActionID", actionId);
        }

        _headers.CopyTo(all, i);
        return new AmiMessage(all, takeOwnership: true);
    }

    /// <summary>Wire bytes, checked against Asterisk's action limits.</summary>
    public byte[] ToBytes(string? actionId) => AmiWriter.ToBytes(ToMessage(actionId).AsSpan(), AmiWriteLimits.Action);

    public void WriteTo(System.Buffers.IBufferWriter<byte> output, string? actionId) =>
        AmiWriter.Write(ToMessage(actionId).AsSpan(), output, AmiWriteLimits.Action);

    /// <summary>Masks <c>Secret</c> and <c>Key</c>, like <see cref="AmiMessage.ToString"/>.</summary>
    public override string ToString() => ToMessage(null).ToString();
}
