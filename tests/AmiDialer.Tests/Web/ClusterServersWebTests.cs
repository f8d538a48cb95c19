using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Configuration;
using AmiDialer.Simulator;
using AmiDialer.Testing.Postgres;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Tests.Web;

/// <summary>
/// Two real hosts on one PostgreSQL database dialing one Asterisk (a simulator of the test's own) that they describe
/// with different <c>MaxConcurrentCalls</c>: both say so (the log at start-up and when seen, the cluster API, the
/// doctor), the node with the larger cap claims with the smaller, every figure of the server's calls is the cluster's
/// beside this node's (<c>/health</c>, the pre-flight), and once the other node stops its own cap holds again.
/// </summary>
public sealed class ClusterServersWebTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private static Task<WebTestHost> StartNodeAsync(string connectionString, int port, int cap, ILoggerFactory loggers) =>
        WebTestHost.StartAsync(simulate: false, loggers: loggers, configure: s =>
        {
            s.Database.Provider = DatabaseProvider.Postgres;
            s.Database.ConnectionString = connectionString;
            s.Engine.SupervisorInterval = TimeSpan.FromSeconds(1);
            s.Ami.Servers =
            [
                new() { Name = "pbx1", Host = "127.0.0.1", Port = port, Username = "dialer", Secret = "dialerpass", MaxConcurrentCalls = cap, OriginatesPerSecond = 50 },
            ];
        });

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not within {Bound.TotalSeconds} s: {what}; last: {value}");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> ServerHealthAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("amiServers").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "pbx1");

    [PostgresFact]
    public async Task Two_nodes_giving_one_server_two_caps_are_warned_of_and_both_claim_with_the_smaller_until_one_stops()
    {
        var connectionString = await postgres.CreateDatabaseAsync("servers");
        // Numbers ending in 7 are answered at once and talk 9.5 s: calls stay up while the figures are read.
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        var (logA, logB) = (new LogLines(), new LogLines());
        using var loggersA = new LoggerFactory([logA]);
        using var loggersB = new LoggerFactory([logB]);
        var hosts = new List<WebTestHost>();
        try
        {
            // b (cap 3) first, no scheduler: it never dials. a (cap 6) starts after it and dials.
            var b = await StartNodeAsync(connectionString, sim.Port, 3, loggersB);
            hosts.Add(b);
            var engineB = await b.Services.StartEngineAsync(useScheduler: false, CancellationToken.None);
            var a = await StartNodeAsync(connectionString, sim.Port, 6, loggersA);
            hosts.Add(a);
            var engineA = await a.Services.StartEngineAsync(useScheduler: true, CancellationToken.None);
            var (nameA, nameB) = (engineA.Options.InstanceName, engineB.Options.InstanceName);
            var found = $"Ami:Servers:0:MaxConcurrentCalls 3 on node {nameB}, 6 on node {nameA}";

            // a said it at start-up, before any call, and claims with b's 3; b says it at its next beat.
            Assert.Contains(logA.Lines, l => l.Contains(found, StringComparison.Ordinal) && l.Contains("until they agree every node claims with the smallest, 3", StringComparison.Ordinal));
            Assert.Contains(logA.Lines, l => l.Contains($"AMI server pbx1: this node claims calls on it with a MaxConcurrentCalls of 3, the smallest a live node gives it (its own setting is 6)", StringComparison.Ordinal));
            var server = Assert.Single(engineA.GetSnapshot().Servers);
            Assert.Equal((3, 6), (server.MaxConcurrentCalls, server.ConfiguredMaxConcurrentCalls));
            await UntilAsync(() => Task.FromResult(logB.Lines.ToList()), lines => lines.Any(l => l.Contains(found, StringComparison.Ordinal)), "b logs the disagreement");
            Assert.Equal(3, Assert.Single(engineB.GetSnapshot().Servers).MaxConcurrentCalls);

            using var clientA = a.WithApiKey();
            using var clientB = b.WithApiKey();
            foreach (var client in new[] { clientA, clientB })
            {
                // The cluster view on each node: the disagreement by key and node, the cap in force.
                var cluster = await client.GetFromJsonAsync<JsonElement>("/api/cluster");
                var disagreement = Assert.Single(cluster.GetProperty("disagreements").EnumerateArray());
                Assert.Equal(("pbx1", "MaxConcurrentCalls", found), (disagreement.GetProperty("server").GetString(), disagreement.GetProperty("setting").GetString(), disagreement.GetProperty("found").GetString()));
                var clusterServer = Assert.Single(cluster.GetProperty("servers").EnumerateArray());
                Assert.Equal(3, clusterServer.GetProperty("maxConcurrentCalls").GetInt32());
                Assert.Equal(new[] { nameA, nameB }.Order(StringComparer.Ordinal), clusterServer.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!).Order(StringComparer.Ordinal));
                Assert.Equal($"127.0.0.1:{sim.Port}", cluster.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == nameA).GetProperty("amiServers")[0].GetProperty("endpoint").GetString());

                // The doctor's cluster check warns, naming the key and both nodes, with the fix.
                var doctor = await client.GetFromJsonAsync<JsonElement>("/api/doctor");
                var check = doctor.GetProperty("servers")[0].GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "cluster");
                Assert.Equal("WARN", check.GetProperty("result").GetString());
                Assert.StartsWith(found, check.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Equal("give pbx1 the same Ami:Servers:n:MaxConcurrentCalls on every node", check.GetProperty("fix").GetString());
            }

            // A campaign of 10 lines through a: the store never holds more than 3 calls on pbx1, and it reaches 3.
            using var created = await clientA.PostAsJsonAsync("/api/campaigns", new
            {
                name = "two caps",
                dialTemplate = "Local/{national}@pstn",
                callingHours = "00:00-24:00",
                ringTimeoutSeconds = 15,
                callsPerSecond = 5,
                maxConcurrentCalls = 10,
                maxAttempts = 1,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            var csv = "phone\n" + string.Concat(Enumerable.Range(0, 80).Select(i => $"+1415813{i:000}7\n"));
            await ImportsApiTests.UploadAsync(clientA, id, System.Text.Encoding.UTF8.GetBytes(csv), "leads.csv", HttpStatusCode.OK);
            using (var start = await clientA.PostAsync(new Uri($"/api/campaigns/{id}/start", UriKind.Relative), null))
            {
                Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            }

            var seen = new List<long>();
            var onB = await UntilAsync(() => ServerHealthAsync(clientB), s =>
            {
                seen.Add(s.GetProperty("calls").GetInt64());
                return s.GetProperty("calls").GetInt64() == 3;
            }, "three calls open on pbx1, seen from b");
            Assert.All(seen, calls => Assert.InRange(calls, 0, 3));
            // From b, which dials none of them: the cluster's calls against the cap in force, and its own share.
            Assert.Equal((3, 0, 0), (onB.GetProperty("maxConcurrentCalls").GetInt32(), onB.GetProperty("thisNodeCalls").GetInt32(), onB.GetProperty("freeSlots").GetInt64()));
            Assert.Equal("3 of 3 in use, 0 by this node", onB.GetProperty("inUse").GetString());
            var onA = await ServerHealthAsync(clientA);
            Assert.Equal(3, onA.GetProperty("maxConcurrentCalls").GetInt32());
            Assert.InRange(onA.GetProperty("calls").GetInt64(), 0, 3);
            var preflight = await clientB.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/preflight");
            Assert.Matches("^pbx1 [0-3] of 3 in use, 0 by this node$", preflight.GetProperty("serverUse").GetString());
            Assert.Equal(3, preflight.GetProperty("serverCapacity").GetInt32());
            for (var i = 0; i < 40; i++)
            {
                Assert.InRange((await ServerHealthAsync(clientB)).GetProperty("calls").GetInt64(), 0, 3);
                await Task.Delay(50);
            }

            // b stops: a's next beat finds only its own 6, says so, and its calls go past 3.
            hosts.Remove(b);
            await b.DisposeAsync();
            await UntilAsync(() => ServerHealthAsync(clientA), s => s.GetProperty("calls").GetInt64() > 3, "a dials past 3 once b has stopped");
            Assert.Contains(logA.Lines, l => l.Contains("AMI server pbx1: this node claims calls on it with its own MaxConcurrentCalls of 6 again", StringComparison.Ordinal));
            Assert.Contains(logA.Lines, l => l.Contains("AMI server pbx1: the live nodes describe it alike again", StringComparison.Ordinal));
            var alone = await clientA.GetFromJsonAsync<JsonElement>("/api/cluster");
            Assert.Empty(alone.GetProperty("disagreements").EnumerateArray());
            Assert.Equal(6, Assert.Single(alone.GetProperty("servers").EnumerateArray()).GetProperty("maxConcurrentCalls").GetInt32());
            var mine = await ServerHealthAsync(clientA);
            Assert.InRange(mine.GetProperty("calls").GetInt64(), 1, 6);
            Assert.Equal(6, mine.GetProperty("maxConcurrentCalls").GetInt32());
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>Warnings and information lines, formatted, from every category.</summary>
    private sealed class LogLines : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
