namespace AmiDialer.Configuration;

/// <summary>The whole configuration tree, as bound from appsettings.json, --config and AMIDIALER_ variables.</summary>
public sealed class AmiDialerSettings
{
    public DatabaseSettings Database { get; set; } = new();
    public AmiSettings Ami { get; set; } = new();
    public DialingSettings Dialing { get; set; } = new();
    public WebSettings Web { get; set; } = new();
    public EngineSettings Engine { get; set; } = new();
    public TelemetrySettings Telemetry { get; set; } = new();
    public LoggingSettings Logging { get; set; } = new();
}

/// <summary>How the dialing engine of <c>serve</c> and <c>run</c> behaves.</summary>
public sealed class EngineSettings
{
    /// <summary>
    /// On SIGTERM (and SIGINT in serve): how long live calls are followed before the process exits anyway, leaving
    /// the rest to the next start's reconciliation. A service manager's stop timeout must be longer.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often serve reconciles the scheduler's triggers with the store and makes sure running campaigns dial.</summary>
    public TimeSpan SupervisorInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class DatabaseSettings
{
    /// <summary>Which store: one SQLite file (the default) or PostgreSQL (several nodes; issue #25, being built).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite file; relative paths are relative to the working directory. Its folder is created on demand.</summary>
    public string Path { get; set; } = "data/amidialer.db";

    /// <summary>PostgreSQL only: an Npgsql connection string or a <c>postgres://</c> URI (converted).</summary>
    public string? ConnectionString { get; set; }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class AmiSettings
{
    public List<AmiServerSettings> Servers { get; set; } = [];
}

public enum AmiAuthKind
{
    Md5,
    Plain,
}

public sealed class AmiServerSettings
{
    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 5038;
    public string Username { get; set; } = "";
    public string Secret { get; set; } = "";
    public AmiAuthKind Auth { get; set; } = AmiAuthKind.Md5;
    public bool UseTls { get; set; }

    /// <summary>Cheap actions (Ping, Status, Redirect...) per sliding second.</summary>
    public int ActionsPerSecond { get; set; } = 50;

    /// <summary>Originates per sliding second, limited apart from cheap actions.</summary>
    public int OriginatesPerSecond { get; set; } = 10;

    public int MaxConcurrentCalls { get; set; } = 50;

    /// <summary>
    /// This Asterisk has the outcome ledger dialplan installed (see the README): calls go through
    /// <c>[amidialer-dial]</c> and outcomes missed while no dialer was connected are read back from AstDB.
    /// </summary>
    public bool Ledger { get; set; }

    /// <summary>Cap of the reconnect backoff.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    public override string ToString() => $"{Name} ({Username}@{Host}:{Port})";
}

public sealed class DialingSettings
{
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default calling hours in the callee's own zone, <c>HH:mm-HH:mm</c>.</summary>
    public string CallingHours { get; set; } = "08:00-21:00";

    /// <summary>ISO 3166 region for numbers written without a country code.</summary>
    public string DefaultRegion { get; set; } = "US";

    /// <summary>IANA zone of new campaigns.</summary>
    public string DefaultTimeZone { get; set; } = "America/New_York";

    /// <summary>Contexts a Redirect or an on-answer route may send a call to.</summary>
    public List<string> AllowedContexts { get; set; } = [];

    /// <summary>The abandoned share of a queue campaign's answered calls that predictive pacing never exceeds (0.03: 3%, TCPA and Ofcom).</summary>
    public double MaxAbandonRate { get; set; } = 0.03;

    /// <summary>The window the abandon rate is measured over: <c>30d</c> (TCPA, per campaign) or <c>24h</c> (Ofcom).</summary>
    public string AbandonWindow { get; set; } = "30d";

    /// <summary>A lead whose answered call was abandoned is not called again for this long.</summary>
    public TimeSpan AbandonRetryDelay { get; set; } = TimeSpan.FromHours(72);

    /// <summary>
    /// A followed queue's wrap-up time by queue name (<c>Dialing:QueueWrapUp:sales</c> = <c>00:00:05</c>), for a manager
    /// user without the <c>config</c> read class: where queues.conf can be read (GetConfig), its wrapuptime wins.
    /// </summary>
    public Dictionary<string, TimeSpan> QueueWrapUp { get; set; } = new(StringComparer.Ordinal);

    public ClickToCallSettings ClickToCall { get; set; } = new();

    /// <summary>The window of <see cref="AbandonWindow"/>; null when it is neither <c>30d</c> nor <c>24h</c>.</summary>
    public static TimeSpan? ParseAbandonWindow(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "30d" => TimeSpan.FromDays(30),
        "24h" => TimeSpan.FromHours(24),
        _ => null,
    };
}

public sealed class ClickToCallSettings
{
    public string Context { get; set; } = "outbound";

    /// <summary>How the customer's number is written as the extension: <c>{national}</c>, <c>{number}</c> or <c>{e164}</c>.</summary>
    public string ExtensionTemplate { get; set; } = "{national}";

    /// <summary>Glob patterns (<c>*</c>, <c>?</c>) an agent endpoint must match, e.g. <c>PJSIP/1??</c>.</summary>
    public List<string> AllowedAgents { get; set; } = [];

    /// <summary>When false, click-to-call ignores calling hours (an agent is dialing by hand).</summary>
    public bool RespectCallingHours { get; set; } = true;
}

public sealed class WebSettings
{
    public string Urls { get; set; } = "http://127.0.0.1:5080";
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Hash made by <c>amidialer admin set-password</c>; never the password itself.</summary>
    public string AdminPasswordHash { get; set; } = "";

    /// <summary>Largest CSV upload accepted.</summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;
}

/// <summary>Where metrics go besides <c>/metrics</c> on the web host.</summary>
public sealed class TelemetrySettings
{
    /// <summary>An OpenTelemetry collector (e.g. http://otel:4317); metrics are pushed there by every command when set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";
}

/// <summary>The part of the standard <c>Logging</c> section this program reads itself.</summary>
[SharedSection]
public sealed class LoggingSettings
{
    /// <summary><c>simple</c> (one line of text each) or <c>json</c> (one JSON object per line); <c>--log-format</c> wins.</summary>
    public string Format { get; set; } = LogFormats.Simple;

    /// <summary>Levels by category (Microsoft.Extensions.Logging's own key).</summary>
    public Dictionary<string, string> LogLevel { get; set; } = [];
}

public static class LogFormats
{
    public const string Simple = "simple";
    public const string Json = "json";

    public static readonly IReadOnlyList<string> All = [Simple, Json];

    public static bool IsKnown(string? format) => All.Contains(format?.Trim().ToLowerInvariant());
}
