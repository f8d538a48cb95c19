using System.Net.Sockets;
using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;

namespace AmiDialer.Simulator.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Close_now_drops_every_connection()
    {
        await using var sim = await AmiSimulator.StartAsync();
        await using var a = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await using var b = await RawAmiConnection.ConnectAsync(sim.EndPoint);
        sim.CloseAllConnections();
        Assert.True(await a.WaitClosedAsync());
        Assert.True(await b.WaitClosedAsync());
        await using var again = await RawAmiConnection.LoginAsync(sim.EndPoint);
    }

    [Fact]
    public async Task Close_after_n_actions_records_the_last_one_but_never_answers_it()
    {
        await using var sim = await AmiSimulator.StartAsync();
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        sim.CloseAfterActions(2);
        await c.SendActionAsync("Ping", ("ActionID", "p1"));
        await c.ReadUntilAsync(m => m.ActionId == "p1");
        await c.SendActionAsync("Originate", ("Channel", "Local/5550000@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o1"));
        Assert.True(await c.WaitClosedAsync());
        Assert.DoesNotContain(c.Received, m => m.ActionId == "o1");
        Assert.Equal(["Login", "Ping", "Originate"], sim.Actions.Select(a => a.Name!));
        Assert.Equal(0, sim.LiveCalls);
    }

    [Fact]
    public async Task Stop_answering_keeps_the_socket_open_but_silent_until_resumed()
    {
        await using var sim = await AmiSimulator.StartAsync();
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        sim.StopAnswering();
        await c.SendActionAsync("Ping", ("ActionID", "p"));
        await sim.WaitForActionAsync(a => a.ActionId == "p");
        await Task.Delay(200);
        Assert.DoesNotContain(c.Received, m => m.ActionId == "p");
        Assert.False(c.IsClosed);

        // A new connection gets no banner either.
        await using var late = await RawAmiConnection.ConnectAsync(sim.EndPoint, readBanner: false);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => late.NextFrameAsync(TimeSpan.FromMilliseconds(200)));

        sim.ResumeAnswering();
        await c.ReadUntilAsync(m => m.ActionId == "p");
        Assert.Equal(AmiFrameKind.Banner, (await late.NextFrameAsync()).Kind);
    }

    [Fact]
    public async Task Restart_hangs_up_live_calls_sends_shutdown_refuses_connections_then_comes_back_fresh()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 20 });
        var port = sim.Port;
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Originate", ("Channel", "Local/5550007@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o"));
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));

        var restart = sim.RestartAsync(TimeSpan.FromMilliseconds(400));
        var shutdown = await c.ReadUntilAsync(m => m.IsEventNamed("Shutdown"));
        Assert.Equal(("Cleanly", true), (shutdown.ShutdownKind, shutdown.Restart));
        Assert.True(await c.WaitClosedAsync());
        var calls = c.Received.Where(m => m.IsEventNamed("SoftHangupRequest") && m.Cause == 4).Select(m => m.Channel).ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(c.Received.Where(m => m.IsEventNamed("Hangup")), h => Assert.Equal((0, "Unknown"), (h.Cause, h.CauseText)));
        Assert.Equal(2, c.Received.Count(m => m.IsEventNamed("Cdr")));

        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => RawAmiConnection.ConnectAsync(sim.EndPoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        await restart;
        Assert.Equal(port, sim.Port);
        await using var after = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var booted = await after.ReadUntilAsync(m => m.IsEventNamed("FullyBooted"));
        Assert.Equal(0, booted.Uptime);
        await after.SendActionAsync("Originate", ("Channel", "Local/5550002@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o2"));
        var first = await after.ReadUntilAsync(m => m.IsEventNamed("Newchannel"));
        Assert.Equal("Local/5550002@pstn-00000000;1", first.Channel);
        Assert.EndsWith(".0", first.Uniqueid, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_then_start_says_restart_false()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await sim.RestartAsync(TimeSpan.FromMilliseconds(50), restart: false);
        var shutdown = c.Received.Single(m => m.IsEventNamed("Shutdown"));
        Assert.False(shutdown.Restart);
    }

    [Fact]
    public async Task Core_restart_now_from_another_session_gets_no_reply_and_the_dialer_sees_shutdown()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        await using var dialer = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await using var admin = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await admin.SendActionAsync("Command", ("Command", "core restart now"), ("ActionID", "r"));
        Assert.True(await admin.WaitClosedAsync());
        Assert.DoesNotContain(admin.Received, m => m.ActionId == "r" || m.IsEventNamed("Shutdown"));
        Assert.True(await dialer.WaitClosedAsync());
        Assert.Contains(dialer.Received, m => m.IsEventNamed("Shutdown") && m.Restart == true);
    }

    [Fact]
    public async Task A_garbled_frame_is_reported_by_the_client_parser_and_the_stream_goes_on()
    {
        await using var sim = await AmiSimulator.StartAsync();
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(50));
        sim.GarbleNextFrame();
        await c.SendActionAsync("Ping", ("ActionID", "lost"));
        await c.SendActionAsync("Ping", ("ActionID", "kept"));
        await c.ReadUntilAsync(m => m.ActionId == "kept");
        Assert.Equal(1, c.MalformedFrames);
        Assert.DoesNotContain(c.Received, m => m.ActionId == "lost");
    }

    [Fact]
    public async Task Frames_split_at_every_byte_still_arrive_whole()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        sim.SplitFramesAtEveryByte = true;
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Originate", ("Channel", "Local/5550002@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o"));
        var busy = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        Assert.Equal(5, busy.Reason);
        Assert.Equal(0, c.MalformedFrames);
    }
}
