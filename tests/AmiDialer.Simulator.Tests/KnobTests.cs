using System.Diagnostics;
using System.Text;
using AmiDialer.Simulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Simulator.Tests;

public sealed class KnobTests
{
    private static Task Originate(RawAmiConnection c, string number, string id, params (string, string)[] extra) =>
        c.SendActionAsync("Originate", [("Channel", $"Local/{number}@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", id), .. extra]);

    [Fact]
    public async Task Time_scale_divides_ring_time_exactly()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeProvider = time, TimeScale = 10 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await Originate(c, "5550000", "o");
        await c.ReadUntilAsync(m => m.IsEventNamed("DialState"));
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("OriginateResponse"));

        time.Advance(TimeSpan.FromMilliseconds(199)); // ring is 2 s, /10 = 200 ms
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("OriginateResponse"));

        time.Advance(TimeSpan.FromMilliseconds(1));
        var answered = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        Assert.Equal(4, answered.Reason);
        Assert.Equal(2, sim.LiveChannels);

        // Answer()'s 0.5 s, then 5 s of talk, all /10 (one timer at a time: FakeTimeProvider jumps straight to the end).
        time.Advance(TimeSpan.FromMilliseconds(50));
        await c.ReadUntilAsync(m => m.IsEventNamed("Newexten") && m["AppData"] == "5");
        time.Advance(TimeSpan.FromMilliseconds(499));
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("Hangup"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        await c.ReadUntilAsync(m => m.IsEventNamed("Hangup") && m.Channel!.EndsWith(";1", StringComparison.Ordinal));
        Assert.Equal(0, sim.LiveChannels);
    }

    [Fact]
    public async Task Calls_beyond_max_concurrent_channels_fail_as_congestion()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 20, MaxConcurrentChannels = 2 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await Originate(c, "5550007", "long");
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse") && m.ActionId == "long");
        await Originate(c, "5550000", "second");
        var refused = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse") && m.ActionId == "second");
        Assert.Equal(("Failure", 8), (refused.Response, refused.Reason));
        var hangup = await c.ReadUntilAsync(m => m.IsEventNamed("Hangup") && m.Channel!.Contains("5550000", StringComparison.Ordinal) && m.Channel.EndsWith(";2", StringComparison.Ordinal));
        Assert.Equal(34, hangup.Cause);

        await c.ReadUntilAsync(m => m.IsEventNamed("Hangup") && m.Channel!.Contains("5550007", StringComparison.Ordinal) && m.Channel.EndsWith(";1", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await Originate(c, "5550001", "third");
        var ok = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse") && m.ActionId == "third");
        Assert.Equal("Success", ok.Response);
    }

    [Fact]
    public async Task Response_latency_delays_every_response()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeProvider = time, ResponseLatency = TimeSpan.FromMilliseconds(300) });
        await using var c = await RawAmiConnection.ConnectAsync(sim.EndPoint);
        await c.SendActionAsync("Login", ("Username", "dialer"), ("Secret", "dialerpass"), ("ActionID", "l"));
        await sim.WaitForActionAsync(a => a.Is("Login"));
        await Task.Delay(100);
        Assert.Empty(c.Received);
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal("l", (await c.NextAsync()).ActionId);

        await c.SendActionAsync("Ping", ("ActionID", "p"));
        await sim.WaitForActionAsync(a => a.Is("Ping"));
        await Task.Delay(100);
        Assert.DoesNotContain(c.Received, m => m.ActionId == "p");
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal("Pong", (await c.ReadUntilAsync(m => m.ActionId == "p"))["Ping"]);
    }

    [Fact]
    public async Task A_line_over_1024_bytes_loses_its_action_and_the_next_action_is_answered()
    {
        await using var sim = await AmiSimulator.StartAsync();
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendRawAsync("Action: Ping\r\nActionID: long\r\nX-Long: " + new string('a', 1100) + "\r\n\r\nAction: Ping\r\nActionID: after\r\n\r\n");
        await c.ReadUntilAsync(m => m.ActionId == "after");
        Assert.DoesNotContain(c.Received, m => m.ActionId == "long");

        // 1024 bytes with the CRLF is still fine.
        var filler = new string('b', 1024 - "X-Fill: ".Length - 2);
        await c.SendRawAsync("Action: Ping\r\nActionID: edge\r\nX-Fill: " + filler + "\r\n\r\n");
        await c.ReadUntilAsync(m => m.ActionId == "edge");
    }

    [Fact]
    public async Task Only_the_first_128_headers_of_an_action_are_kept()
    {
        await using var sim = await AmiSimulator.StartAsync();
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var sb = new StringBuilder("Action: Ping\r\nActionID: many\r\n");
        for (var i = 0; i < 140; i++)
        {
            sb.Append("X-H").Append(i).Append(": v\r\n");
        }

        await c.SendRawAsync(sb.Append("\r\n").ToString());
        await c.ReadUntilAsync(m => m.ActionId == "many");
        var recorded = sim.Actions.Single(a => a.ActionId == "many");
        Assert.Equal(128, recorded.Message.Count);
        Assert.Equal("X-H125", recorded.Message[127].Key);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_after_the_write_timeout()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 1000, WriteTimeout = TimeSpan.FromMilliseconds(100) });
        // The driving connection takes no events, so only the stalled one has a flood to (not) read.
        await using var reader = await RawAmiConnection.LoginAsync(sim.EndPoint, events: "off");
        using var stalled = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(sim.EndPoint);
        await stalled.SendAsync("Action: Login\r\nUsername: dialer\r\nSecret: dialerpass\r\n\r\n"u8.ToArray(), System.Net.Sockets.SocketFlags.None);
        await sim.WaitForActionAsync(a => a.ConnectionId == 2 && a.Is("Login"));
        Assert.Equal(2, sim.ConnectionCount);

        // Flood events until the stalled client's buffers are full (it never reads).
        var sw = Stopwatch.StartNew();
        var n = 0;
        while (sim.ConnectionCount == 2 && sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            for (var i = 0; i < 50; i++, n++)
            {
                await Originate(reader, "555000" + (n % 10), "f" + n);
            }

            await Task.Delay(20);
        }

        Assert.Equal(1, sim.ConnectionCount);
        Assert.False(reader.IsClosed);
        await reader.SendActionAsync("Ping", ("ActionID", "still-here"));
        await reader.ReadUntilAsync(m => m.ActionId == "still-here");
    }
}
