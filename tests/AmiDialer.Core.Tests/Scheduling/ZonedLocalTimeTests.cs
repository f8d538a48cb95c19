using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Tests.Scheduling;

public sealed class ZonedLocalTimeTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Theory]
    [InlineData("2026-12-01T09:00", "2026-12-01T14:00:00Z")] // winter: -05:00
    [InlineData("2026-07-01T09:00", "2026-07-01T13:00:00Z")] // summer: -04:00
    [InlineData("2026-07-01T09:00:30", "2026-07-01T13:00:30Z")]
    [InlineData(" 2026-07-01 09:00 ", "2026-07-01T13:00:00Z")]
    [InlineData("2026-07-01T09:00:00+02:00", "2026-07-01T07:00:00Z")] // its own offset wins
    public void Wall_time_is_read_in_the_zone(string text, string utc)
    {
        Assert.True(ZonedLocalTime.TryParse(text, NewYork, out var instant, out var problem), problem);
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), instant);
    }

    [Fact]
    public void A_skipped_time_is_refused_naming_the_zone_and_why()
    {
        Assert.False(ZonedLocalTime.TryParse("2027-03-14T02:30", NewYork, out _, out var problem));
        Assert.Equal("2027-03-14 02:30 does not exist in America/New_York: the clocks skip it (daylight saving); choose a time after the change", problem);
    }

    [Fact]
    public void A_repeated_time_is_its_first_pass()
    {
        Assert.True(ZonedLocalTime.TryParse("2026-11-01T01:30", NewYork, out var instant, out _));
        Assert.Equal(TimeSpan.FromHours(-4), instant.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero), instant);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2026-13-01T09:00")]
    [InlineData("2026-12-01")]
    public void Other_text_is_refused_with_an_example(string text)
    {
        Assert.False(ZonedLocalTime.TryParse(text, NewYork, out _, out var problem));
        Assert.EndsWith("is not a date and time such as 2026-12-01T09:00", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Written_back_in_the_zone_with_seconds_only_when_there_are_some()
    {
        Assert.Equal("2026-12-01T09:00", ZonedLocalTime.Format(new DateTimeOffset(2026, 12, 1, 14, 0, 0, TimeSpan.Zero), NewYork));
        Assert.Equal("2026-07-01T09:00:30", ZonedLocalTime.Format(new DateTimeOffset(2026, 7, 1, 13, 0, 30, TimeSpan.Zero), NewYork));
    }
}
