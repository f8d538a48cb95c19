using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace AmiDialer.Testing.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster for one test class (<c>IClassFixture&lt;PostgresFixture&gt;</c>): <c>initdb</c> in a
/// temp folder (as the <c>postgres</c> user when the tests run as root, which initdb refuses), a free loopback port,
/// <c>pg_ctl start -w</c>, and a fresh database per <see cref="CreateDatabaseAsync"/>. Disposal stops the server and
/// deletes the folder whatever the tests did; a test host that dies first stops it on process exit.
/// Durability is off (fsync, synchronous_commit): the data is thrown away, and two shared cores must not wait on disk.
/// Where the binaries are missing it starts nothing, and the tests (marked <see cref="PostgresFactAttribute"/>) are
/// skipped, unless AMIDIALER_REQUIRE_POSTGRES=1, which makes it fail here.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string Superuser = "amidialer";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);
    private string? folder;
    private bool running;
    private int databases;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> created = new();

    public int Port { get; private set; }

    /// <summary>The folder holding the cluster (<c>data/</c>, <c>server.log</c>, the socket); null when nothing started.</summary>
    public string? Folder => folder;

    /// <summary>To the <c>postgres</c> maintenance database, as the superuser.</summary>
    public string AdminConnectionString => ConnectionStringFor("postgres");

    public async Task InitializeAsync()
    {
        if (!PostgresBinaries.IsAvailable)
        {
            if (PostgresBinaries.IsRequired)
            {
                throw new InvalidOperationException(PostgresBinaries.SkipReason);
            }

            return;
        }

        folder = Directory.CreateTempSubdirectory("amidialer-pg-").FullName;
        AppDomain.CurrentDomain.ProcessExit += StopOnExit;
        try
        {
            if (RunsAsRoot)
            {
                await RunAsync("chown", ["postgres:", folder], asPostgres: false).ConfigureAwait(false);
            }

            await RunAsync(PostgresBinaries.Tool("initdb"),
                ["-D", DataFolder, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]).ConfigureAwait(false);
            await StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates an empty database and returns an Npgsql connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", CancellationToken cancellationToken = default)
    {
        if (!running)
        {
            throw new InvalidOperationException("PostgreSQL is not running: " + PostgresBinaries.SkipReason);
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Interlocked.Increment(ref databases)}").ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Copying the template writes the whole database through the WAL: generous on two loaded cores. (The CREATE
        // DATABASE that once took over 30 s was waiting for a socket thread another test's blocking read held, see
        // DapperRows in AmiDialer.Data, not for the server.)
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection) { CommandTimeout = (int)ToolTimeout.TotalSeconds };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var connectionString = ConnectionStringFor(name);
        created.Enqueue(connectionString);
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= StopOnExit;
        if (folder is null)
        {
            return;
        }

        if (running)
        {
            // Only this cluster's pools: clearing every pool would also close the idle connections of the test classes
            // still running beside this one.
            foreach (var connectionString in created.Append(AdminConnectionString))
            {
                using var pooled = new NpgsqlConnection(connectionString);
                NpgsqlConnection.ClearPool(pooled);
            }

            try
            {
                await RunAsync(PostgresBinaries.Tool("pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
            }
            finally
            {
                running = false;
            }
        }

        try
        {
            // Kept beside the tests' output: a run that once stalled on PostgreSQL for minutes left nothing to read.
            var log = Path.Combine(folder, "server.log");
            if (File.Exists(log))
            {
                var kept = Path.Combine(AppContext.BaseDirectory, "pg-logs");
                Directory.CreateDirectory(kept);
                File.Copy(log, Path.Combine(kept, Path.GetFileName(folder) + ".log"), overwrite: true);
            }

            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A server that would not stop still holds files; the folder is under the temp dir and named for it.
        }

        folder = null;
    }

    private string DataFolder => Path.Combine(folder!, "data");

    private static bool RunsAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    private string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Database = database,
        // A class's connections end with the cluster: nothing is gained by keeping them across tests' databases.
        Pooling = true,
        // The tools' own bound, generous on two loaded cores. (The connects that once waited out 30 s in CI were waiting
        // for a socket thread another test's blocking read held, see DapperRows in AmiDialer.Data, not for the server.)
        Timeout = (int)ToolTimeout.TotalSeconds,
    }.ConnectionString;

    /// <summary>
    /// Stops the server as a crash or a failover does (<c>pg_ctl -m immediate stop</c>): every connection cut, no
    /// checkpoint. <see cref="StartAgainAsync"/> brings it back with its data.
    /// </summary>
    public async Task StopAsync()
    {
        if (!running)
        {
            throw new InvalidOperationException("PostgreSQL is not running.");
        }

        await RunAsync(PostgresBinaries.Tool("pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        running = false;
    }

    /// <summary>
    /// Makes the database of <paramref name="connectionString"/> keep every commit it acknowledged across
    /// <see cref="StopAsync"/>, as a production server does: the cluster runs with <c>synchronous_commit</c> off for
    /// speed, which acknowledges a commit before its WAL is written, so an immediate stop loses the last ones. For
    /// sessions opened from now on.
    /// </summary>
    public async Task KeepCommitsAcrossStopsAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"ALTER DATABASE \"{name}\" SET synchronous_commit = on", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Starts the server <see cref="StopAsync"/> stopped, on the same port and data folder (it recovers from its WAL), as a restarted database comes back.</summary>
    public async Task StartAgainAsync()
    {
        if (running || folder is null)
        {
            throw new InvalidOperationException("PostgreSQL is running or was never started.");
        }

        await PgCtlStartAsync().ConfigureAwait(false);
    }

    private async Task StartAsync()
    {
        // The port is free when asked and taken by postgres a moment later; another process can win the race, so try again.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            try
            {
                await PgCtlStartAsync().ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private async Task PgCtlStartAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-p {Port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c log_lock_waits=on -c log_min_duration_statement=5000");
        await RunAsync(PostgresBinaries.Tool("pg_ctl"),
            ["-D", DataFolder, "-l", Path.Combine(folder!, "server.log"), "-w", "-t", "60", "-o", options, "start"]).ConfigureAwait(false);
        running = true;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void StopOnExit(object? sender, EventArgs e)
    {
        if (running && folder is not null)
        {
            using var stop = Start(PostgresBinaries.Tool("pg_ctl"), ["-D", DataFolder, "-m", "immediate", "stop"], RunsAsRoot);
            stop.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    private Task RunAsync(string tool, IReadOnlyList<string> arguments) => RunAsync(tool, arguments, RunsAsRoot);

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, bool asPostgres)
    {
        using var process = Start(tool, arguments, asPostgres);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(tool)} did not finish within {ToolTimeout.TotalSeconds} s.");
        }

        if (process.ExitCode != 0)
        {
            var log = folder is not null && File.Exists(Path.Combine(folder, "server.log"))
                ? "\nserver.log:\n" + await File.ReadAllTextAsync(Path.Combine(folder, "server.log")).ConfigureAwait(false)
                : "";
            throw new InvalidOperationException(
                $"{Path.GetFileName(tool)} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}{log}");
        }
    }

    private static Process Start(string tool, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var prefix in (string[])["-u", "postgres", "--", tool])
            {
                info.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start " + tool);
    }
}
