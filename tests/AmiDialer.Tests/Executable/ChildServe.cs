using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Tests.Executable;

/// <summary>What the tests of the real executable share: free ports, waiting for /health, and reading its database.</summary>
internal static class ChildServe
{
    /// <summary>Generous: a loaded machine may take this long to start .NET, open the database and bind.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>serve --simulate</c> on a free port and returns once /health answers 200.</summary>
    public static async Task<(AmiDialerProcess Process, Uri Url)> StartServeAsync(string folder, string database, IReadOnlyDictionary<string, string> environment, params string[] extra)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var serve = AmiDialerProcess.Start(folder, environment, ["serve", "--simulate", "--urls", url.ToString().TrimEnd('/'), "--db", database, .. extra]);
        try
        {
            await WaitForHealthAsync(serve, url);
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }

        return (serve, url);
    }

    public static async Task WaitForHealthAsync(AmiDialerProcess serve, Uri url)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            Assert.False(serve.HasExited, "serve ended before answering /health:\n" + serve);
            try
            {
                using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"serve did not answer /health within {StartTimeout.TotalSeconds} s:\n{serve}");
            await Task.Delay(200);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {timeout.TotalSeconds} s: {what()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Reads the database a child process writes, as another process would (WAL: readers never block it).</summary>
    public sealed class Store(string path)
    {
        private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30, Pooling = false }.ToString();

        public async Task<string?> StateAsync(string campaign) =>
            await ScalarAsync("SELECT state FROM campaigns WHERE name = $p", campaign) as string;

        public async Task<long> LeasesAsync() => (long)(await ScalarAsync("SELECT COUNT(*) FROM leases", null))!;

        public async Task<long> AttemptsAsync(string campaign) =>
            (long)(await ScalarAsync("SELECT COUNT(*) FROM attempts WHERE campaign_id = (SELECT id FROM campaigns WHERE name = $p)", campaign))!;

        /// <summary>Attempts still open (dialing, live): calls a stopped engine left to the next start's reconciliation.</summary>
        public async Task<long> OpenAttemptsAsync(string campaign) =>
            (long)(await ScalarAsync("SELECT COUNT(*) FROM attempts WHERE ended_at IS NULL AND campaign_id = (SELECT id FROM campaigns WHERE name = $p)", campaign))!;

        public async Task<DateTimeOffset?> FirstAttemptAtAsync(string campaign) =>
            await ScalarAsync("SELECT MIN(created_at) FROM attempts WHERE campaign_id = (SELECT id FROM campaigns WHERE name = $p)", campaign) is string text
                ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
                : null;

        private async Task<object?> ScalarAsync(string sql, string? parameter)
        {
            await using var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            if (parameter is not null)
            {
                command.Parameters.AddWithValue("$p", parameter);
            }

            var value = await command.ExecuteScalarAsync();
            return value is DBNull ? null : value;
        }
    }
}
