using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Tests.Scheduling;

public sealed class DialingScheduleTests
{
    private const string NewYork = "America/New_York";
    private const string LosAngeles = "America/Los_Angeles";
    private static readonly DailyWindow Default = new(TimeSpan.FromHours(8), TimeSpan.FromHours(21));

    private static DialingSchedule Schedule(
        string zone = NewYork,
        DailyWindow? hours = null,
        string? days = null,
        string? windows = null,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        bool noCallingHours = false) =>
        new(TimeZoneInfo.FindSystemTimeZoneById(zone), start, end,
            days is null ? [] : ScheduleText.ParseDays(days),
            windows is null ? [] : ScheduleText.ParseWindows(windows),
            noCallingHours ? null : hours ?? Default);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Inside_the_hours_the_answer_is_now()
    {
        var now = Utc("2026-06-10T15:00:00"); // 11:00 New York
        Assert.Equal(now, Schedule().NextEligibleAt(now, [NewYork]));
        Assert.True(Schedule().IsOpen(now, [NewYork]));
    }

    [Fact]
    public void Calling_hours_are_read_by_the_callees_clock_not_the_campaigns()
    {
        var now = Utc("2026-06-10T14:00:00"); // 10:00 New York, 07:00 Los Angeles
        Assert.Equal(Utc("2026-06-10T15:00:00"), Schedule().NextEligibleAt(now, [LosAngeles])); // 08:00 PDT
        Assert.False(Schedule().IsOpen(now, [LosAngeles]));
    }

    [Fact]
    public void After_the_hours_the_next_morning()
    {
        var now = Utc("2026-06-11T01:30:00"); // 21:30 New York
        Assert.Equal(Utc("2026-06-11T12:00:00"), Schedule().NextEligibleAt(now, [NewYork])); // 08:00 EDT
    }

    [Fact]
    public void The_end_of_the_hours_is_exclusive()
    {
        Assert.False(Schedule().IsOpen(Utc("2026-06-11T01:00:00"), [NewYork])); // 21:00 EDT exactly
        Assert.True(Schedule().IsOpen(Utc("2026-06-11T00:59:59"), [NewYork]));
    }

    [Fact]
    public void A_number_with_several_zones_is_called_only_when_every_zone_is_inside()
    {
        // 08:00 Los Angeles = 11:00 New York; 21:00 New York = 18:00 Los Angeles: together 11:00-21:00 Eastern.
        string[] both = [NewYork, LosAngeles];
        Assert.Equal(Utc("2026-06-10T15:00:00"), Schedule().NextEligibleAt(Utc("2026-06-10T13:00:00"), both));
        Assert.Equal(Utc("2026-06-11T15:00:00"), Schedule().NextEligibleAt(Utc("2026-06-11T01:00:00"), both));
        Assert.True(Schedule().IsOpen(Utc("2026-06-11T00:59:00"), both));
    }

