using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Configuration;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Tests.Web;

/// <summary>
/// Two real hosts (web server, engine, each its own simulator) on one PostgreSQL database: each lists both nodes, the
/// campaign one dials is shown right on the other (dialed by whom, its active calls from the store), and a node that
/// stops shows as stopped on the other, which takes its campaign over.
/// </summary>
public sealed class ClusterWebTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private static Task<WebTestHost> StartNodeAsync(string connectionString) =>
        WebTestHost.StartAsync(simulate: true, timeScale: 20, configure: s =>
        {
            s.Database.Provider = DatabaseProvider.Postgres;
            s.Database.ConnectionString = connectionString;
            // The supervisor looks for campaigns to take every second rather than every 5.
            s.Engine.SupervisorInterval = TimeSpan.FromSeconds(1);
        });

    private static async Task<JsonElement> ClusterAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/cluster", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static JsonElement NodeOf(JsonElement cluster, string name) =>
        cluster.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == name);

    private static async Task<JsonElement> UntilAsync(Func<Task<JsonElement>> read, Func<JsonElement, bool> done, string what)
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
            await Task.Delay(200);
        }
    }

    [PostgresFact]
    public async Task Each_node_shows_the_whole_cluster_and_the_campaign_the_other_dials_from_the_store()
    {
        var connectionString = await postgres.CreateDatabaseAsync("cluster");
        var hosts = new List<WebTestHost> { await StartNodeAsync(connectionString) };
        try
        {
            hosts.Add(await StartNodeAsync(connectionString));
            var (a, b) = (hosts[0], hosts[1]);
            var engineA = await a.Services.StartEngineAsync(useScheduler: true, CancellationToken.None);
            var engineB = await b.Services.StartEngineAsync(useScheduler: true, CancellationToken.None);
            var (nameA, nameB) = (engineA.Options.InstanceName, engineB.Options.InstanceName);
            using var clientA = a.WithApiKey();
            using var clientB = b.WithApiKey();

            // Both nodes on both hosts, live, each knowing which one it is.
            foreach (var (client, self) in new[] { (clientA, nameA), (clientB, nameB) })
            {
                var cluster = await ClusterAsync(client);
                Assert.Equal(self, cluster.GetProperty("thisNode").GetString());
                Assert.Equal(2, cluster.GetProperty("live").GetInt32());
                foreach (var name in new[] { nameA, nameB })
                {
                    var node = NodeOf(cluster, name);
                    Assert.Equal(("live", "running", name == self), (node.GetProperty("status").GetString(), node.GetProperty("state").GetString(), node.GetProperty("this").GetBoolean()));
                    Assert.Equal(Environment.ProcessId, node.GetProperty("pid").GetInt64());
                }
            }

            // A campaign started through A: slow enough to be watched while it dials.
            using var created = await clientA.PostAsJsonAsync("/api/campaigns", new
            {
                name = "cluster view",
                dialTemplate = "Local/{national}@pstn",
                callingHours = "00:00-24:00",
                ringTimeoutSeconds = 15,
                callsPerSecond = 2,
                maxConcurrentCalls = 4,
                maxAttempts = 1,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            var csv = "phone\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"+1415813{7000 + i}\n"));
            await ImportsApiTests.UploadAsync(clientA, id, System.Text.Encoding.UTF8.GetBytes(csv), "leads.csv", HttpStatusCode.OK);
            using (var start = await clientA.PostAsync(new Uri($"/api/campaigns/{id}/start", UriKind.Relative), null))
            {
                Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            }

            // Whichever node took the lease dials it; the other is asked.
            var holderCluster = await UntilAsync(() => ClusterAsync(clientB),
                c => c.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("campaigns").EnumerateArray().Any(x => x.GetProperty("id").GetInt64() == id)),
                "a node holds the campaign");
            var holder = holderCluster.GetProperty("nodes").EnumerateArray()
                .Single(n => n.GetProperty("campaigns").EnumerateArray().Any(x => x.GetProperty("id").GetInt64() == id)).GetProperty("name").GetString()!;
            var (dialing, other) = holder == nameA ? (clientA, clientB) : (clientB, clientA);

            // On the node that does not dial: who does, and calls active (the store's, where its own engine has none).
            var status = await UntilAsync(() => other.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status"),
                s => s.GetProperty("activeCalls").GetInt32() > 0, "active calls on the node that does not dial");
            Assert.Equal((holder, "live", false), (status.GetProperty("dialedBy").GetString(), status.GetProperty("dialedByStatus").GetString(), status.GetProperty("dialedHere").GetBoolean()));
            Assert.Equal("running", status.GetProperty("state").GetString());
            Assert.InRange(status.GetProperty("activeCalls").GetInt32(), 1, 4);
            Assert.True((await dialing.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status")).GetProperty("dialedHere").GetBoolean());
            var line = (await other.GetFromJsonAsync<JsonElement>("/api/campaigns/live")).GetProperty("campaigns").EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == id);
            Assert.Equal(holder, line.GetProperty("dialedBy").GetString());

            // The holder's open calls are listed under it, per server, on both nodes.
            var calls = await UntilAsync(() => ClusterAsync(other), c => NodeOf(c, holder).GetProperty("openCallsTotal").GetInt64() > 0, "the holder's open calls");
            Assert.Equal("simulator", NodeOf(calls, holder).GetProperty("openCalls")[0].GetProperty("server").GetString());

            // The pages say the same: the campaign page and the dashboard of the node that does not dial.
            var (otherHost, dialingHost) = holder == nameA ? (b, a) : (a, b);
            var (page, _) = await otherHost.LoggedInAsync();
            Assert.Contains($"dialed by {holder} (live)", WebUtility.HtmlDecode(await page.GetStringAsync(new Uri($"/campaigns/{id}", UriKind.Relative))), StringComparison.Ordinal);
            Assert.Contains($"{holder} (live)", WebUtility.HtmlDecode(await page.GetStringAsync(new Uri("/", UriKind.Relative))), StringComparison.Ordinal);
            var clusterPage = WebUtility.HtmlDecode(await page.GetStringAsync(new Uri("/cluster", UriKind.Relative)));
            Assert.Contains("<a href=\"/cluster\">Cluster</a>", clusterPage, StringComparison.Ordinal);
            Assert.Contains($"data-node=\"{holder}\" data-status=\"live\"", clusterPage, StringComparison.Ordinal);
            Assert.Contains("cluster view</a> (running)", clusterPage, StringComparison.Ordinal);

            // The dialing node stops gracefully: the other shows it stopped and takes the campaign over.
            hosts.Remove(dialingHost);
            await dialingHost.DisposeAsync();

            var after = await ClusterAsync(other);
            Assert.Equal(("stopped", "stopped"), (NodeOf(after, holder).GetProperty("status").GetString(), NodeOf(after, holder).GetProperty("state").GetString()));
            var taken = await UntilAsync(() => other.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status"),
                s => s.GetProperty("dialedHere").GetBoolean(), "the other node dials the campaign");
            Assert.NotEqual(holder, taken.GetProperty("dialedBy").GetString());
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }
}
