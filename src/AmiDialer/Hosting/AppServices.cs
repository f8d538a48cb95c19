using AmiDialer.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Hosting;

/// <summary>
/// The composition root shared by the CLI and the web server: settings, the database, the engine, the built-in
/// simulator (only with --simulate), time and logging. Create one per process with <see cref="CreateAsync(AmiDialerSettings, bool, CancellationToken)"/>
/// and dispose it last: it stops the engine, then the simulator, then closes the database.
/// </summary>
public sealed class AppServices : IAsyncDisposable
{
    private readonly bool ownsLoggerFactory;
    private bool disposed;

    private AppServices(AmiDialerSettings settings, bool isSimulated, string databasePath, TimeProvider time, ILoggerFactory loggerFactory, bool ownsLoggerFactory)
    {
        Settings = settings;
        IsSimulated = isSimulated;
        DatabasePath = databasePath;
        Time = time;
        LoggerFactory = loggerFactory;
        this.ownsLoggerFactory = ownsLoggerFactory;
    }

    public AmiDialerSettings Settings { get; }

    /// <summary>True when calls go to the built-in simulator (--simulate); every attempt is then marked simulated.</summary>
    public bool IsSimulated { get; }

    /// <summary>Full path of the SQLite file in use.</summary>
    public string DatabasePath { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    public static Task<AppServices> CreateAsync(AmiDialerSettings settings, bool simulate, CancellationToken ct) =>
        CreateAsync(settings, simulate, new AppServicesOptions(), ct);

    public static Task<AppServices> CreateAsync(AmiDialerSettings settings, bool simulate, AppServicesOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ct.ThrowIfCancellationRequested();
        var databasePath = Path.GetFullPath(settings.Database.Path);
        var directory = Path.GetDirectoryName(databasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var services = new AppServices(settings, simulate, databasePath, options.Time ?? TimeProvider.System, loggerFactory, ownsLoggerFactory: false);
        return Task.FromResult(services);
    }

    /// <summary>The admin password hash: Web:AdminPasswordHash when set, else none.</summary>
    public string? AdminPasswordHash =>
        string.IsNullOrEmpty(Settings.Web.AdminPasswordHash) ? null : Settings.Web.AdminPasswordHash;

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (ownsLoggerFactory)
        {
            LoggerFactory.Dispose();
        }

        await Task.CompletedTask;
    }
}

/// <summary>What tests and the CLI may choose when building <see cref="AppServices"/>.</summary>
public sealed record AppServicesOptions
{
    /// <summary>Clock for the engine and the store; the system clock when null.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Where logs go; none when null (the CLI passes a stderr logger).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Simulated seconds per real second for the built-in simulator (--simulate); 1 is real time.</summary>
    public double SimulatorTimeScale { get; init; } = 1;
}
