using AmiDialer.Cli;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Tests.Cli;

public sealed class ProgressDisplayTests
{
    [Fact]
    public void On_a_terminal_one_bar_is_rewritten_in_place()
    {
        using var writer = new StringWriter();
        var display = new ProgressDisplay(writer, terminal: true, new FakeTimeProvider());
        display.Update(50, "a longer text here");
        display.Update(100, "short");
        display.Done();
        var text = writer.ToString();
        Assert.StartsWith("\r[###############...............]  50% a longer text here", text, StringComparison.Ordinal);
        Assert.Contains("\r[##############################] 100% short             ", text, StringComparison.Ordinal);
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Elsewhere_plain_lines_at_most_once_a_second()
    {
        using var writer = new StringWriter();
        var time = new FakeTimeProvider();
        var display = new ProgressDisplay(writer, terminal: false, time);
        display.Update(10, "first");
        display.Update(20, "dropped: too soon");
        time.Advance(TimeSpan.FromSeconds(1));
        display.Update(null, "second");
        display.Done();
        Assert.Equal(["10% first", "second"], writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
