using AmiDialer.Core.Model;
using AmiDialer.Core.Validation;

namespace AmiDialer.Core.Tests.Validation;

public sealed class CampaignValidatorTests
{
    private static readonly Campaign Good = new()
    {
        Name = "Reminders",
        TimeZoneId = "Europe/Paris",
        DialTemplate = "PJSIP/{number}@trunk",
        Destination = new("agents", "100", 1),
        OnAnswerRedirect = new("ivr", "s", 1),
        CallerId = "\"Campaign 7\" <5551234>",
        RingTimeout = TimeSpan.FromSeconds(30),
        Variables = [new("CAMPAIGN", "7", null), new("CUSTOMER", null, "name")],
        MaxConcurrentCalls = 20,
        CallsPerSecond = 2.5,
        StartAt = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero),
        EndAt = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero),
        Days = [DayOfWeek.Monday, DayOfWeek.Friday],
        Windows = [new(TimeSpan.FromHours(9), TimeSpan.FromHours(12))],
        CallingHours = new(TimeSpan.Zero, TimeSpan.FromHours(24)),
        RetryPolicy = "busy=5m:3,no-answer=1h:2",
        MaxAttempts = 5,
    };

    private static readonly string[] Allowed = ["agents", "ivr", "outbound"];

    [Fact]
    public void A_good_campaign_and_the_defaults_pass()
    {
        Assert.Empty(CampaignValidator.Validate(Good, Allowed, ["name", "phone"]));
        Assert.Empty(CampaignValidator.Validate(new Campaign { Name = "defaults" }));
    }

    public static TheoryData<string, Campaign, string> BadCampaigns => new()
    {
        { "Name", Good with { Name = " " }, "must not be empty" },
        { "Name", Good with { Name = "a\nb" }, "control characters" },
        { "TimeZoneId", Good with { TimeZoneId = "Mars/Olympus" }, "not a known IANA time zone" },
        { "TimeZoneId", Good with { TimeZoneId = "" }, "must not be empty" },
        { "DialTemplate", Good with { DialTemplate = "PJSIP/{nationl}@trunk" }, "unknown placeholder '{nationl}'" },
        { "DialTemplate", Good with { DialTemplate = "PJSIP/{number}@trunk&PJSIP/999" }, "'&'" },
        { "DialTemplate", Good with { DialTemplate = "PJSIP/{number}@trunk,30,U(x)" }, "','" },
        { "Destination", Good with { Destination = new("agents", "100", 0) }, "priority must be 1 or more" },
        { "Destination", Good with { Destination = new("age nts", "100", 1) }, "context 'age nts'" },
        { "OnAnswerRedirect", Good with { OnAnswerRedirect = new("default", "s", 1) }, "not in the allowed contexts" },
        { "CallerId", Good with { CallerId = "\"Sales\" <555-1234>" }, "digits" },
        { "RingTimeout", Good with { RingTimeout = TimeSpan.FromSeconds(10) }, "at least 15 s (was 10 s)" },
        { "RingTimeout", Good with { RingTimeout = TimeSpan.FromHours(1) }, "at most 10 min" },
        { "Variables[0].Name", Good with { Variables = [new("CDR(userfield)", "x", null)] }, "no dialplan function" },
        { "Variables[1].Name", Good with { Variables = [new("A", "1", null), new("a", "2", null)] }, "set twice" },
        { "Variables[0]", Good with { Variables = [new("A", "1", "name")] }, "not both or neither" },
        { "Variables[0]", Good with { Variables = [new("A", null, null)] }, "not both or neither" },
        { "Variables[0].Value", Good with { Variables = [new("A", "x\r\nAction: Command", null)] }, "CR" },
        { "Variables[1].Field", Good with { Variables = [new("A", "1", null), new("B", null, "email")] }, "no field 'email'" },
        { "MaxConcurrentCalls", Good with { MaxConcurrentCalls = 0 }, "from 1 to" },
        { "CallsPerSecond", Good with { CallsPerSecond = 0 }, "more than 0" },
        { "CallsPerSecond", Good with { CallsPerSecond = double.NaN }, "more than 0" },
        { "EndAt", Good with { EndAt = Good.StartAt }, "must be after StartAt" },
        { "Days[1]", Good with { Days = [DayOfWeek.Monday, (DayOfWeek)9] }, "not a day of the week" },
        { "Windows[0]", Good with { Windows = [new(TimeSpan.FromHours(22), TimeSpan.FromHours(6))] }, "overnight" },
        { "Windows[0]", Good with { Windows = [new(TimeSpan.FromHours(9), TimeSpan.FromHours(25))] }, "within 00:00-24:00" },
        { "CallingHours", Good with { CallingHours = new(TimeSpan.FromHours(9), TimeSpan.FromHours(9)) }, "must end after it starts" },
        { "CallingHours", Good with { CallingHours = new(TimeSpan.FromSeconds(30), TimeSpan.FromHours(9)) }, "whole minutes" },
        { "RetryPolicy", Good with { RetryPolicy = "busy=5m:3,bussy=1h:1" }, "entry 2 'bussy=1h:1': unknown outcome" },
        { "MaxAttempts", Good with { MaxAttempts = 0 }, "from 1 to 100 (was 0)" },
    };

    [Theory]
    [MemberData(nameof(BadCampaigns))]
    public void Each_bad_field_is_named(string field, Campaign campaign, string message)
    {
        var error = Assert.Single(CampaignValidator.Validate(campaign, Allowed, ["name", "phone"]));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(field + ": ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once()
    {
        var errors = CampaignValidator.Validate(Good with { RingTimeout = TimeSpan.FromSeconds(5), MaxAttempts = 0, TimeZoneId = "Nowhere" });
        Assert.Equal(["TimeZoneId", "RingTimeout", "MaxAttempts"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Without_allowed_contexts_only_the_shape_of_the_redirect_is_checked()
    {
        Assert.Empty(CampaignValidator.Validate(Good with { OnAnswerRedirect = new("default", "s", 1) }));
        Assert.Single(CampaignValidator.Validate(Good with { OnAnswerRedirect = new("default", "s", -1) }));
    }

    [Fact]
    public void Ring_timeout_of_exactly_15_seconds_is_fine() =>
        Assert.Empty(CampaignValidator.Validate(Good with { RingTimeout = TimeSpan.FromSeconds(15) }));
}
