using System.Globalization;

namespace AmiDialer.Configuration;

/// <summary>Checks the bound settings and names each bad key the way it is written in appsettings.json.</summary>
public static class SettingsValidator
{
    public static IReadOnlyList<string> Validate(AmiDialerSettings s, SettingsUse use)
    {
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(s.Database.Path))
        {
            errors.Add("Database:Path must not be empty.");
        }

        ValidateServers(s.Ami, use.HasFlag(SettingsUse.Ami), errors);
        ValidateDialing(s.Dialing, errors);
        ValidateWeb(s.Web, use.HasFlag(SettingsUse.Web), errors);
        ValidateEngine(s.Engine, errors);
        return errors;
    }

    /// <summary>The most a stop may wait for live calls: beyond it a service manager's timeout would be unusual, and a deploy slow.</summary>
    public static readonly TimeSpan MaxShutdownGrace = TimeSpan.FromMinutes(10);

    private static void ValidateEngine(EngineSettings e, List<string> errors)
    {
        if (e.ShutdownGrace < TimeSpan.Zero || e.ShutdownGrace > MaxShutdownGrace)
        {
            errors.Add($"Engine:ShutdownGrace must be between 00:00:00 and 00:10:00 (was {e.ShutdownGrace}).");
        }

        if (e.SupervisorInterval < TimeSpan.FromSeconds(1) || e.SupervisorInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Engine:SupervisorInterval must be between 00:00:01 and 00:01:00 (was {e.SupervisorInterval}).");
        }
    }

    private static void ValidateServers(AmiSettings ami, bool required, List<string> errors)
    {
        if (required && ami.Servers.Count == 0)
        {
            errors.Add("Ami:Servers must list at least one server (or run with --simulate).");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < ami.Servers.Count; i++)
        {
            var server = ami.Servers[i];
            var key = $"Ami:Servers:{i}";
            if (string.IsNullOrWhiteSpace(server.Name))
            {
                errors.Add($"{key}:Name must not be empty.");
            }
            else if (!names.Add(server.Name))
            {
                errors.Add($"{key}:Name '{server.Name}' is used by another server.");
            }

            if (string.IsNullOrWhiteSpace(server.Host))
            {
                errors.Add($"{key}:Host must not be empty.");
            }

            if (server.Port is < 1 or > 65535)
            {
                errors.Add($"{key}:Port must be between 1 and 65535 (was {server.Port}).");
            }

            if (string.IsNullOrWhiteSpace(server.Username))
            {
                errors.Add($"{key}:Username must not be empty.");
            }

            if (required && string.IsNullOrEmpty(server.Secret))
            {
                // Never echo a secret; say where to put it instead.
                errors.Add($"{key}:Secret is not set: set it in your config file or as AMIDIALER_Ami__Servers__{i}__Secret.");
            }

            if (HasLineBreak(server.Username) || HasLineBreak(server.Secret) || HasLineBreak(server.Host))
            {
                errors.Add($"{key}: Host, Username and Secret must not contain CR, LF or NUL.");
            }

            if (server.ActionsPerSecond < 1)
            {
                errors.Add($"{key}:ActionsPerSecond must be at least 1 (was {server.ActionsPerSecond}).");
            }

            if (server.OriginatesPerSecond < 1)
            {
                errors.Add($"{key}:OriginatesPerSecond must be at least 1 (was {server.OriginatesPerSecond}).");
            }

            if (server.MaxConcurrentCalls < 1)
            {
                errors.Add($"{key}:MaxConcurrentCalls must be at least 1 (was {server.MaxConcurrentCalls}).");
            }

            if (server.MaxReconnectDelay <= TimeSpan.Zero)
            {
                errors.Add($"{key}:MaxReconnectDelay must be positive (was {server.MaxReconnectDelay}).");
            }

            if (server.PingInterval < TimeSpan.FromSeconds(1))
            {
                errors.Add($"{key}:PingInterval must be at least 00:00:01 (was {server.PingInterval}).");
            }
        }
    }

    private static void ValidateDialing(DialingSettings d, List<string> errors)
    {
        if (d.RingTimeout < TimeSpan.FromSeconds(15))
        {
            errors.Add($"Dialing:RingTimeout must be at least 00:00:15 (was {d.RingTimeout}).");
        }

        if (!TryParseHours(d.CallingHours))
        {
            errors.Add($"Dialing:CallingHours must look like 08:00-21:00 (was '{d.CallingHours}').");
        }

        if (d.DefaultRegion.Length != 2 || !d.DefaultRegion.All(char.IsAsciiLetter))
        {
            errors.Add($"Dialing:DefaultRegion must be a two-letter region code such as US (was '{d.DefaultRegion}').");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(d.DefaultTimeZone, out _))
        {
            errors.Add($"Dialing:DefaultTimeZone '{d.DefaultTimeZone}' is not a known IANA time zone.");
        }

        for (var i = 0; i < d.AllowedContexts.Count; i++)
        {
            if (!IsDialplanName(d.AllowedContexts[i]))
            {
                errors.Add($"Dialing:AllowedContexts:{i} '{d.AllowedContexts[i]}' is not a valid context name.");
            }
        }

        if (!IsDialplanName(d.ClickToCall.Context))
        {
            errors.Add($"Dialing:ClickToCall:Context '{d.ClickToCall.Context}' is not a valid context name.");
        }

        if (!d.ClickToCall.ExtensionTemplate.Contains('{', StringComparison.Ordinal))
        {
            errors.Add("Dialing:ClickToCall:ExtensionTemplate must contain {national}, {number} or {e164}.");
        }

        for (var i = 0; i < d.ClickToCall.AllowedAgents.Count; i++)
        {
            var pattern = d.ClickToCall.AllowedAgents[i];
            if (string.IsNullOrWhiteSpace(pattern) || !pattern.Contains('/', StringComparison.Ordinal) || HasLineBreak(pattern))
            {
                errors.Add($"Dialing:ClickToCall:AllowedAgents:{i} '{pattern}' must look like PJSIP/1??.");
            }
        }
    }

    private static void ValidateWeb(WebSettings w, bool serving, List<string> errors)
    {
        foreach (var url in w.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                errors.Add($"Web:Urls '{url}' is not an http or https URL.");
            }
        }

        for (var i = 0; i < w.ApiKeys.Count; i++)
        {
            if (w.ApiKeys[i].Length < 16)
            {
                errors.Add($"Web:ApiKeys:{i} is shorter than 16 characters.");
            }
        }

        if (serving && w.MaxUploadBytes < 1024)
        {
            errors.Add($"Web:MaxUploadBytes must be at least 1024 (was {w.MaxUploadBytes}).");
        }
    }

    internal static bool TryParseHours(string text)
    {
        var parts = text.Split('-');
        return parts.Length == 2 && TryParseClock(parts[0]) && TryParseClock(parts[1]);
    }

    private static bool TryParseClock(string text) =>
        text.Trim() == "24:00" || TimeOnly.TryParseExact(text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool IsDialplanName(string name) =>
        !string.IsNullOrWhiteSpace(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;
}
