using AmiDialer.Engine.Live;
using AmiDialer.Engine.Tests.Dialing;
using Xunit;

namespace AmiDialer.Engine.Tests.Servers;

/// <summary>
/// A server configured with <c>Ledger: true</c> is checked with LedgerProbe at each login: without the ledger dialplan
/// (the simulator started without it) nothing is dialed through it and its campaigns say why; said once per login.
/// </summary>
public sealed class LedgerAtLoginTests
{
    private const string Missing = "[4811]";
    private const string Checked = "[4810]";

    [Fact]
    public async Task A_ledger_server_without_the_dialplan_is_not_dialed_its_campaign_waits_saying_why_and_each_login_says_it_once()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 50, ledger: false);
        var campaign = await h.CreateCampaignAsync("ledgerless");
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(5));
        var engine = await h.StartEngineAsync(h.Options("a", ledger: true));
        using var stop = new CancellationTokenSource();
        var run = engine.RunCampaignAsync(campaign.Id, stop.Token);

        await PacingTests.WaitUntil(() => Message(engine, campaign.Id)?.StartsWith("waiting for server sim: ledger dialplan not installed", StringComparison.Ordinal) == true);
        Assert.Equal(DialerStatus.Waiting, engine.GetSnapshot().Campaigns.Single(c => c.CampaignId == campaign.Id).Status);
        Assert.Contains("amidialer pbx install-ledger", Message(engine, campaign.Id), StringComparison.Ordinal);
        var server = engine.GetSnapshot().Servers.Single();
        Assert.True(server.Connected);
        Assert.StartsWith("ledger dialplan not installed", server.NotDialedBecause, StringComparison.Ordinal);
        Assert.Single(h.Logs.Lines, l => l.Contains(Missing, StringComparison.Ordinal));

        // Another login: checked again, said again, still nothing dialed.
        h.Simulator.CloseAllConnections();
        await PacingTests.WaitUntil(() => h.Logs.Lines.Count(l => l.Contains(Missing, StringComparison.Ordinal)) == 2);
        await Task.Delay(300);
        Assert.Equal(2, h.Logs.Lines.Count(l => l.Contains(Missing, StringComparison.Ordinal)));
        Assert.Empty(h.Originates());
        Assert.Equal(2, h.Simulator.ActionsNamed("ShowDialPlan").Count(a => a["Context"] == "amidialer-dial"));

        await stop.CancelAsync();
        Assert.NotEqual(CampaignRunEnd.Finished, (await run.WaitAsync(TimeSpan.FromSeconds(30))).End);
        Assert.Empty(h.Originates());
    }

    [Fact]
    public async Task A_ledger_server_with_the_dialplan_is_checked_at_login_and_dialed_through_it()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 50, ledger: true);
        var campaign = await h.CreateCampaignAsync("ledgered");
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(5));
        var engine = await h.StartEngineAsync(h.Options("a", ledger: true));

        var result = await engine.RunCampaignAsync(campaign.Id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        Assert.Equal(5, h.Originates().Count);
        Assert.All(h.Simulator.ActionsNamed("Originate"), o => Assert.EndsWith("@amidialer-dial/n", o["Channel"], StringComparison.Ordinal));
        Assert.Single(h.Logs.Lines, l => l.Contains(Checked, StringComparison.Ordinal) && l.Contains("ledger dialplan version 1 installed", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains(Missing, StringComparison.Ordinal));
        // The check ran before the first call went out.
        var firstProbe = h.Simulator.ActionsNamed("ShowDialPlan").Min(a => a.ReceivedAt);
        Assert.True(h.Simulator.ActionsNamed("Originate").All(o => o.ReceivedAt >= firstProbe));
    }

    [Fact]
    public async Task A_server_without_ledger_configured_is_not_probed()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 50);
        var campaign = await h.CreateCampaignAsync("plain");
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(3));
        var engine = await h.StartEngineAsync(h.Options("a"));

        Assert.Equal(CampaignRunEnd.Finished, (await engine.RunCampaignAsync(campaign.Id).WaitAsync(TimeSpan.FromSeconds(60))).End);
        Assert.Empty(h.Simulator.ActionsNamed("ShowDialPlan"));
    }

    private static string? Message(DialerEngine engine, long campaignId) =>
        engine.GetSnapshot().Campaigns.SingleOrDefault(c => c.CampaignId == campaignId)?.Message;
}
