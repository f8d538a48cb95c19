using AmiDialer.Core.Doctor;
using AmiDialer.Core.Model;
using AmiDialer.Testing;
using Xunit;

namespace AmiDialer.Core.Tests.Doctor;

public sealed class DoctorRulesTests
{
    [Fact]
    public void The_channel_types_Asterisk_listed_in_k3_are_read_by_name()
    {
        var raw = File.ReadAllText(RepoPaths.Capture("k3-dialplan-and-privileges.dialer.raw"));
        var message = raw.Split("\r\n\r\n").Single(m => m.Contains("ActionID: command-channeltypes", StringComparison.Ordinal));
        var output = message.Split("\r\n").Where(l => l.StartsWith("Output: ", StringComparison.Ordinal)).Select(l => l["Output: ".Length..]);

        var types = ChannelTypes.Parse(output);

        Assert.Equal(10, types.Count);
        Assert.Contains("Local", types);
        Assert.Contains("local", types);
        Assert.DoesNotContain("PJSIP", types);
    }

    [Theory]
    [InlineData("PJSIP/{number}@trunk", "PJSIP")]
    [InlineData("Local/{number}@outbound", "Local")]
    [InlineData("PJSIP/1??", "PJSIP")]
    [InlineData("SIP/*", "SIP")]
    [InlineData("*/1??", null)]
    [InlineData("nothing", null)]
    [InlineData("/x", null)]
    public void The_technology_is_what_comes_before_the_slash(string dial, string? expected) =>
        Assert.Equal(expected, ChannelTypes.TechnologyOf(dial));

    [Theory]
    [InlineData("1733535123.456789", 1733535123456L)]
    [InlineData("1733535123", 1733535123000L)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("soon", null)]
    public void Ping_s_Timestamp_is_seconds_since_the_epoch(string? text, long? expectedMs) =>
        Assert.Equal(expectedMs, ClockSkew.ParseTimestamp(text)?.ToUnixTimeMilliseconds());

    [Fact]
    public void Skew_is_taken_against_the_middle_of_the_round_trip_and_over_2_s_is_too_large()
    {
        var sent = DateTimeOffset.Parse("2026-12-07T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var received = sent.AddMilliseconds(200);

        Assert.Equal(TimeSpan.FromMilliseconds(-100), ClockSkew.Skew(sent, sent, received));
        Assert.False(ClockSkew.IsTooLarge(ClockSkew.Skew(sent.AddSeconds(2.1), sent, received)));
        Assert.True(ClockSkew.IsTooLarge(ClockSkew.Skew(sent.AddSeconds(2.2), sent, received)));
        Assert.True(ClockSkew.IsTooLarge(ClockSkew.Skew(sent.AddSeconds(-3), sent, received)));
    }

    [Fact]
    public void Needs_come_from_campaigns_that_may_still_dial_grouped_by_place()
    {
        Campaign Make(string name, CampaignState state, string dial = "PJSIP/{number}@trunk", bool simulated = false) => new()
        {
            Name = name, State = state, DialTemplate = dial, Destination = new DialplanTarget("agents", "100", 1), IsSimulated = simulated,
        };

        var needs = DoctorNeeds.From(
            [
                Make("a", CampaignState.Running) with { OnAnswerRedirect = new DialplanTarget("ivr", "s", 1) },
                Make("b", CampaignState.Draft, "Local/{number}@pstn/n"),
                Make("done", CampaignState.Completed, "Local/{number}@gone"),
                Make("stopped", CampaignState.Stopped, "Local/{number}@gone"),
                Make("sim", CampaignState.Running, "Local/{number}@simonly", simulated: true),
                Make("click-to-call", CampaignState.Running, "Local/{number}@c2conly"),
            ],
            clickToCallContext: "outbound",
            clickToCallAgents: ["PJSIP/1??", "Local/1??@agentphone"],
            allowedContexts: ["agents", "ivr"]);

        var agents = needs.Places.Single(p => p.Place == new DialplanPlace("agents", "100", 1));
        Assert.Equal(["campaign 'a' destination", "campaign 'b' destination"], agents.UsedBy);
        Assert.True(agents.Blocking);
        Assert.Equal(CheckLevel.Fail, agents.IfMissing);

        var pstn = needs.Places.Single(p => p.Place.Context == "pstn");
        Assert.Null(pstn.Place.Extension);
        Assert.True(pstn.Blocking);
        Assert.DoesNotContain(needs.Places, p => p.Place.Context is "gone" or "simonly" or "c2conly");

        Assert.Equal((CheckLevel.Fail, false), needs.Places.Where(p => p.Place == new DialplanPlace("outbound")).Select(p => (p.IfMissing, p.Blocking)).Single());
        Assert.Equal((CheckLevel.Warn, false), needs.Places.Where(p => p.Place == new DialplanPlace("ivr")).Select(p => (p.IfMissing, p.Blocking)).Single());
        Assert.True(needs.Places.Single(p => p.Place == new DialplanPlace("ivr", "s", 1)).Blocking);

        Assert.Equal(["Local", "PJSIP"], needs.Technologies.Select(t => t.Technology).Order());
        Assert.Equal(["campaign 'a'", "click-to-call agents (PJSIP/1??)"], needs.Technologies.Single(t => t.Technology == "PJSIP").UsedBy);
    }

    [Fact]
    public void A_simulated_campaign_counts_only_when_the_simulator_is_what_is_checked()
    {
        var sim = new Campaign { Name = "sim", State = CampaignState.Running, DialTemplate = "Local/{number}@simonly", IsSimulated = true };

        Assert.Empty(DoctorNeeds.From([sim]).Places);
        Assert.Equal(["agents,100,1", "simonly"], DoctorNeeds.From([sim], simulated: true).Places.Select(p => p.Place.ToString()));
    }

    [Theory]
    [InlineData("Local/{number}@outbound", "outbound")]
    [InlineData("Local/{e164}@pstn/n", "pstn")]
    [InlineData("local/{number}@pstn", "pstn")]
    [InlineData("PJSIP/{number}@trunk", null)]
    [InlineData("Local/{number}", null)]
    public void The_context_of_a_Local_dial_string(string template, string? expected) =>
        Assert.Equal(expected, DoctorNeeds.LocalContextOf(template));
}
