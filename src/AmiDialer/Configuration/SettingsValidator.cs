using AmiDialer.Core.Dialing;
using AmiDialer.Core.Phone;
using AmiDialer.Core.Scheduling;
using AmiDialer.Core.Validation;
using AmiDialer.Data.Database;

namespace AmiDialer.Configuration;

/// <summary>Checks the bound settings and names each bad key the way it is written in appsettings.json.</summary>
public static class SettingsValidator
{
    /// <summary>Rendering a template against this number shows whether every extension it makes is safe.</summary>
    private static readonly PhoneNumberInfo SampleNumber = new("+14155550123", "14155550123", "4155550123");

    public static IReadOnlyList<string> Validate(AmiDialerSettings s, SettingsUse use)
    {
        var errors = new List<string>();

        ValidateDatabase(s.Database, errors);
        ValidateServers(s.Ami, use.HasFlag(SettingsUse.Ami), errors);
        ValidateDialing(s.Dialing, errors);
        ValidateWeb(s.Web, use.HasFlag(SettingsUse.Web), errors);
        ValidateEngine(s.Engine, errors);
        ValidateTelemetry(s.Telemetry, s.Logging, errors);
        return errors;
    }

    private static void ValidateDatabase(DatabaseSettings d, List<string> errors)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(d.ConnectionString);
        if (d.Provider == DatabaseProvider.Sqlite)
        {
            if (string.IsNullOrWhiteSpace(d.Path))
            {
                errors.Add("Database:Path must not be empty.");
            }

            // Set without the provider, it would be ignored and the data would go to a SQLite file nobody meant.
            if (hasConnectionString)
            {
                errors.Add("Database:ConnectionString is set but Database:Provider is Sqlite (the default), which uses Database:Path: set Database:Provider to Postgres, or remove the connection string.");
            }

            return;
        }

        if (!hasConnectionString)
        {
            errors.Add("Database:ConnectionString must be set when Database:Provider is Postgres: an Npgsql connection string (Host=db1;Port=5432;Database=amidialer;Username=amidialer;Password=...) or a postgres://user:password@host:5432/database URI.");
            return;
        }

        try
        {
            d.ConnectionString = PostgresConnectionString.Normalize(d.ConnectionString!);
        }
        catch (FormatException ex)
        {
            // The value is not repeated: it may hold a password.
            errors.Add("Database:ConnectionString " + ex.Message);
        }
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

    private static void ValidateTelemetry(TelemetrySettings telemetry, LoggingSettings logging, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint)
            && (!Uri.TryCreate(telemetry.OtlpEndpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Telemetry:OtlpEndpoint must be an http:// or https:// URL, e.g. http://localhost:4317 (was '{telemetry.OtlpEndpoint}').");
        }

        if (telemetry.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            errors.Add($"Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf' (was '{telemetry.OtlpProtocol}').");
        }

        if (!LogFormats.IsKnown(logging.Format))
        {
            errors.Add($"Logging:Format must be one of {string.Join(", ", LogFormats.All)} (was '{logging.Format}').");
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
            else if (!HasLineBreak(server.Host) && Uri.CheckHostName(server.Host.Trim('[', ']')) == UriHostNameType.Unknown)
            {
                errors.Add($"{key}:Host: '{server.Host}' is not a host name or IP address.");
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

        if (!ScheduleText.TryParseWindow(d.CallingHours, out _, out var hoursError))
        {
            errors.Add($"Dialing:CallingHours: {hoursError} (was '{d.CallingHours}').");
        }

        if (!(d.MaxAbandonRate > 0 && d.MaxAbandonRate < 1))
        {
            errors.Add($"Dialing:MaxAbandonRate must be a fraction between 0 and 1, e.g. 0.03 for 3% (was {d.MaxAbandonRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }

        if (DialingSettings.ParseAbandonWindow(d.AbandonWindow) is null)
        {
            errors.Add($"Dialing:AbandonWindow must be 30d (TCPA: per campaign over 30 days) or 24h (Ofcom: over 24 hours) (was '{d.AbandonWindow}').");
        }

        if (d.AbandonRetryDelay < TimeSpan.Zero)
        {
            errors.Add($"Dialing:AbandonRetryDelay must not be negative (was {d.AbandonRetryDelay}).");
        }

        foreach (var (queue, wrapUp) in d.QueueWrapUp.Where(q => q.Value < TimeSpan.Zero))
        {
            errors.Add($"Dialing:QueueWrapUp:{queue} must not be negative (was {wrapUp}).");
        }

        if (PhoneRegions.Check(d.DefaultRegion) is { } regionError)
        {
            errors.Add($"Dialing:DefaultRegion: {regionError}.");
        }

        if (CampaignValidator.CheckZone(d.DefaultTimeZone) is { } zoneError)
        {
            errors.Add($"Dialing:DefaultTimeZone: {zoneError}.");
        }

        for (var i = 0; i < d.AllowedContexts.Count; i++)
        {
            if (DialplanNames.CheckContext(d.AllowedContexts[i]) is { } contextError)
            {
                errors.Add($"Dialing:AllowedContexts:{i}: {contextError}.");
            }
        }

        if (DialplanNames.CheckContext(d.ClickToCall.Context) is { } c2cContextError)
        {
            errors.Add($"Dialing:ClickToCall:Context: {c2cContextError}.");
        }

        if (CheckExtensionTemplate(d.ClickToCall.ExtensionTemplate) is { } templateError)
        {
            errors.Add($"Dialing:ClickToCall:ExtensionTemplate: {templateError}.");
        }

        for (var i = 0; i < d.ClickToCall.AllowedAgents.Count; i++)
        {
            if (CheckAgentGlob(d.ClickToCall.AllowedAgents[i]) is { } globError)
            {
                errors.Add($"Dialing:ClickToCall:AllowedAgents:{i}: {globError}.");
            }
        }
    }

    /// <summary>The template must parse and render, for any number, an extension Asterisk accepts in an AMI header.</summary>
    internal static string? CheckExtensionTemplate(string template)
    {
        if (!NumberTemplate.TryParse(template, out var parsed, out var error))
        {
            return $"'{Printable(template)}': {error}; use {{national}}, {{number}} or {{e164}}";
        }

        return DialplanNames.CheckExtension(parsed.Render(SampleNumber)) is { } extensionError
            ? $"'{Printable(template)}' makes {extensionError}"
            : null;
    }

    /// <summary>
    /// An agent glob must be a dial string once its wildcards are filled (Tech/resource, AMI-safe characters only),
    /// so that a pattern can only ever admit endpoints the click-to-call check would accept anyway.
    /// </summary>
    internal static string? CheckAgentGlob(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "the pattern is empty; use e.g. PJSIP/1??";
        }

        var sample = pattern.Replace('*', '1').Replace('?', '1');
        if (DialString.Check(sample) is { } shapeError)
        {
            return $"'{Printable(pattern)}' is not an endpoint pattern such as PJSIP/1?? or Local/1??@agentphone: {shapeError}";
        }

        return pattern.AsSpan(0, pattern.IndexOf('/', StringComparison.Ordinal)).IndexOfAny('*', '?') >= 0
            ? $"'{pattern}': the technology before '/' must be written out (wildcards only after it)"
            : null;
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

    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"<U+{(int)c:X4}>" : c.ToString()));

    private static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;
}
