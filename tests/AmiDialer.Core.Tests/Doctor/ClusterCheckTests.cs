using AmiDialer.Core.Cluster;
using AmiDialer.Core.Doctor;
using Xunit;

namespace AmiDialer.Core.Tests.Doctor;

public sealed class ClusterCheckTests
{
    private static NodeServers Node(string name, ServerDescription server) => new(name, [server]);

    [Fact]
    public void A_server_no_other_node_describes_gets_no_check_and_one_described_alike_is_ok()
    {
        Assert.Empty(ClusterCheck.For("pbx1", [Node("me", new(0, "pbx1", "h", 5038, 40))], "me"));

        var ok = Assert.Single(ClusterCheck.For("pbx1", [Node("me", new(0, "pbx1", "h", 5038, 40)), Node("b", new(0, "pbx1", "H", 5038, 40))], "me"));
        Assert.Equal((ClusterCheck.Name, CheckLevel.Ok, "described alike by the other live node (b)"), (ok.Check, ok.Level, ok.Detail));
    }

    [Fact]
    public void Two_caps_warn_naming_key_nodes_and_the_cap_that_holds_and_a_renamed_asterisk_warns_on_this_node_s_name()
    {
        var cap = Assert.Single(ClusterCheck.For("pbx1", [Node("me", new(0, "pbx1", "h", 5038, 40)), Node("b", new(0, "pbx1", "h", 5038, 60))], "me"));
        Assert.Equal(CheckLevel.Warn, cap.Level);
        Assert.Equal("Ami:Servers:0:MaxConcurrentCalls 40 on node me, 60 on node b; until they agree every node claims with the smallest, 40", cap.Detail);
        Assert.Equal("give pbx1 the same Ami:Servers:n:MaxConcurrentCalls on every node", cap.Fix);
        Assert.False(cap.Blocking);

        var renamed = Assert.Single(ClusterCheck.For("pbx1", [Node("me", new(0, "pbx1", "h", 5038, 40)), Node("b", new(1, "pbx-one", "h", 5038, 40))], "me"));
        Assert.Equal("Ami:Servers:0:Name pbx1 on node me, Ami:Servers:1:Name pbx-one on node b; one Asterisk counted as two servers: neither name's MaxConcurrentCalls holds for its calls together", renamed.Detail);
        Assert.Equal("give the Asterisk at h:5038 one Ami:Servers:n:Name on every node", renamed.Fix);
    }
}
