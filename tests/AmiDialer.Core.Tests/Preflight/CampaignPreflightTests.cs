using AmiDialer.Core.Model;
using AmiDialer.Core.Preflight;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Tests.Preflight;

public sealed class CampaignPreflightTests
{
    private const string NewYork = "America/New_York";
    private const string LosAngeles = "America/Los_Angeles";

    // 12:30 in New York, 09:30 in Los Angeles: both inside 08:00-21:00.
    private static readonly DateTimeOffset Noon = Utc("2026-06-10T16:30:00");

    // 06:30 in New York, 03:30 in Los Angeles: both closed; New York opens first (12:00Z), Los Angeles at 15:00Z.
    private static readonly DateTimeOffset Dawn = Utc("2026-06-10T10:30:00");

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Campaign Campaign(string retry = "", int maxAttempts = 3, int concurrency = 10, double cps = 2, string? windows = null) => new()
    {
        Name = "c",
        TimeZoneId = NewYork,
        CallingHours = new DailyWindow(TimeSpan.FromHours(8), TimeSpan.FromHours(21)),
        RetryPolicy = retry,
        MaxAttempts = maxAttempts,
        MaxConcurrentCalls = concurrency,
        CallsPerSecond = cps,
        RingTimeout = TimeSpan.FromSeconds(30),
        Windows = windows is null ? [] : ScheduleText.ParseWindows(windows),
    };

    private static readonly PreflightServer[] OneServer = [new("pbx1", 50, 0, true)];

    private static CampaignPreflight Of(Campaign c, DateTimeOffset now, Dictionary<LeadState, long> states, PreflightLeadGroup[] groups, PreflightHistory? history = null, PreflightServer[]? servers = null) =>
        CampaignPreflight.Of(c, now, states, groups, history ?? PreflightHistory.None, servers ?? OneServer);

    private static long Sum(CampaignPreflight p) =>
        p.DialableNow + p.BlockedByDoNotCall + p.OutsideCallingHours + p.OutsideCampaignSchedule + p.DueLater + p.WillExpire + p.InProgress + p.Exhausted + p.AlreadyFinal;

    [Fact]
    public void Every_lead_lands_in_exactly_one_count_and_do_not_call_numbers_count_as_blocked_before_the_dialer_reaches_them()
    {
        var states = new Dictionary<LeadState, long>
        {
            [LeadState.Pending] = 90, [LeadState.WaitingRetry] = 10, [LeadState.InProgress] = 2, [LeadState.Done] = 40,
            [LeadState.Expired] = 1, [LeadState.Exhausted] = 3, [LeadState.Blocked] = 4,
        };
        PreflightLeadGroup[] groups =
        [
            new(LeadState.Pending, [NewYork], Due: true, Count: 60, OnDoNotCall: 5, FirstDueAt: Dawn.AddHours(-5)),
            new(LeadState.Pending, [LosAngeles], Due: true, Count: 30, OnDoNotCall: 0, FirstDueAt: Dawn.AddHours(-5)),
            new(LeadState.WaitingRetry, [NewYork], Due: false, Count: 10, OnDoNotCall: 1, FirstDueAt: Noon.AddMinutes(20)),
        ];

        var p = Of(Campaign(), Noon, states, groups);

        Assert.Equal(150, p.Leads);
        Assert.Equal(55 + 30, p.DialableNow);
        Assert.Equal(5 + 1 + 4, p.BlockedByDoNotCall);
        Assert.Equal(9, p.DueLater);
        Assert.Equal(Noon.AddMinutes(20), p.FirstDueLaterAt);
        Assert.Equal(0, p.OutsideCallingHours);
        Assert.Equal((2, 3, 41), (p.InProgress, p.Exhausted, p.AlreadyFinal));
        Assert.Equal(p.Leads, Sum(p));
    }

    [Fact]
    public void Before_the_callees_hours_open_their_leads_are_outside_calling_hours_with_the_first_opening()
    {
        var states = new Dictionary<LeadState, long> { [LeadState.Pending] = 50 };
        PreflightLeadGroup[] groups =
        [
            new(LeadState.Pending, [LosAngeles], true, 20, 0, Dawn.AddHours(-1)),
            new(LeadState.Pending, [NewYork], true, 30, 0, Dawn.AddHours(-1)),
        ];

        var p = Of(Campaign(), Dawn, states, groups);

        Assert.Equal(0, p.DialableNow);
        Assert.Equal(50, p.OutsideCallingHours);
        Assert.Equal(Utc("2026-06-10T12:00:00"), p.CallingHoursOpenAt); // 08:00 in New York
        Assert.Equal(p.Leads, Sum(p));
    }

    [Fact]
    public void The_campaigns_own_windows_are_told_apart_from_the_callees_hours()
    {
        var states = new Dictionary<LeadState, long> { [LeadState.Pending] = 10 };
        var p = Of(Campaign(windows: "14:00-16:00"), Noon, states, [new(LeadState.Pending, [NewYork], true, 10, 0, Noon)]);

        Assert.Equal(10, p.OutsideCampaignSchedule);
        Assert.Equal(0, p.OutsideCallingHours);
        Assert.Equal(Utc("2026-06-10T18:00:00"), p.CampaignScheduleOpensAt); // 14:00 in New York
    }

