using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>
/// The nodes table on both stores: a node's row and beats, its liveness judged at the store's clock (real time here:
/// on PostgreSQL the database server's clock decides, which no fake reaches), what each node holds by lease and its
/// open calls per server, and who dials a campaign.
/// </summary>
public sealed class NodeRepositoryTests(PostgresFixture postgres) : StoreTests(postgres)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static NodeRegistration Node(string name, TimeSpan interval, LeaseIdentity? process = null) =>
        new(name, "host-" + name, process ?? new LeaseIdentity("another-host/" + name, 4000, 1), "1.2.3+abc", interval);

    [Theory, SqliteStore, PostgresStore]
    public async Task Nodes_are_live_draining_or_stopped_as_they_write_and_a_dead_process_on_this_host_is_gone_at_once(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var nodes = new NodeRepository(db.Database, TimeProvider.System);
        await nodes.RegisterAsync(Node("a", Hour));
        await nodes.RegisterAsync(Node("b", Hour));
        await nodes.RegisterAsync(Node("c", Hour));
        // This host, this pid, another start time: a reused pid, so the node's own process is gone.
        await nodes.RegisterAsync(Node("d", Hour, new LeaseIdentity(LeaseIdentity.Current.Host, LeaseIdentity.Current.Pid, LeaseIdentity.Current.Start + 1)));
        await nodes.RegisterAsync(Node("e", Hour, LeaseIdentity.Current));
        Assert.True(await nodes.BeatAsync("a", NodeStates.Running));
        Assert.True(await nodes.BeatAsync("b", NodeStates.Draining));
        Assert.True(await nodes.BeatAsync("c", NodeStates.Stopped));
        Assert.False(await nodes.BeatAsync("nobody", NodeStates.Running));

        var cluster = await nodes.ReadClusterAsync();
        var byName = cluster.Nodes.ToDictionary(n => n.Name);
        Assert.Equal(
            ["a live running", "b live draining", "c stopped stopped", "d gone running", "e live running"],
            byName.Values.OrderBy(n => n.Name).Select(n => $"{n.Name} {NodeLiveness.Name(n.Status)} {n.State}"));
        Assert.Equal(2, byName["a"].Heartbeat);
        Assert.Null(byName["a"].StoppedAt);
        Assert.NotNull(byName["c"].StoppedAt);
        Assert.Equal(("host-a", 4000L, "1.2.3+abc"), (byName["a"].Host, byName["a"].Pid, byName["a"].Version));
        Assert.InRange(byName["a"].Age, TimeSpan.Zero, TimeSpan.FromMinutes(5));

        // Registering again (a restart with the same name) is running again, stopped_at cleared.
        await nodes.RegisterAsync(Node("c", Hour));
        Assert.Equal(NodeStatus.Live, (await nodes.ReadClusterAsync()).Nodes.Single(n => n.Name == "c").Status);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_node_on_another_host_whose_beats_stop_turns_gone_by_the_store_clock(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var nodes = new NodeRepository(db.Database, TimeProvider.System);
        await nodes.RegisterAsync(Node("silent", TimeSpan.FromMilliseconds(100)));
        await nodes.RegisterAsync(Node("steady", Hour));

        // Four missed 100 ms beats: gone well within the bound however loaded the machine is; the hourly one stays live.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        ClusterSnapshot cluster;
        do
        {
            await Task.Delay(100);
            cluster = await nodes.ReadClusterAsync();
        }
        while (cluster.Nodes.Single(n => n.Name == "silent").Status != NodeStatus.Gone && DateTime.UtcNow < deadline);

        var silent = cluster.Nodes.Single(n => n.Name == "silent");
        Assert.Equal(NodeStatus.Gone, silent.Status);
        Assert.True(silent.Age > TimeSpan.FromMilliseconds(400), silent.Age.ToString());
        Assert.Equal(NodeStatus.Live, cluster.Nodes.Single(n => n.Name == "steady").Status);

        // A beat brings it back.
        Assert.True(await nodes.BeatAsync("silent", NodeStates.Running));
        var back = (await nodes.ReadClusterAsync()).Nodes.Single(n => n.Name == "silent");
        Assert.True(back.Status is NodeStatus.Live or NodeStatus.Late, back.ToString());
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task The_cluster_says_which_node_holds_which_campaign_and_its_open_calls_per_server(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var nodes = new NodeRepository(db.Database, TimeProvider.System);
        await nodes.RegisterAsync(Node("a", Hour));
        await nodes.RegisterAsync(Node("b", Hour));
        var spring = await db.CreateCampaignWithLeadsAsync(6);
        var autumn = await db.CreateCampaignAsync("autumn");
        Assert.True((await db.Leases.TryAcquireAsync(LeaseKeys.Campaign(spring.Id), "a", Hour)).Acquired);
        Assert.True((await db.Leases.TryAcquireAsync(LeaseKeys.ClickToCall("b"), "b", Hour)).Acquired);
        Assert.True((await db.Leases.TryAcquireAsync(LeaseKeys.Campaign(autumn.Id), "old-process", Hour)).Acquired);

        // Open attempts: three on pbx1 and one on pbx2 under a's campaign lease, one under b's click-to-call lease,
        // one under a lease nobody holds (waiting for adoption); an ended one counts for nobody.
        var rows = new (string Server, string State, string Key)[]
        {
            ("pbx1", "dialing", LeaseKeys.Campaign(spring.Id)), ("pbx1", "live", LeaseKeys.Campaign(spring.Id)), ("pbx1", "live", LeaseKeys.Campaign(spring.Id)),
            ("pbx2", "live", LeaseKeys.Campaign(spring.Id)), ("pbx2", "live", LeaseKeys.ClickToCall("b")), ("pbx1", "live", "c2c:gone-node"),
        };
        await using (var connection = await db.Database.OpenConnectionAsync())
        {
            var leads = (await Dapper.SqlMapper.QueryAsync<long>(connection, $"SELECT id FROM leads WHERE campaign_id = {spring.Id} ORDER BY id")).ToList();
            // Literals: the values are the test's own, and one statement text reads the same on both engines.
            const string Columns = "INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated, lease_key) VALUES ";
            for (var i = 0; i < rows.Length; i++)
            {
                await Dapper.SqlMapper.ExecuteAsync(connection, Columns + $"({leads[i]}, {spring.Id}, 'a{i}', 'a{i}', '{rows[i].Server}', '{rows[i].State}', '2026-12-07T12:00:00.0000000Z', FALSE, '{rows[i].Key}')");
            }

            await Dapper.SqlMapper.ExecuteAsync(connection, Columns + $"({leads[5]}, {spring.Id}, 'done', 'done', 'pbx1', 'ended', '2026-12-07T12:00:00.0000000Z', FALSE, '{LeaseKeys.Campaign(spring.Id)}')");
        }

        var cluster = await nodes.ReadClusterAsync();
        Assert.Equal(["a pbx1 3", "a pbx2 1", "b pbx2 1", " pbx1 1"], cluster.Calls.OrderBy(c => c.Owner.Length == 0).ThenBy(c => c.Owner).ThenBy(c => c.Server).Select(c => $"{c.Owner} {c.Server} {c.Calls}"));
        // The cluster's open calls per server, whoever holds them: the same from the snapshot and from the slots' own read.
        Assert.Equal(["pbx1 4", "pbx2 2"], cluster.OpenByServer.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));
        Assert.Equal(cluster.OpenByServer.OrderBy(c => c.Key), (await ServerSlots.OpenByServerAsync(db.Database)).OrderBy(c => c.Key));
        var held = cluster.Leases.Single(l => l.CampaignId == spring.Id);
        Assert.Equal(("a", "test", "draft"), (held.Owner, held.Campaign, held.CampaignState));
        Assert.Null(cluster.Leases.Single(l => l.Owner == "b").CampaignId);

        Assert.Equal("a", cluster.DialerOf(spring.Id)?.Owner);
        Assert.Equal("a", cluster.DialerOf(spring.Id)?.Node?.Name);
        Assert.Null(cluster.DialerOf(autumn.Id)?.Node);

        var dialer = await nodes.GetDialerAsync(spring.Id);
        Assert.Equal(("a", NodeStatus.Live), (dialer?.Owner, dialer?.Node?.Status));
        var unlisted = await nodes.GetDialerAsync(autumn.Id);
        Assert.Equal("old-process", unlisted?.Owner);
        Assert.Null(unlisted?.Node);
        Assert.Null(await nodes.GetDialerAsync(spring.Id + 1000));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Each_node_s_ami_servers_are_read_back_and_only_nodes_that_may_still_dial_are_compared(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var nodes = new NodeRepository(db.Database, TimeProvider.System);
        await nodes.RegisterAsync(Node("a", Hour) with { Servers = [new(0, "pbx1", "10.0.0.5", 5038, 40), new(1, "pbx2", "pbx2.example", 5039, 30)] });
        await nodes.RegisterAsync(Node("b", Hour) with { Servers = [new(0, "pbx1", "10.0.0.5", 5038, 60)] });
        await nodes.RegisterAsync(Node("c", Hour) with { Servers = [new(0, "pbx1", "10.0.0.5", 5038, 10)] });
        Assert.True(await nodes.BeatAsync("c", NodeStates.Stopped));
        await nodes.RegisterAsync(Node("d", Hour));
        // A row as a version before step 12 wrote it: no servers known, never "none".
        await using (var connection = await db.Database.OpenConnectionAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE nodes SET ami_servers = NULL WHERE name = 'd'");
        }

        foreach (var read in new[] { (await nodes.ReadClusterAsync()).Nodes, await nodes.ReadNodesAsync() })
        {
            var byName = read.ToDictionary(n => n.Name);
            Assert.Equal([new(0, "pbx1", "10.0.0.5", 5038, 40), new Core.Cluster.ServerDescription(1, "pbx2", "pbx2.example", 5039, 30)], byName["a"].Servers!);
            Assert.Equal(60, Assert.Single(byName["b"].Servers!).MaxConcurrentCalls);
            Assert.Null(byName["d"].Servers);
            Assert.Equal((NodeStatus.Stopped, false, true), (byName["c"].Status, byName["c"].Counts, byName["b"].Counts));

            // The stopped node's 10 counts for nothing: a and b are compared, the smallest of theirs holds.
            var described = ClusterSnapshot.NodeServersOf(read);
            Assert.Equal(["a", "b"], described.Select(n => n.Node).Order());
            Assert.Equal("Ami:Servers:0:MaxConcurrentCalls 40 on node a, 60 on node b", Assert.Single(Core.Cluster.ServerAgreement.Disagreements(described)).Found);
            Assert.Equal(40, Core.Cluster.ServerAgreement.SmallestCaps(described)["pbx1"]);
        }

        // A restart with new settings rewrites them.
        await nodes.RegisterAsync(Node("b", Hour) with { Servers = [new(0, "pbx1", "10.0.0.5", 5038, 40)] });
        Assert.Empty(Core.Cluster.ServerAgreement.Disagreements(ClusterSnapshot.NodeServersOf(await nodes.ReadNodesAsync())));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_registering_node_deletes_rows_silent_for_a_day_and_stopped_ones_after_an_hour(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var nodes = new NodeRepository(db.Database, TimeProvider.System);
        foreach (var name in new[] { "crashed-yesterday", "crashed-2h", "stopped-2h", "stopped-now" })
        {
            await nodes.RegisterAsync(Node(name, Hour));
        }

        Assert.True(await nodes.BeatAsync("stopped-2h", NodeStates.Stopped));
        Assert.True(await nodes.BeatAsync("stopped-now", NodeStates.Stopped));
        await using (var connection = await db.Database.OpenConnectionAsync())
        {
            // Literal instants (ISO with Z) read the same on both engines; the store clock is the real one on both here.
            string Ago(TimeSpan age) => (DateTimeOffset.UtcNow - age).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            await Dapper.SqlMapper.ExecuteAsync(connection, $"UPDATE nodes SET heartbeat_at = '{Ago(TimeSpan.FromHours(25))}' WHERE name = 'crashed-yesterday'");
            await Dapper.SqlMapper.ExecuteAsync(connection, $"UPDATE nodes SET heartbeat_at = '{Ago(TimeSpan.FromHours(2))}' WHERE name IN ('crashed-2h', 'stopped-2h')");
        }

        await nodes.RegisterAsync(Node("newcomer", Hour));
        Assert.Equal(["crashed-2h", "newcomer", "stopped-now"], (await nodes.ReadClusterAsync()).Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Liveness_is_late_after_two_missed_beats_gone_after_four_and_stopped_wins()
    {
        var beat = TimeSpan.FromSeconds(10);
        Assert.Equal(NodeStatus.Live, NodeLiveness.Of(NodeStates.Running, TimeSpan.FromSeconds(20), beat, running: null));
        Assert.Equal(NodeStatus.Late, NodeLiveness.Of(NodeStates.Running, TimeSpan.FromSeconds(21), beat, running: null));
        Assert.Equal(NodeStatus.Late, NodeLiveness.Of(NodeStates.Draining, TimeSpan.FromSeconds(40), beat, running: true));
        Assert.Equal(NodeStatus.Gone, NodeLiveness.Of(NodeStates.Running, TimeSpan.FromSeconds(41), beat, running: null));
        Assert.Equal(NodeStatus.Gone, NodeLiveness.Of(NodeStates.Running, TimeSpan.Zero, beat, running: false));
        Assert.Equal(NodeStatus.Stopped, NodeLiveness.Of(NodeStates.Stopped, TimeSpan.FromDays(3), beat, running: false));
    }
}
