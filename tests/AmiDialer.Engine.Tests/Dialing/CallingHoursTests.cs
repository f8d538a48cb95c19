using AmiDialer.Core.Model;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Engine.Tests.Dialing;

public sealed class CallingHoursTests
{
    [Fact]
    public async Task Calling_hours_are_checked_at_dial_time_in_every_zone_of_the_callee_across_a_DST_change()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        // 2027-03-14 is the day US clocks go forward. 13:30Z is 09:30 EDT in New York (08:30 if DST were ignored)
        // and 06:30 PDT in Los Angeles. Hours 09:00-17:00 in the callee's own zone.
        var now = new DateTimeOffset(2027, 3, 14, 13, 30, 0, TimeSpan.Zero);
        var campaign = await h.CreateCampaignAsync("dst", c => c with
        {
            CallingHours = new DailyWindow(TimeSpan.FromHours(9), TimeSpan.FromHours(17)),
            EndAt = now.AddHours(1),
        });
        const string NewYork = "+12122000000";
        const string LosAngeles = "+14152000000";
        const string BothZones = "+12122000010";
        const string Blocked = "+12122000020";
        await h.ImportAsync(campaign.Id, [NewYork, LosAngeles, BothZones, Blocked]);
        await SetZonesAsync(h, campaign.Id, BothZones, """["America/New_York","America/Los_Angeles"]""");
        // Added to the do-not-call list after the import: the dialer must check again at the moment of dialing.
        await h.Dnc.AddAsync(Blocked, null, Data.Repositories.DncSource.Manual, "test");

        var engine = await h.StartEngineAsync(h.Options("dst"), new ShiftedTimeProvider(now));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);

        var opensInLosAngeles = new DateTimeOffset(2027, 3, 14, 16, 0, 0, TimeSpan.Zero); // 09:00 PDT
        Assert.Equal(CampaignRunEnd.Finished, result.End);
        Assert.Equal(opensInLosAngeles, result.NextDueAt);
        Assert.Contains("16:00:00", result.Message, StringComparison.Ordinal);
        Assert.Equal([NewYork[1..]], h.Originates().Select(o => o.Number));

        Assert.Equal(LeadState.Done, (await h.Leads.GetByPhoneAsync(campaign.Id, NewYork))!.State);
        Assert.Equal(LeadState.Blocked, (await h.Leads.GetByPhoneAsync(campaign.Id, Blocked))!.State);
        // Neither could become due before the campaign's end, so they expired with it.
        Assert.Equal(LeadState.Expired, (await h.Leads.GetByPhoneAsync(campaign.Id, LosAngeles))!.State);
        Assert.Equal(LeadState.Expired, (await h.Leads.GetByPhoneAsync(campaign.Id, BothZones))!.State);
    }

    [Fact]
    public async Task A_lead_whose_hours_open_later_is_moved_to_that_instant_not_dialed()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        var now = new DateTimeOffset(2027, 3, 14, 13, 30, 0, TimeSpan.Zero);
        var campaign = await h.CreateCampaignAsync("later", c => c with { CallingHours = new DailyWindow(TimeSpan.FromHours(9), TimeSpan.FromHours(17)) });
        const string BothZones = "+12122000010";
        await h.ImportAsync(campaign.Id, [BothZones]);
        await SetZonesAsync(h, campaign.Id, BothZones, """["America/New_York","America/Los_Angeles"]""");
        var engine = await h.StartEngineAsync(h.Options("later"), new ShiftedTimeProvider(now));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);

        // No end: the lead can still become due, so the run waited until cancelled (Ctrl-C) and paused.
        Assert.Equal(CampaignRunEnd.Paused, result.End);
        var lead = (await h.Leads.GetByPhoneAsync(campaign.Id, BothZones))!;
        Assert.Equal(LeadState.Pending, lead.State);
        Assert.Equal(new DateTimeOffset(2027, 3, 14, 16, 0, 0, TimeSpan.Zero), lead.NextEligibleAt);
        Assert.Empty(h.Originates());
    }

    private static async Task SetZonesAsync(EngineHarness h, long campaignId, string phone, string zonesJson)
    {
        await using var connection = new SqliteConnection($"Data Source={h.DbPath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE leads SET time_zones = $zones WHERE campaign_id = $c AND phone = $p";
        command.Parameters.AddWithValue("$zones", zonesJson);
        command.Parameters.AddWithValue("$c", campaignId);
        command.Parameters.AddWithValue("$p", phone);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
