using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;

namespace AmiDialer.Core.Tests.Pacing;

public sealed class CampaignEtaTests
{
    [Fact]
    public void A_running_campaign_needs_its_remaining_leads_at_the_measured_rate()
    {
        Assert.Equal(TimeSpan.FromMinutes(10), CampaignEta.Estimate(CampaignState.Running, 600, 60));
        Assert.Equal(TimeSpan.FromHours(2), CampaignEta.Estimate(CampaignState.Running, 4_800, 40));
    }

    [Fact]
    public void A_partial_second_rounds_up_so_a_lead_left_never_reads_zero()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), CampaignEta.Estimate(CampaignState.Running, 1, 120));
        Assert.Equal(TimeSpan.FromSeconds(23), CampaignEta.Estimate(CampaignState.Running, 3, 8)); // 22.5 s
    }

    [Fact]
    public void No_rate_yet_gives_no_estimate()
    {
        Assert.Null(CampaignEta.Estimate(CampaignState.Running, 500, 0));
    }

    [Theory]
    [InlineData(CampaignState.Draft)]
    [InlineData(CampaignState.Scheduled)]
    [InlineData(CampaignState.Paused)]
    [InlineData(CampaignState.Completed)]
    [InlineData(CampaignState.Stopped)]
    public void A_campaign_that_is_not_running_has_no_estimate_whatever_its_last_rate(CampaignState state)
    {
        // A paused campaign's last minute still holds calls: its rate says nothing of when it will end.
        Assert.Null(CampaignEta.Estimate(state, 500, 30));
    }

    [Fact]
    public void A_running_campaign_with_nothing_left_needs_no_time()
    {
        Assert.Equal(TimeSpan.Zero, CampaignEta.Estimate(CampaignState.Running, 0, 0));
    }

    [Theory]
    [InlineData(null, "—")]
    [InlineData(0, "under 1 min")]
    [InlineData(59, "under 1 min")]
    [InlineData(60, "about 1 min")]
    [InlineData(90, "about 2 min")]
    [InlineData(3_569, "about 59 min")]
    [InlineData(3_600, "about 1 h 00 min")]
    [InlineData(11_100, "about 3 h 05 min")]
    public void Describe_reads_as_a_person_would_say_it(int? seconds, string expected)
    {
        Assert.Equal(expected, CampaignEta.Describe(seconds is { } s ? TimeSpan.FromSeconds(s) : null));
    }
}
