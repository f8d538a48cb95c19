using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Simulator.Tests;

public sealed class LoginAndPermissionTests
{
    [Fact]
    public async Task Wrong_secret_is_answered_only_after_the_login_delay_then_the_socket_closes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeProvider = time });
        await using var c = await RawAmiConnection.ConnectAsync(sim.EndPoint);
        await c.SendRawAsync("Action: Login\r\nUsername: dialer\r\nSecret: wrong\r\nActionID: l1\r\n\r\n");
        await sim.WaitForActionAsync(a => a.Is("Login"));
        await Task.Delay(150);
        Assert.Empty(c.Received);
        Assert.False(c.IsClosed);

        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(50);
        Assert.Empty(c.Received);

        time.Advance(TimeSpan.FromMilliseconds(1));
        var response = await c.NextAsync();
        Assert.Equal("Error", response.Response);
        Assert.Equal("Authentication failed", response.Message);
        Assert.True(await c.WaitClosedAsync());
    }

    [Fact]
    public async Task Unknown_user_gets_the_same_answer_as_a_wrong_secret()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LoginFailureDelay = TimeSpan.FromMilliseconds(10) });
        await using var c = await RawAmiConnection.ConnectAsync(sim.EndPoint);
        await c.SendRawAsync("Action: Login\r\nUsername: nobody\r\nSecret: dialerpass\r\n\r\n");
        var response = await c.NextAsync();
        Assert.Equal("Authentication failed", response.Message);
        Assert.Null(response.ActionId);
        Assert.True(await c.WaitClosedAsync());
    }

    [Fact]
    public async Task Md5_challenge_login_works_and_a_wrong_key_fails()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LoginFailureDelay = TimeSpan.FromMilliseconds(10) });
        await using (var c = await RawAmiConnection.ConnectAsync(sim.EndPoint))
        {
            await c.SendActionAsync("Challenge", ("AuthType", "MD5"), ("ActionID", "c"));
            var challenge = (await c.NextAsync()).Challenge!;
            Assert.Matches("^[0-9]{9}$", challenge);
            await c.SendActionAsync("Login", ("AuthType", "MD5"), ("Username", "dialer"), ("Key", SimulatorSession.Md5Hex(challenge + "dialerpass")), ("ActionID", "l"));
            Assert.Equal("Authentication accepted", (await c.NextAsync()).Message);
            Assert.Equal("FullyBooted", (await c.NextAsync()).EventName);
        }

        await using (var c = await RawAmiConnection.ConnectAsync(sim.EndPoint))
        {
            await c.SendActionAsync("Challenge", ("AuthType", "MD5"));
            var challenge = (await c.NextAsync()).Challenge!;
            await c.SendActionAsync("Login", ("AuthType", "MD5"), ("Username", "dialer"), ("Key", SimulatorSession.Md5Hex(challenge + "nope")));
            Assert.Equal("Authentication failed", (await c.NextAsync()).Message);
            Assert.True(await c.WaitClosedAsync());
        }
    }

    [Fact]
    public async Task Actions_before_login_are_refused()
    {
        await using var sim = await AmiSimulator.StartAsync();
        await using var c = await RawAmiConnection.ConnectAsync(sim.EndPoint);
        await c.SendActionAsync("Ping", ("ActionID", "p"));
        var r = await c.NextAsync();
        Assert.Equal(("Error", "Permission denied", "p"), (r.Response, r.Message, r.ActionId));
    }

    [Fact]
    public async Task Write_classes_decide_which_actions_a_user_may_send()
    {
        var users = new[] { new SimulatorUser("caller", "s", AmiPrivilege.All, AmiPrivilege.Call), new SimulatorUser("dialer", "dialerpass") };
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Users = users });
        await using var observer = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint, "caller", "s");
        await c.SendActionAsync("Originate", ("Channel", "Local/5550000@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("ActionID", "o"));
        Assert.Equal("Permission denied", (await c.ReadUntilAsync(m => m.ActionId == "o")).Message);
        await c.SendActionAsync("Redirect", ("Channel", "Local/x@pstn-00000000;1"), ("Context", "ivr"), ("Exten", "s"), ("Priority", "1"), ("ActionID", "r"));
        Assert.Equal("Channel does not exist: Local/x@pstn-00000000;1", (await c.ReadUntilAsync(m => m.ActionId == "r")).Message);
        await c.SendActionAsync("Ping", ("ActionID", "p"));
        Assert.Equal("Pong", (await c.ReadUntilAsync(m => m.ActionId == "p"))["Ping"]);

        var notAllowed = await observer.ReadUntilAsync(m => m.IsEventNamed("RequestNotAllowed"));
        Assert.Equal("Action: Originate", notAllowed["RequestType"]);
        Assert.Equal("caller", notAllowed["AccountID"]);
    }

    [Fact]
    public async Task Login_events_off_silences_even_the_own_originate_and_the_Events_action_turns_classes_on()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint, events: "off");
        await c.SendActionAsync("Originate", ("Channel", "Local/5550002@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o1"));
        await c.ReadUntilAsync(m => m.ActionId == "o1");
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(150));
        Assert.DoesNotContain(c.Received, m => m.IsEvent);

        await c.SendActionAsync("Events", ("EventMask", "call"), ("ActionID", "e"));
        Assert.Equal("On", (await c.ReadUntilAsync(m => m.ActionId == "e"))["Events"]);
        await c.SendActionAsync("Originate", ("Channel", "Local/5550000@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o2"), ("Variable", "A=1"));
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        await c.ReadUntilAsync(m => m.IsEventNamed("Hangup") && m.Channel!.EndsWith(";1", StringComparison.Ordinal));
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(100));
        var events = c.Received.Where(m => m.IsEvent).ToList();
        Assert.All(events, e => Assert.StartsWith("call,", e.Privilege, StringComparison.Ordinal));
        Assert.Equal(24, events.Count); // c2: 24 call-class events per answered call instead of 44

        await c.SendActionAsync("Events", ("EventMask", "off"), ("ActionID", "e2"));
        Assert.Equal("Off", (await c.ReadUntilAsync(m => m.ActionId == "e2"))["Events"]);
    }

    [Fact]
    public async Task Another_session_sees_the_security_events_of_failed_logins_as_in_a4()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LoginFailureDelay = TimeSpan.FromMilliseconds(5) });
        await using var observer = await RawAmiConnection.LoginAsync(sim.EndPoint, "readonly", "ro");
        await observer.ReadUntilAsync(m => m.IsEventNamed("SuccessfulAuth")); // published after the Response, as in a1
        async Task Try(string text)
        {
            await using var c = await RawAmiConnection.ConnectAsync(sim.EndPoint);
            await c.SendRawAsync(text);
            await c.NextAsync();
        }

        await Try("Action: Login\r\nUsername: dialer\r\nSecret: bad\r\n\r\n");
        await Try("Action: Login\r\nUsername: nosuchuser\r\nSecret: x\r\n\r\n");
        await using (var c = await RawAmiConnection.ConnectAsync(sim.EndPoint))
        {
            await c.SendActionAsync("Challenge", ("AuthType", "MD5"));
            await c.NextAsync();
            await c.SendActionAsync("Login", ("AuthType", "MD5"), ("Username", "dialer"), ("Key", "00000000000000000000000000000000"));
            await c.NextAsync();
        }

        await Try("Action: Originate\r\nChannel: Local/1@pstn\r\n\r\n");
        await Try("Action: Login\r\nUsername: dialer\r\nSecret: dialerpass\r\n\r\n");
        await observer.WaitForQuietAsync(TimeSpan.FromMilliseconds(100));

        var recorded = CaptureTimeline.Load("a4-security-events-seen-by-other-session")
            .Where(e => !e.FromClient && e.Message.IsEvent && e.Message.Privilege!.StartsWith("security", StringComparison.Ordinal))
            .Select(e => e.Message.EventName).ToList();
        var seen = observer.Received.Where(m => m.IsEvent && m.Privilege!.StartsWith("security", StringComparison.Ordinal)).Select(m => m.EventName).ToList();
        Assert.Equal(recorded, seen);
        var failed = observer.Received.First(m => m.IsEventNamed("ChallengeResponseFailed"));
        Assert.Matches("^[0-9a-f]{32}$", failed["ExpectedResponse"]!);
    }
}
