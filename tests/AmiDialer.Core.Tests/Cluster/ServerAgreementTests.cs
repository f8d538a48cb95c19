using AmiDialer.Core.Cluster;
using Xunit;

namespace AmiDialer.Core.Tests.Cluster;

public sealed class ServerAgreementTests
{
    private static ServerDescription Pbx1(int cap = 40, string host = "10.0.0.5", int port = 5038, int index = 0, string name = "pbx1") => new(index, name, host, port, cap);

    [Fact]
    public void Nodes_that_describe_every_server_alike_agree_and_claim_with_their_own_cap()
    {
        NodeServers[] nodes =
        [
            new("a", [Pbx1(), new(1, "pbx2", "10.0.0.6", 5038, 30)]),
            // Another index and another case in the host name: still the same server.
            new("b", [new(0, "pbx2", "10.0.0.6", 5038, 30), Pbx1(host: "10.0.0.5", index: 1)]),
            // A node that dials only some of the servers is not a disagreement.
            new("c", [Pbx1()]),
        ];

        Assert.Empty(ServerAgreement.Disagreements(nodes));
        Assert.Equal(40, ServerAgreement.CapFor("pbx1", 40, ServerAgreement.SmallestCaps(nodes)));
    }

    [Fact]
    public void Two_caps_for_one_server_name_the_key_and_the_nodes_and_the_smallest_holds()
    {
        NodeServers[] nodes = [new("a", [Pbx1(40)]), new("b", [Pbx1(60)]), new("c", [Pbx1(60)])];

        var found = Assert.Single(ServerAgreement.Disagreements(nodes));

        Assert.Equal(("pbx1", "MaxConcurrentCalls"), (found.Server, found.Setting));
        Assert.Equal(["a", "b", "c"], found.Nodes);
        Assert.Equal("Ami:Servers:0:MaxConcurrentCalls 40 on node a, 60 on nodes b and c", found.Found);
        Assert.Equal("AMI server pbx1 is described differently: Ami:Servers:0:MaxConcurrentCalls 40 on node a, 60 on nodes b and c; "
            + "until they agree every node claims with the smallest, 40.", found.Message);
        var smallest = ServerAgreement.SmallestCaps(nodes);
        Assert.Equal((40, 40, 25), (ServerAgreement.CapFor("pbx1", 60, smallest), ServerAgreement.CapFor("pbx1", 40, smallest), ServerAgreement.CapFor("pbx1", 25, smallest)));
        Assert.Equal(10, ServerAgreement.CapFor("pbx9", 10, smallest));
    }

    [Fact]
    public void Each_node_s_own_key_is_named_when_the_server_sits_at_another_index()
    {
        NodeServers[] nodes = [new("a", [Pbx1(40)]), new("b", [new(0, "pbx0", "10.0.0.9", 5038, 5), Pbx1(60, index: 1)])];

        Assert.Equal("Ami:Servers:0:MaxConcurrentCalls 40 on node a, Ami:Servers:1:MaxConcurrentCalls 60 on node b",
            Assert.Single(ServerAgreement.Disagreements(nodes)).Found);
    }

    [Fact]
    public void One_name_for_two_addresses_and_two_names_for_one_address_are_both_said()
    {
        NodeServers[] twoAsterisks = [new("a", [Pbx1()]), new("b", [Pbx1(host: "10.0.0.7", port: 5039)])];
        var found = ServerAgreement.Disagreements(twoAsterisks);
        Assert.Equal(["Host", "Port"], found.Select(f => f.Setting));
        Assert.Equal("Ami:Servers:0:Host 10.0.0.5 on node a, 10.0.0.7 on node b", found[0].Found);
        Assert.Equal("Ami:Servers:0:Port 5038 on node a, 5039 on node b", found[1].Found);
        Assert.Contains("share one count of calls", found[0].Meanwhile, StringComparison.Ordinal);

        NodeServers[] twoNames = [new("a", [Pbx1()]), new("b", [Pbx1(name: "pbx-one")])];
        var renamed = Assert.Single(ServerAgreement.Disagreements(twoNames));
        Assert.Equal(("10.0.0.5:5038", "Name"), (renamed.Server, renamed.Setting));
        Assert.Equal("Ami:Servers:0:Name pbx1 on node a, pbx-one on node b", renamed.Found);
    }
}
