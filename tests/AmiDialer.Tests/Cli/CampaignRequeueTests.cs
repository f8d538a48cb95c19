using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Cli;

/// <summary><c>campaign requeue NAME --simulated</c>, and a real <c>run</c> refusing a campaign the simulator dialed.</summary>
public sealed class CampaignRequeueTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task A_simulated_campaign_is_refused_for_real_until_requeued_which_keeps_its_attempts()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "trial", "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--cps", "20", "--max-concurrent", "20")).Code);
        Assert.Equal(0, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "trial")).Code);
        var simulated = await cli.Db("run", "--campaign", "trial", "--simulate", "--time-scale", "50");
        Assert.True(simulated.Code == AmiDialerCli.Success, simulated.ToString());
        Assert.Contains("(simulated)", (await cli.Db("campaign", "show", "trial")).Output, StringComparison.Ordinal);

        // A real run says why it will not dial, before any connection to a PBX (none listens on this one).
        var config = cli.File("real.json", """{"Ami":{"Servers":[{"Name":"pbx1","Host":"127.0.0.1","Port":9,"Username":"amidialer","Secret":"x"}]}}""");
        var real = await cli.Db("run", "--campaign", "trial", "--config", config);
        Assert.True(real.Code == AmiDialerCli.Failure, real.ToString());
        Assert.Contains("dialed by the simulator", real.Error + real.Output, StringComparison.Ordinal);
        Assert.Contains("amidialer campaign requeue trial --simulated", real.Error + real.Output, StringComparison.Ordinal);

        // The verb needs to be told what to requeue.
        var bare = await cli.Db("campaign", "requeue", "trial");
        Assert.True(bare.Code == AmiDialerCli.Usage, bare.ToString());
        Assert.Contains("--simulated", bare.Error, StringComparison.Ordinal);

        var requeue = await cli.Db("campaign", "requeue", "trial", "--simulated");
        Assert.True(requeue.Code == AmiDialerCli.Success, requeue.ToString());
        Assert.Contains("20 lead(s)", requeue.Output, StringComparison.Ordinal);
        Assert.Contains("It is paused", requeue.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("(simulated)", (await cli.Db("campaign", "show", "trial")).Output, StringComparison.Ordinal);

        using var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "trial", "--format", "json")).Output);
        Assert.Equal(20, doc.RootElement.GetProperty("attempts").GetInt64());
        Assert.Equal(20, doc.RootElement.GetProperty("dialable").GetInt64());
        Assert.False(doc.RootElement.GetProperty("simulated").GetBoolean());

        // Nothing left to requeue the second time.
        var twice = await cli.Db("campaign", "requeue", "trial", "--simulated");
        Assert.True(twice.Code == AmiDialerCli.Success, twice.ToString());
        Assert.Contains("nothing to requeue", twice.Output, StringComparison.Ordinal);
    }
}
