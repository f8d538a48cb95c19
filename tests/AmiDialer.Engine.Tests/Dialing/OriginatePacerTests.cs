using AmiDialer.Engine.Dialing;

namespace AmiDialer.Engine.Tests.Dialing;

public sealed class OriginatePacerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Slots_opening_within_the_lookahead_may_be_claimed_but_the_window_itself_is_never_judged_early()
    {
        var pacer = new OriginatePacer();
        pacer.Sending(6).Answered(T0 + TimeSpan.FromMilliseconds(5));
        pacer.Sending(4).Answered(T0 + TimeSpan.FromMilliseconds(50));
        var now = T0 + TimeSpan.FromMilliseconds(990);

        Assert.Equal((0, T0 + TimeSpan.FromMilliseconds(1005)), pacer.Check(now, 10, 100, 0));
        Assert.Equal(6, pacer.Check(now, 10, 100, 0, TimeSpan.FromMilliseconds(20)).Allowed);
        Assert.Equal(10, pacer.Check(now, 10, 100, 0, TimeSpan.FromMilliseconds(60)).Allowed);

        // Still counted at the moment itself: a lookahead check drops nothing.
        Assert.Equal(0, pacer.Check(now, 10, 100, 0).Allowed);
        Assert.Equal(6, pacer.Check(T0 + TimeSpan.FromMilliseconds(1005), 10, 100, 0).Allowed);
    }

    [Fact]
    public void Originates_without_their_Response_never_leave_the_window()
    {
        var pacer = new OriginatePacer();
        pacer.Sending(3);
        var (allowed, next) = pacer.Check(T0 + TimeSpan.FromMinutes(1), 3, 100, 0, TimeSpan.FromSeconds(5));
        Assert.Equal(0, allowed);
        Assert.Null(next);
    }
}
