using AmiDialer.Core.Pacing;
using AmiDialer.Engine.Dialing;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Engine.Tests.Dialing;

public sealed class OriginatePacerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_policy_sees_the_window_on_the_pacers_clock_and_a_send_is_never_let_go_early()
    {
        var time = new FakeTimeProvider(T0);
        var pacer = new OriginatePacer(time);
        time.Advance(TimeSpan.FromMilliseconds(5));
        pacer.Sending(6).Answered();
        var late = pacer.Sending(4);
        time.Advance(TimeSpan.FromMilliseconds(45));
        late.Answered();
        time.SetUtcNow(T0 + TimeSpan.FromMilliseconds(990));

        Assert.Equal(new PacingDecision(0, T0 + TimeSpan.FromMilliseconds(1005), PacingLimit.Rate), pacer.Decide(FixedPacing.Instance, 10, 100, 0, TimeSpan.Zero));
        Assert.Equal(6, pacer.Decide(FixedPacing.Instance, 10, 100, 0, TimeSpan.FromMilliseconds(20)).MayStart);
        Assert.Equal(10, pacer.Decide(FixedPacing.Instance, 10, 100, 0, TimeSpan.FromMilliseconds(60)).MayStart);
        Assert.Equal(3, pacer.Decide(FixedPacing.Instance, 10, 100, 97, TimeSpan.FromMilliseconds(60)).MayStart);

        // Still counted at the moment itself: a look with lookahead drops nothing.
        Assert.Equal(new WindowRoom(0, T0 + TimeSpan.FromMilliseconds(1005)), pacer.Room(10));
        time.SetUtcNow(T0 + TimeSpan.FromMilliseconds(1005));
        Assert.Equal(new WindowRoom(6, null), pacer.Room(10));
        time.SetUtcNow(T0 + TimeSpan.FromMilliseconds(1050));
        Assert.Equal(new WindowRoom(10, null), pacer.Room(10));
    }

    [Fact]
    public void Originates_without_their_Response_never_leave_the_window()
    {
        var time = new FakeTimeProvider(T0);
        var pacer = new OriginatePacer(time);
        pacer.Sending(3);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new PacingDecision(0, null, PacingLimit.Rate), pacer.Decide(FixedPacing.Instance, 3, 100, 0, TimeSpan.FromSeconds(5)));
        Assert.Equal(new WindowRoom(0, null), pacer.Room(3));
    }
}