    [Fact]
    public async Task Zones_that_never_share_calling_hours_give_null()
    {
        // 08:00-10:00 in New York is the middle of the night in Tokyo, all year round. The search is bounded: it ends
        // (a generous guard against an endless one, not a measure of speed).
        var hours = new DailyWindow(TimeSpan.FromHours(8), TimeSpan.FromHours(10));
        var next = await Task.Run(() => Schedule(hours: hours).NextEligibleAt(Utc("2026-06-10T12:00:00"), [NewYork, "Asia/Tokyo"]))
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Null(next);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Etc/Unknown")]
    [InlineData("Not/A_Zone")]
    public void Unknown_zone_falls_back_to_the_campaigns_zone(string zoneList)
    {
        var zones = zoneList.Split('|', StringSplitOptions.RemoveEmptyEntries);
        var schedule = Schedule(zone: "Europe/Paris");
        var now = Utc("2026-06-10T05:00:00"); // 07:00 Paris
        Assert.Equal(Utc("2026-06-10T06:00:00"), schedule.NextEligibleAt(now, zones));
        Assert.Equal(["Europe/Paris"], schedule.CalleeZones(zones).Select(z => z.Id));
    }

    [Fact]
    public void A_known_zone_beside_an_unknown_one_adds_the_campaign_zone()
    {
        var zones = Schedule().CalleeZones([LosAngeles, "Etc/Unknown", LosAngeles]);
        Assert.Equal([LosAngeles, NewYork], zones.Select(z => z.Id));
    }

    [Fact]
    public void Spring_forward_day_opens_at_eight_local_which_is_one_hour_earlier_in_utc()
    {
        // 2026-03-08: New York jumps from 02:00 EST to 03:00 EDT.
        Assert.Equal(Utc("2026-03-08T12:00:00"), Schedule().NextEligibleAt(Utc("2026-03-08T05:00:00"), [NewYork])); // 08:00 EDT
        Assert.Equal(Utc("2026-03-07T13:00:00"), Schedule().NextEligibleAt(Utc("2026-03-07T05:00:00"), [NewYork])); // 08:00 EST
    }

    [Fact]
    public void A_window_starting_inside_the_spring_forward_gap_opens_when_the_clock_lands_in_it()
    {
        // 02:30 does not exist on 2026-03-08 in New York; the clock goes 01:59:59 EST -> 03:00 EDT (07:00Z), inside 02:30-04:00.
        var hours = new DailyWindow(new TimeSpan(2, 30, 0), TimeSpan.FromHours(4));
        Assert.Equal(Utc("2026-03-08T07:00:00"), Schedule(hours: hours).NextEligibleAt(Utc("2026-03-08T05:00:00"), [NewYork]));
        Assert.False(Schedule(hours: hours).IsOpen(Utc("2026-03-08T06:59:59"), [NewYork]));
    }

    [Fact]
    public void A_window_entirely_inside_the_gap_is_skipped_that_day()
    {
        var hours = new DailyWindow(new TimeSpan(2, 0, 0), new TimeSpan(2, 30, 0));
        Assert.Equal(Utc("2026-03-09T06:00:00"), Schedule(hours: hours).NextEligibleAt(Utc("2026-03-08T05:00:00"), [NewYork])); // 02:00 EDT next day
    }

    [Fact]
    public void Fall_back_repeats_an_hour_and_both_passes_are_open()
    {
        // 2026-11-01: New York goes from 02:00 EDT back to 01:00 EST. 01:00-01:30 happens at 05:00Z and again at 06:00Z.
        var hours = new DailyWindow(TimeSpan.FromHours(1), new TimeSpan(1, 30, 0));
        var schedule = Schedule(hours: hours);
        Assert.Equal(Utc("2026-11-01T05:00:00"), schedule.NextEligibleAt(Utc("2026-11-01T04:00:00"), [NewYork]));
        Assert.Equal(Utc("2026-11-01T06:00:00"), schedule.NextEligibleAt(Utc("2026-11-01T05:45:00"), [NewYork])); // 01:45 EDT -> 01:00 EST
        Assert.Equal(Utc("2026-11-02T06:00:00"), schedule.NextEligibleAt(Utc("2026-11-01T06:30:00"), [NewYork]));
    }

    [Fact]
    public void Fall_back_day_opens_at_eight_local_which_is_one_hour_later_in_utc()
    {
        Assert.Equal(Utc("2026-11-01T13:00:00"), Schedule().NextEligibleAt(Utc("2026-11-01T02:00:00"), [NewYork])); // 08:00 EST
        Assert.Equal(Utc("2026-10-31T12:00:00"), Schedule().NextEligibleAt(Utc("2026-10-31T02:00:00"), [NewYork])); // 08:00 EDT
    }

    [Fact]
    public void Zones_changing_on_different_dates_are_each_read_by_their_own_clock()
    {
        // Between 2026-03-08 (US change) and 2026-03-29 (EU change) London is 4 h ahead of New York instead of 5.
        string[] both = [NewYork, "Europe/London"];
        // New York opens 08:00 EDT = 12:00Z; London closes 21:00 GMT = 21:00Z -> open 12:00Z.
        Assert.Equal(Utc("2026-03-16T12:00:00"), Schedule().NextEligibleAt(Utc("2026-03-16T10:00:00"), both));
        Assert.False(Schedule().IsOpen(Utc("2026-03-16T21:00:00"), both));
        Assert.True(Schedule().IsOpen(Utc("2026-03-16T20:59:00"), both));
    }

    [Fact]
    public void Half_hour_offsets_are_honoured()
    {
        var now = Utc("2026-06-10T02:00:00"); // 07:30 in Kolkata (UTC+5:30)
        Assert.Equal(Utc("2026-06-10T02:30:00"), Schedule().NextEligibleAt(now, ["Asia/Kolkata"]));
    }

    [Fact]
    public void Any_time_hours_never_close()
    {
        var anyTime = ScheduleText.ParseWindow("00:00-24:00");
        var now = Utc("2026-06-10T07:13:00"); // 03:13 New York
        Assert.Equal(now, Schedule(hours: anyTime).NextEligibleAt(now, [NewYork]));
        Assert.Equal(now, Schedule(noCallingHours: true).NextEligibleAt(now, [NewYork]));
    }

    [Fact]
    public void Campaign_days_and_windows_are_read_in_the_campaigns_zone()
    {
        // Friday 2026-06-12 17:30 Paris (15:30Z): next is Monday 09:00 Paris (07:00Z); callee in Paris too.
        var schedule = Schedule(zone: "Europe/Paris", days: "Mon-Fri", windows: "09:00-12:00,13:00-17:00");
        Assert.Equal(Utc("2026-06-15T07:00:00"), schedule.NextEligibleAt(Utc("2026-06-12T15:30:00"), ["Europe/Paris"]));
        // Lunch break: 12:15 Paris -> 13:00 Paris.
        Assert.Equal(Utc("2026-06-12T11:00:00"), schedule.NextEligibleAt(Utc("2026-06-12T10:15:00"), ["Europe/Paris"]));
    }

    [Fact]
    public void Campaign_window_and_callee_hours_must_overlap()
    {
        // Campaign dials 09:00-17:00 New York; callee in Los Angeles may be called from 08:00 PT = 11:00 ET.
        var schedule = Schedule(windows: "09:00-17:00");
        Assert.Equal(Utc("2026-06-10T15:00:00"), schedule.NextEligibleAt(Utc("2026-06-10T13:00:00"), [LosAngeles]));
        // 17:00 ET closes the campaign although Los Angeles is still at 14:00: next day 11:00 ET.
        Assert.Equal(Utc("2026-06-11T15:00:00"), schedule.NextEligibleAt(Utc("2026-06-10T21:00:00"), [LosAngeles]));
    }

    [Fact]
    public void Start_and_end_bound_the_answer()
    {
        var start = Utc("2026-06-20T04:00:00"); // midnight in New York
        var end = Utc("2026-06-20T18:00:00");
        var schedule = Schedule(start: start, end: end);
        Assert.Equal(Utc("2026-06-20T12:00:00"), schedule.NextEligibleAt(Utc("2026-06-10T15:00:00"), [NewYork])); // waits for the start
        Assert.Equal(Utc("2026-06-20T17:59:00"), schedule.NextEligibleAt(Utc("2026-06-20T17:59:00"), [NewYork]));
        Assert.Null(schedule.NextEligibleAt(Utc("2026-06-20T18:00:00"), [NewYork])); // end is exclusive
        Assert.Null(schedule.NextEligibleAt(Utc("2026-06-20T02:00:00"), [LosAngeles, "Asia/Tokyo"]));
    }

    [Fact]
    public void Ends_before_the_next_opening_gives_null()
    {
        var schedule = Schedule(end: Utc("2026-06-11T11:00:00")); // 07:00 EDT, before the hours open
        Assert.Null(schedule.NextEligibleAt(Utc("2026-06-11T01:30:00"), [NewYork]));
    }

    [Fact]
    public void For_reads_the_campaign_record()
    {
        var campaign = new Campaign { Name = "c", TimeZoneId = "Europe/Paris", Days = [DayOfWeek.Monday], Windows = [ScheduleText.ParseWindow("10:00-11:00")] };
        var schedule = DialingSchedule.For(campaign);
        Assert.Equal(Utc("2026-06-15T08:00:00"), schedule.NextEligibleAt(Utc("2026-06-10T12:00:00"), []));
    }

    /// <summary>
    /// Checks the answer against a minute-by-minute walk for many starting points around both daylight-saving changes,
    /// for several zone mixes: the answer is open by the written-out definition, and no earlier minute is.
    /// </summary>
    [Theory]
    [InlineData("2026-03-06T00:00:00")]
    [InlineData("2026-03-27T12:00:00")]
    [InlineData("2026-10-23T00:00:00")]
    [InlineData("2026-10-31T00:00:00")]
    [InlineData("2026-04-01T00:00:00")] // Lord Howe's half-hour change
    public void Agrees_with_a_minute_by_minute_walk_around_dst_changes(string around)
    {
        string[][] zoneSets = [[NewYork], [LosAngeles, NewYork], ["Europe/London", NewYork], ["Australia/Lord_Howe"], ["Asia/Kolkata", "Europe/Paris"]];
        (string Zone, string? Days, string? Windows, DailyWindow Hours)[] rules =
        [
            (NewYork, null, null, Default),
            (NewYork, null, null, new DailyWindow(new TimeSpan(1, 15, 0), new TimeSpan(3, 30, 0))),
            ("Europe/Paris", "Mon-Fri,Sun", "00:30-02:30,09:00-12:00", Default),
            ("Australia/Lord_Howe", "Sat", "01:00-03:00", new DailyWindow(new TimeSpan(1, 45, 0), new TimeSpan(2, 15, 0))),
        ];
        var random = new Random(around.GetHashCode(StringComparison.Ordinal));
        var origin = Utc(around);
        for (var i = 0; i < 25; i++)
        {
            var rule = rules[random.Next(rules.Length)];
            var zones = zoneSets[random.Next(zoneSets.Length)];
            var now = origin.AddMinutes(random.Next(0, 6 * 24 * 60));
            var schedule = Schedule(rule.Zone, rule.Hours, rule.Days, rule.Windows);
            var answer = schedule.NextEligibleAt(now, zones);
            var expected = WalkMinutes(rule, now, zones, TimeSpan.FromDays(9));
            if (answer is { } a && a - now > TimeSpan.FromDays(9))
            {
                Assert.Null(expected);
                continue;
            }

            Assert.True(expected == answer, $"now={now:O} rule={rule} zones={string.Join('+', zones)}: expected {expected:O}, got {answer:O}");
        }
    }

    private static DateTimeOffset? WalkMinutes((string Zone, string? Days, string? Windows, DailyWindow Hours) rule, DateTimeOffset from, string[] zones, TimeSpan span)
    {
        for (var t = from; t < from + span; t = t.AddMinutes(1))
        {
            if (IsOpenByDefinition(rule, t, zones))
            {
                return t;
            }
        }

        return null;
    }

    // The rule written out independently of the code under test: each zone's wall clock at the instant.
    private static bool IsOpenByDefinition((string Zone, string? Days, string? Windows, DailyWindow Hours) rule, DateTimeOffset t, string[] zones)
    {
        var campaignClock = TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById(rule.Zone));
        if (rule.Days is not null && !ParsedDays(rule.Days).Contains(campaignClock.DayOfWeek))
        {
            return false;
        }

        if (rule.Windows is not null && !ParsedWindows(rule.Windows).Any(w => Inside(w, campaignClock.TimeOfDay)))
        {
            return false;
        }

        return zones.All(z => Inside(rule.Hours, TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById(z)).TimeOfDay));
    }

    private static readonly Dictionary<string, IReadOnlyList<DailyWindow>> WindowCache = [];
    private static readonly Dictionary<string, IReadOnlyList<DayOfWeek>> DayCache = [];

    private static IReadOnlyList<DayOfWeek> ParsedDays(string text)
    {
        lock (DayCache)
        {
            return DayCache.TryGetValue(text, out var d) ? d : DayCache[text] = ScheduleText.ParseDays(text);
        }
    }

    private static IReadOnlyList<DailyWindow> ParsedWindows(string text)
    {
        lock (WindowCache)
        {
            return WindowCache.TryGetValue(text, out var w) ? w : WindowCache[text] = ScheduleText.ParseWindows(text);
        }
    }

    private static bool Inside(DailyWindow w, TimeSpan time) => time >= w.Start && time < w.End;
}
