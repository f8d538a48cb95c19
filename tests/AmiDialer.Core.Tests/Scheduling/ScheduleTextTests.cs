using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Tests.Scheduling;

public sealed class ScheduleTextTests
{
    [Theory]
    [InlineData("08:00-21:00", 8 * 60, 21 * 60)]
    [InlineData("8:30-9:45", 8 * 60 + 30, 9 * 60 + 45)]
    [InlineData("00:00-24:00", 0, 24 * 60)]
    [InlineData(" 13:00 - 17:00 ", 13 * 60, 17 * 60)]
    public void Parses_windows(string text, int startMinutes, int endMinutes) =>
        Assert.Equal(new DailyWindow(TimeSpan.FromMinutes(startMinutes), TimeSpan.FromMinutes(endMinutes)), ScheduleText.ParseWindow(text));

    [Theory]
    [InlineData("08:00", "must look like 08:00-21:00")]
    [InlineData("08:00-21:00-22:00", "must look like")]
    [InlineData("8-21", "'8' is not a time of day")]
    [InlineData("08:00-25:00", "'25:00' is not a time of day")]
    [InlineData("08:60-21:00", "'08:60'")]
    [InlineData("24:00-24:00", "24:00 can only end a window")]
    [InlineData("09:00-09:00", "is empty")]
    [InlineData("22:00-06:00", "split an overnight window in two")]
    [InlineData("", "must look like")]
    public void Refuses_bad_windows_naming_the_part(string text, string expected)
    {
        Assert.False(ScheduleText.TryParseWindow(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_window_lists_and_round_trips_them()
    {
        var windows = ScheduleText.ParseWindows("09:00-12:00, 13:00-24:00");
        Assert.Equal([new(TimeSpan.FromHours(9), TimeSpan.FromHours(12)), new(TimeSpan.FromHours(13), TimeSpan.FromHours(24))], windows);
        Assert.Equal("09:00-12:00,13:00-24:00", ScheduleText.FormatWindows(windows));
        Assert.Empty(ScheduleText.ParseWindows(""));
        var ex = Assert.Throws<FormatException>(() => ScheduleText.ParseWindows("09:00-12:00,13:00-1700"));
        Assert.Contains("'1700'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mon-Fri", "Mon,Tue,Wed,Thu,Fri")]
    [InlineData("Mon,Wed,Fri", "Mon,Wed,Fri")]
    [InlineData("mon-wed, SAT", "Mon,Tue,Wed,Sat")]
    [InlineData("Fri-Mon", "Mon,Fri,Sat,Sun")]
    [InlineData("Sunday", "Sun")]
    [InlineData("Mon-Sun", "Mon,Tue,Wed,Thu,Fri,Sat,Sun")]
    [InlineData("Tue,Tue", "Tue")]
    public void Parses_days(string text, string formatted) => Assert.Equal(formatted, ScheduleText.FormatDays(ScheduleText.ParseDays(text)));

    [Fact]
    public void Days_come_back_as_day_of_week_values() =>
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], ScheduleText.ParseDays("Mon-Fri"));

    [Theory]
    [InlineData("Mon-Fry", "'Mon-Fry'")]
    [InlineData("Mon-Tue-Wed", "'Mon-Tue-Wed'")]
    [InlineData("Mon,,Fri", "'' is not a day")]
    [InlineData("", "no days given")]
    public void Refuses_bad_days_naming_the_part(string text, string expected)
    {
        Assert.False(ScheduleText.TryParseDays(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