    [Theory]
    [InlineData("", 3, 1)]
    [InlineData("", 10, 1)]
    [InlineData("busy=5m:3,no-answer=1h:2", 3, 3)]
    [InlineData("busy=5m:3,no-answer=1h:2", 10, 6)]
    [InlineData("busy=5m:1", 3, 2)]
    public void The_most_calls_a_lead_can_take_is_one_without_a_retry_rule_whatever_max_attempts_says(string retry, int maxAttempts, int expected) =>
        Assert.Equal(expected, CampaignPreflight.MaxAttempts(Campaign(retry, maxAttempts)));

    [Fact]
    public void With_no_calls_yet_the_time_needed_assumes_ring_timeout_plus_talk_and_the_slower_of_lines_and_calls_per_second()
    {
        var states = new Dictionary<LeadState, long> { [LeadState.Pending] = 100 };
        var p = Of(Campaign(concurrency: 10, cps: 2), Noon, states, [new(LeadState.Pending, [NewYork], true, 100, 0, Noon)]);

        // 10 lines ÷ (30 s ring + 30 s talk) = 1/6 call a second, below the 2 a second allowed: 100 calls take 600 s.
        Assert.Equal(60, p.LineSecondsPerCall);
        Assert.Equal(1.0 / 6, p.CallsPerSecond, 6);
        Assert.Equal(1, p.AttemptsPerLead);
        Assert.Equal(TimeSpan.FromSeconds(600), p.Duration);
        Assert.Equal(p.Duration, p.DurationAtMost);
        Assert.StartsWith("its concurrency: 10 lines ÷ 60 s a call", p.RateBasis, StringComparison.Ordinal);
        Assert.Equal("no retry rule: each number is called once", p.AttemptsBasis);
    }

    [Fact]
    public void Once_it_has_calls_its_measured_attempts_and_line_time_are_used_and_calls_per_second_can_be_the_limit()
    {
        var states = new Dictionary<LeadState, long> { [LeadState.Pending] = 100, [LeadState.Done] = 50 };
        var history = new PreflightHistory(FinishedLeads: 50, FinishedLeadAttempts: 75, EndedAttempts: 80, AverageLineSeconds: 4);

        var p = Of(Campaign("busy=5m:3", maxAttempts: 4, concurrency: 10, cps: 0.5), Noon, states, [new(LeadState.Pending, [NewYork], true, 100, 0, Noon)], history);

        // 10 lines ÷ 4 s = 2.5 calls a second, but at most 0.5: 100 leads × 1.5 calls ÷ 0.5 = 300 s; at most 4 calls each: 800 s.
        Assert.Equal(1.5, p.AttemptsPerLead);
        Assert.Equal(0.5, p.CallsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(300), p.Duration);
        Assert.Equal(TimeSpan.FromSeconds(800), p.DurationAtMost);
        Assert.StartsWith("measured: 1.5 calls per finished lead over 50 leads", p.AttemptsBasis, StringComparison.Ordinal);
        Assert.StartsWith("its calls per second: 0.5", p.RateBasis, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_capacity_counts_free_slots_of_connected_servers_against_the_campaigns_concurrency()
    {
        var states = new Dictionary<LeadState, long> { [LeadState.Pending] = 1 };
        PreflightLeadGroup[] one = [new(LeadState.Pending, [NewYork], true, 1, 0, Noon)];

        var enough = Of(Campaign(concurrency: 10), Noon, states, one, servers: [new("pbx1", 50, 35, true), new("pbx2", 30, 0, false)]);
        Assert.True(enough.CapacityCovers);
        Assert.Equal((50, 15), (enough.ServerCapacity, enough.ServerFree));
        Assert.Equal("enough: 15 free call slots on server pbx1 for its 10 lines", enough.CapacityVerdict);

        var shortOf = Of(Campaign(concurrency: 20), Noon, states, one, servers: [new("pbx1", 50, 35, true), new("pbx2", 30, 0, false)]);
        Assert.False(shortOf.CapacityCovers);
        Assert.Equal("short: 15 free call slots on server pbx1 for its 20 lines: at most 15 calls at once", shortOf.CapacityVerdict);

        var down = Of(Campaign(), Noon, states, one, servers: [new("pbx1", 50, 0, false)]);
        Assert.False(down.CapacityCovers);
        Assert.Equal("no AMI server is connected (pbx1)", down.CapacityVerdict);

        var configured = Of(Campaign(), Noon, states, one, servers: [new("pbx1", 50, 0, null)]);
        Assert.EndsWith("(as configured; not connected from here)", configured.CapacityVerdict, StringComparison.Ordinal);
        Assert.Equal("pbx1 0 of 50 in use", configured.ServerUse);
    }

    [Fact]
    public void Free_slots_are_the_cap_in_force_less_every_node_s_calls_with_this_node_s_share_beside()
    {
        var states = new Dictionary<LeadState, long> { [LeadState.Pending] = 1 };
        PreflightLeadGroup[] one = [new(LeadState.Pending, [NewYork], true, 1, 0, Noon)];

        // 12 calls open over the cluster on pbx1, 5 of them this node's; pbx2 is down here.
        var p = Of(Campaign(concurrency: 30), Noon, states, one, servers: [new("pbx1", 40, 12, true) { ThisNodeCalls = 5 }, new("pbx2", 30, 4, false) { ThisNodeCalls = 0 }]);

        Assert.Equal((40, 28, false), (p.ServerCapacity, p.ServerFree, p.CapacityCovers));
        Assert.Equal("short: 28 free call slots on server pbx1 for its 30 lines: at most 28 calls at once", p.CapacityVerdict);
        Assert.Equal("pbx1 12 of 40 in use, 5 by this node; pbx2 4 of 30 in use, 0 by this node (not connected)", p.ServerUse);
    }
}
