using AmiDialer.Cli;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Tests.Cli;

public sealed class ProgressDisplayTests
{
    [Fact]
    public async Task On_a_terminal_a_bar_with_percent_and_time_left_is_drawn_until_the_work_ends()
    {
        using var writer = new StringWriter();
        var time = new FakeTimeProvider();
        var display = new ProgressDisplay(writer, terminal: true, time);
        var result = await display.ShowAsync(() =>
        {
            display.Update(50, "half way [waiting: outside calling hours]");
            time.Advance(TimeSpan.FromSeconds(5));
            display.Update(100, "all 20 rows read (4 rows/s)");
            return Task.FromResult(42);
        });

        Assert.Equal(42, result);
        var text = writer.ToString();
        Assert.Contains('\u001b', text);
        Assert.Contains("━", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
        Assert.Contains("00:00:00", text, StringComparison.Ordinal);
        Assert.Contains("all 20 rows read (4 rows/s)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bars_writer_drops_a_redraw_that_comes_after_its_owner_closed_the_real_one()
    {
        var real = new StringWriter();
        var output = new DetachableWriter(real);
        output.Write("drawn");
        output.Detach();
        real.Dispose();

        // Spectre's refresh thread may draw once more after the bar stopped: it must not reach a closed writer.
        output.Write("late redraw");
        output.Write('x');
        output.Flush();
        Assert.Throws<ObjectDisposedException>(() => real.Write("late redraw"));
    }

    [Fact]
    public async Task On_a_terminal_brackets_in_the_text_stay_text()
    {
        using var writer = new StringWriter();
        var display = new ProgressDisplay(writer, terminal: true, new FakeTimeProvider());
        await display.ShowAsync(() =>
        {
            display.Update(null, "3 leads done [waiting: outside calling hours]");
            return Task.FromResult(0);
        });

        Assert.Contains("[waiting: outside calling hours]", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Elsewhere_plain_lines_at_most_once_a_second_with_the_time_left()
    {
        using var writer = new StringWriter();
        var time = new FakeTimeProvider();
        var display = new ProgressDisplay(writer, terminal: false, time);
        await display.ShowAsync(() =>
        {
            // One percent every 100 ms: 10 percent a second.
            for (var percent = 1; percent <= 25; percent++)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                display.Update(percent, $"{percent}0 rows read");
            }

            display.Update(null, "total unknown", force: true);
            time.Advance(TimeSpan.FromSeconds(1));
            display.Update(100, "done");
            return Task.FromResult(0);
        });

        Assert.Equal(
            ["1% 10 rows read, 10 s left", "11% 110 rows read, 9 s left", "21% 210 rows read, 8 s left", "total unknown", "100% done"],
            writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\u001b', writer.ToString());
    }

    [Theory]
    [InlineData(7.2, "8 s")]
    [InlineData(185, "3 min 5 s")]
    [InlineData(7800, "2 h 10 min")]
    public void Time_left_reads_as_people_say_it(double seconds, string expected) =>
        Assert.Equal(expected, ProgressDisplay.Left(TimeSpan.FromSeconds(seconds)));
}
