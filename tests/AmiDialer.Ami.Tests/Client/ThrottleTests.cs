using System.Threading.RateLimiting;
using AmiDialer.Ami;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Ami.Tests.Client;

public sealed class ThrottleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void At_most_N_in_any_sliding_second_with_no_burst_on_top()
    {
        var time = new FakeTimeProvider();
        using var throttle = new SlidingWindowThrottle(5, TimeSpan.FromSeconds(1), time);
        var grants = new List<TimeSpan>();
        var start = time.GetUtcNow();

        // Try every 10 ms for 5 s; a segment-based limiter would let a burst through at segment edges.
        for (var step = 0; step < 500; step++)
        {
            while (true)
            {
                using var lease = throttle.AttemptAcquire();
                if (!lease.IsAcquired)
                {
                    Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
                    Assert.True(retryAfter > TimeSpan.Zero);
                    break;
                }

                grants.Add(time.GetUtcNow() - start);
            }

            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        for (var i = 5; i < grants.Count; i++)
        {
            Assert.True(grants[i] - grants[i - 5] >= TimeSpan.FromSeconds(1), $"grants {i - 5} and {i} only {grants[i] - grants[i - 5]} apart");
        }

        Assert.Equal(25, grants.Count); // 5 at 0 s, 1 s, 2 s, 3 s and 4 s: the full rate, no more
    }

    [Fact]
    public void A_freed_slot_is_exactly_one_window_after_its_grant()
    {
        var time = new FakeTimeProvider();
        using var throttle = new SlidingWindowThrottle(3, TimeSpan.FromSeconds(1), time);
        Assert.True(throttle.AttemptAcquire().IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(throttle.AttemptAcquire().IsAcquired);
        Assert.True(throttle.AttemptAcquire().IsAcquired);
        Assert.False(throttle.AttemptAcquire().IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(599));
        Assert.False(throttle.AttemptAcquire().IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.AttemptAcquire().IsAcquired); // the t=0 grant left the window
        Assert.False(throttle.AttemptAcquire().IsAcquired); // the two at t=0.4 are still in it
    }

    [Fact]
    public async Task Async_acquire_waits_for_the_fake_clock()
    {
        var time = new FakeTimeProvider();
        using var throttle = new SlidingWindowThrottle(1, TimeSpan.FromSeconds(1), time);
        (await throttle.AcquireAsync()).Dispose();
        var waiting = throttle.AcquireAsync().AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await waiting.WaitAsync(Wait)).IsAcquired);
    }

    [Fact]
    public async Task Client_throttles_originates_separately_from_cheap_actions()
    {
        var time = new FakeTimeProvider();
        await using var server = new FakeAmiServer((s, a) => s.RespondAsync(a));
        await using var client = new AmiClient(server.Options(o =>
        {
            o.OriginatesPerSecond = 2;
            o.ActionsPerSecond = 50;
            o.ActionTimeout = TimeSpan.FromMinutes(5);
        }), timeProvider: time);
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        var originates = Enumerable.Range(0, 6).Select(_ => client.SendAsync(new AmiAction("Originate").Add("Async", "true"))).ToArray();
        var pings = Enumerable.Range(0, 10).Select(_ => client.PingAsync()).ToArray();
        await Task.WhenAll(pings).WaitAsync(Wait); // cheap actions are not stuck behind Originates
        await WaitUntil(() => originates.Count(t => t.IsCompleted) == 2);
        await Task.Delay(100);
        Assert.Equal(2, originates.Count(t => t.IsCompleted));

        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => originates.Count(t => t.IsCompleted) == 4);
        time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(originates).WaitAsync(Wait);
        Assert.Equal(6, session.Received.Count(m => m.ActionName == "Originate"));
    }

    [Fact]
    public async Task Keep_alive_pings_when_idle_and_drops_a_silent_connection_within_two_intervals()
    {
        var time = new FakeTimeProvider();
        await using var server = new FakeAmiServer { AnswerPings = false };
        await using var client = new AmiClient(server.Options(o => o.PingInterval = TimeSpan.FromSeconds(10)), timeProvider: time);
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50);
        Assert.DoesNotContain(session.Received, m => m.ActionName == "Ping");
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => session.Received.Any(m => m.ActionName == "Ping"));
        Assert.True(client.State.IsConnected);

        // The Pong's timer starts once the Ping is written, which can be just after the server saw it: step time
        // rather than jump it (a jump before the timer exists would never reach it), within two intervals in all.
        // Never past two intervals of fake time; then as long as a loaded machine needs to act on it.
        var elapsed = TimeSpan.FromSeconds(5);
        while (client.State.Status == AmiConnectionStatus.Connected && elapsed < TimeSpan.FromSeconds(20))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            elapsed += TimeSpan.FromSeconds(1);
            await Task.Delay(20);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (client.State.Status == AmiConnectionStatus.Connected)
        {
            Assert.True(DateTime.UtcNow < deadline, "still connected two ping intervals after the last traffic");
            await Task.Delay(20);
        }

        Assert.Contains("keep-alive Ping unanswered", client.State.Reason, StringComparison.Ordinal);
        await session.Closed.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task No_keep_alive_ping_while_traffic_flows()
    {
        var time = new FakeTimeProvider();
        await using var server = new FakeAmiServer((s, a) => s.RespondAsync(a));
        await using var client = new AmiClient(server.Options(o => o.PingInterval = TimeSpan.FromSeconds(10)), timeProvider: time);
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();
        for (var i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromSeconds(3));
            await client.SendAsync(new AmiAction("Status")).WaitAsync(Wait);
        }

        Assert.DoesNotContain(session.Received, m => m.ActionName == "Ping");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
