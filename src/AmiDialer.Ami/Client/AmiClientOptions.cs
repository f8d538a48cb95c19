using System.Net.Security;

namespace AmiDialer.Ami;

public enum AmiAuthMethod
{
    /// <summary><c>Challenge</c> then <c>Login</c> with <c>Key</c> = md5(challenge + secret): the secret never crosses the wire.</summary>
    Md5,

    /// <summary><c>Login</c> with <c>Secret</c> in clear text (use TLS).</summary>
    Plain,
}

/// <summary>Settings of one AMI connection. <see cref="Validate"/> names every bad setting.</summary>
public sealed class AmiClientOptions
{
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 5038;

    public string Username { get; set; } = "";

    /// <summary>Never logged, never part of an exception message.</summary>
    public string Secret { get; set; } = "";

    public AmiAuthMethod Auth { get; set; } = AmiAuthMethod.Md5;

    /// <summary>AMI over TLS (Asterisk's <c>tlsenable</c>, usually port 5039).</summary>
    public bool UseTls { get; set; }

    /// <summary>The name the server certificate must carry; defaults to <see cref="Host"/>.</summary>
    public string? TlsTargetHost { get; set; }

    /// <summary>Custom certificate check (a private CA, tests); null means the system's validation.</summary>
    public RemoteCertificateValidationCallback? TlsCertificateValidation { get; set; }

    /// <summary>
    /// The login <c>Events</c> mask. <c>call</c>, <c>system</c> and <c>agent</c> are always added: with <c>Events: off</c>
    /// Asterisk sends no OriginateResponse at all, FullyBooted/Shutdown are system events, and every queue event
    /// (QueueMember*, AgentConnect, QueueCallerAbandon, ...) is in the <c>agent</c> class only.
    /// </summary>
    public string EventMask { get; set; } = "on";

    /// <summary>Actions other than Originate, at most this many in any sliding one-second window. 0 = unlimited.</summary>
    public int ActionsPerSecond { get; set; } = 100;

    /// <summary>Originates, at most this many in any sliding one-second window. 0 = unlimited.</summary>
    public int OriginatesPerSecond { get; set; } = 20;

    /// <summary>How long to wait for a response once an action is written (a sync Originate may need its full Timeout).</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A Ping goes out when nothing was received for half of this; it must be answered within the other half.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The reconnect backoff's cap.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait after a refused login before trying again; a wrong secret will not fix itself quickly.</summary>
    public TimeSpan AuthenticationRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Events buffered for the consumer. When full the connection is dropped and reported: an event is never lost silently.</summary>
    public int EventBufferCapacity { get; set; } = 65_536;

    /// <summary>Limits on what is read from Asterisk.</summary>
    public AmiParserLimits ParserLimits { get; set; } = AmiParserLimits.FromServer;

    /// <summary>
    /// The events <see cref="AmiClient.Events"/> delivers, by name; the reader drops the others before allocating
    /// anything for them (events answering an action, such as OriginateResponse or a list's items, always pass).
    /// Null: every event. Unlike <see cref="EventMask"/> this costs Asterisk nothing to honour: it is ours alone.
    /// </summary>
    public IReadOnlyCollection<string>? EventNames { get; set; }

    /// <summary>
    /// When true, a consumer awaiting <see cref="AmiClient.Events"/> is resumed on the reader itself instead of on a
    /// thread-pool thread: each socket read then costs one thread wake-up instead of two. Only for a consumer that is
    /// quick and never blocks (its work delays every response and event behind it); off by default.
    /// </summary>
    public bool InlineEventConsumer { get; set; }

    /// <summary>A copy whose settings can be changed without touching this one.</summary>
    public AmiClientOptions Copy() => (AmiClientOptions)MemberwiseClone();

    /// <summary>Every problem, each naming its setting; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{nameof(Host)} is required.");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{nameof(Port)} must be between 1 and 65535 (was {Port}).");
        }

        if (string.IsNullOrEmpty(Username))
        {
            errors.Add($"{nameof(Username)} is required.");
        }

        if (string.IsNullOrEmpty(Secret))
        {
            errors.Add($"{nameof(Secret)} is required.");
        }

        CheckNoControl(Username, nameof(Username), errors);
        CheckNoControl(Secret, nameof(Secret), errors);
        CheckNoControl(EventMask, nameof(EventMask), errors);
        CheckPositive(ActionTimeout, nameof(ActionTimeout), errors);
        CheckPositive(ConnectTimeout, nameof(ConnectTimeout), errors);
        CheckPositive(PingInterval, nameof(PingInterval), errors);
        CheckPositive(MaxReconnectDelay, nameof(MaxReconnectDelay), errors);
        CheckPositive(AuthenticationRetryDelay, nameof(AuthenticationRetryDelay), errors);
        if (ActionsPerSecond < 0)
        {
            errors.Add($"{nameof(ActionsPerSecond)} must be 0 (unlimited) or more (was {ActionsPerSecond}).");
        }

        if (OriginatesPerSecond < 0)
        {
            errors.Add($"{nameof(OriginatesPerSecond)} must be 0 (unlimited) or more (was {OriginatesPerSecond}).");
        }

        if (EventNames is not null && EventNames.Any(n => string.IsNullOrEmpty(n) || !n.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            errors.Add($"{nameof(EventNames)} must hold event names (ASCII letters, digits, '_', '-', '.').");
        }

        if (EventBufferCapacity < 1)
        {
            errors.Add($"{nameof(EventBufferCapacity)} must be at least 1 (was {EventBufferCapacity}).");
        }

        return errors;
    }

    /// <summary>The mask sent at login: the configured one with <c>call</c>, <c>system</c> and <c>agent</c> always present.</summary>
    public string EffectiveEventMask()
    {
        var parts = (EventMask ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (parts.Any(p => p.Equals("on", StringComparison.OrdinalIgnoreCase) || p.Equals("all", StringComparison.OrdinalIgnoreCase)))
        {
            return "on";
        }

        parts.RemoveAll(p => p.Equals("off", StringComparison.OrdinalIgnoreCase));
        foreach (var needed in new[] { "call", "system", "agent" })
        {
            if (!parts.Contains(needed, StringComparer.OrdinalIgnoreCase))
            {
                parts.Add(needed);
            }
        }

        return string.Join(',', parts);
    }

    private static void CheckNoControl(string? value, string name, List<string> errors)
    {
        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            // Say nothing of the value itself: it may be the secret.
            errors.Add($"{name} must not contain CR, LF or NUL.");
        }
    }

    private static void CheckPositive(TimeSpan value, string name, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive (was {value}).");
        }
    }
}
