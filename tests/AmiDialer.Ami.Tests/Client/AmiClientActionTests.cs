using System.Globalization;
using AmiDialer.Ami;
using AmiDialer.Testing;

namespace AmiDialer.Ami.Tests.Client;

public sealed class AmiClientActionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ten_thousand_concurrent_actions_answered_out_of_order_are_all_matched()
    {
        const int count = 10_000;
        await using var server = new FakeAmiServer();
        // Matching is what is tested, not speed: no action may time out while a loaded machine works through them.
        var slow = TimeSpan.FromMinutes(5);
        await using var client = new AmiClient(server.Options(o => o.ActionTimeout = slow));
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        var calls = Enumerable.Range(0, count)
            .Select(i => client.SendAsync(new AmiAction("Getvar").Add("Variable", "N" + i.ToString(CultureInfo.InvariantCulture))))
            .ToArray();

        var actions = new List<AmiMessage>(count);
        while (actions.Count < count)
        {
            actions.Add(await session.Actions.Reader.ReadAsync().AsTask().WaitAsync(slow));
        }

        Assert.Equal(count, actions.Select(a => a.ActionId).Distinct().Count());
        var shuffled = actions.ToArray();
        new Random(42).Shuffle(shuffled);
        var batch = new List<byte>();
        foreach (var action in shuffled)
        {
            batch.AddRange(AmiWriter.ToBytes([new("Response", "Success"), new("ActionID", action.ActionId!), new("Variable", action["Variable"]!), new("Value", "v-" + action["Variable"])]));
        }

        await session.SendRawAsync(batch.ToArray());
        var responses = await Task.WhenAll(calls).WaitAsync(slow);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("v-N" + i.ToString(CultureInfo.InvariantCulture), responses[i].Value);
        }
    }

    [Fact]
    public async Task List_action_collects_items_until_EventList_Complete_while_other_events_pass_through()
    {
        await using var server = new FakeAmiServer(async (s, a) =>
        {
            var id = a.ActionId!;
            await s.SendAsync(new("Response", "Success"), new("ActionID", id), new("EventList", "start"), new("Message", "Channels will follow"));
            await s.SendAsync(new("Event", "CoreShowChannel"), new("ActionID", id), new("Channel", "Local/5550007@pstn-00000001;1"));
            await s.SendAsync(new("Event", "Newstate"), new("Channel", "Local/5550003@pstn-00000003;2"), new("ChannelState", "5"));
            await s.SendAsync(new("Event", "CoreShowChannel"), new("ActionID", id), new("Channel", "Local/5550007@pstn-00000001;2"));
            await s.SendAsync(new("Event", "CoreShowChannelsComplete"), new("ActionID", id), new("EventList", "Complete"), new("ListItems", "2"));
        });
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);

        var list = await client.SendListAsync(new AmiAction("CoreShowChannels")).WaitAsync(Wait);
        Assert.True(list.Response.StartsEventList);
        Assert.Equal(["Local/5550007@pstn-00000001;1", "Local/5550007@pstn-00000001;2"], list.Items.Select(i => i.Channel));
        Assert.Equal(2, list.Complete.ListItems);

        var booted = await client.Events.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("FullyBooted", booted.Name);
        Assert.Equal(1, booted.Generation);
        var other = await client.Events.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("Newstate", other.Name);
        Assert.False(client.Events.TryRead(out _));
    }

    [Fact]
    public async Task Error_response_fails_the_action_with_asterisks_message()
    {
        await using var server = new FakeAmiServer((s, a) => s.RespondErrorAsync(a, "Extension does not exist."));
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);
        var ex = await Assert.ThrowsAsync<AmiActionException>(() => client.SendAsync(new AmiAction("Originate").Add("Channel", "Local/1@pstn").Add("Async", "true")));
        Assert.Equal("Extension does not exist.", ex.Message);
        Assert.Equal("Originate", ex.Action);
        Assert.True(ex.Response!.IsError);
    }

    [Fact]
    public async Task OriginateResponse_is_an_event_even_though_it_carries_Response_and_the_ActionID()
    {
        await using var server = new FakeAmiServer(async (s, a) =>
        {
            await s.RespondAsync(a, new AmiHeader("Message", "Originate successfully queued"));
            await s.SendAsync(new("Event", "OriginateResponse"), new("Privilege", "call,all"), new("ActionID", a.ActionId!), new("Response", "Failure"), new("Reason", "5"), new("Uniqueid", "<unknown>"));
        });
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);
        var response = await client.SendAsync(new AmiAction("Originate").Add("Async", "true")).WaitAsync(Wait);
        Assert.Equal("Originate successfully queued", response.Message);
        var evt = await ReadEventAsync(client, "OriginateResponse");
        Assert.Equal(response.ActionId, evt.Message.ActionId);
        Assert.Equal(5, evt.Message.Reason);
    }

    [Fact]
    public async Task Injection_attempts_are_refused_and_nothing_reaches_the_server()
    {
        await using var server = new FakeAmiServer((s, a) => s.RespondAsync(a));
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        await Assert.ThrowsAsync<AmiFormatException>(() => client.SendAsync(new AmiAction("Originate").Add("CallerID", "\"x\" <1>\r\nAction: Hangup\r\nChannel: /.*/")));
        await Assert.ThrowsAsync<AmiFormatException>(() => client.SendAsync(new AmiAction("Originate").AddVariable("LEADID", "1\nAction: Command")));
        Assert.Throws<AmiFormatException>(() => new AmiAction("Ping\r\n\r\nAction: Command"));
        await client.SendAsync(new AmiAction("Events").Add("EventMask", "on")).WaitAsync(Wait);

        Assert.Equal(["Challenge", "Login", "Events"], session.Received.Select(m => m.ActionName));
        Assert.Empty(session.ParseErrors);
    }

    [Fact]
    public async Task Disconnect_fails_every_in_flight_action_at_once_and_nothing_is_resent()
    {
        await using var server = new FakeAmiServer();
        // An action timeout no test run reaches: an action that fails failed because the connection dropped, not
        // because its time ran out, however slow the machine.
        await using var client = new AmiClient(server.Options(o => o.ActionTimeout = TimeSpan.FromHours(1)));
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();
        var calls = Enumerable.Range(0, 50).Select(i => client.SendAsync(new AmiAction("Originate").Add("Async", "true").Add("Exten", i.ToString(CultureInfo.InvariantCulture)))).ToArray();
        for (var i = 0; i < 50; i++)
        {
            await session.Actions.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        }

        session.Abort();
        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<AmiConnectionLostException>(() => call.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("not re-sent", ex.Message, StringComparison.Ordinal);
        }

        // It reconnects and logs in again by itself, with a new generation, and sends nothing else.
        var again = await server.NextSessionAsync();
        await again.LoggedIn.Task.WaitAsync(Wait);
        var state = await client.WaitUntilConnectedAsync().WaitAsync(Wait);
        Assert.Equal(2, state.Generation);
        await client.PingAsync().WaitAsync(Wait);
        Assert.Equal(["Challenge", "Login", "Ping"], again.Received.Select(m => m.ActionName));
    }

    [Fact]
    public async Task Reconnect_is_quick_and_observable_with_a_reason_and_a_new_generation()
    {
        await using var server = new FakeAmiServer();
        await using var client = new AmiClient(server.Options());
        var states = new List<AmiConnectionState>();
        using var watching = new CancellationTokenSource(Wait);
        var sawSecondLogin = new TaskCompletionSource();
        var sawFirstLogin = new TaskCompletionSource();
        var watch = Task.Run(async () =>
        {
            await foreach (var s in client.WatchStateAsync(watching.Token))
            {
                lock (states)
                {
                    states.Add(s);
                }

                if (s.IsConnected && s.Generation == 1)
                {
                    sawFirstLogin.TrySetResult();
                }

                if (s.IsConnected && s.Generation == 2)
                {
                    sawSecondLogin.TrySetResult();
                    return;
                }
            }
        });
        await client.ConnectAsync().WaitAsync(Wait);
        var first = await server.NextSessionAsync();
        // On a loaded machine the watcher may start after the drop and never see the first login: wait until it has.
        await sawFirstLogin.Task.WaitAsync(Wait);
        var dropped = System.Diagnostics.Stopwatch.StartNew();
        first.Abort();
        await server.NextSessionAsync(TimeSpan.FromSeconds(2));
        var reconnectedAfter = dropped.Elapsed;
        await sawSecondLogin.Task.WaitAsync(Wait);
        await watch;

        Assert.True(reconnectedAfter < TimeSpan.FromSeconds(1), $"first retry after {reconnectedAfter}");
        var statuses = states.Select(s => (s.Status, s.Generation)).ToList();
        Assert.Contains((AmiConnectionStatus.Connected, 1L), statuses);
        var lost = states.First(s => s.Status == AmiConnectionStatus.Disconnected && s.Generation == 1);
        Assert.False(string.IsNullOrEmpty(lost.Reason));
        Assert.Equal((AmiConnectionStatus.Connected, 2L), statuses[^1]);
    }

    [Fact]
    public void Backoff_starts_under_100ms_doubles_and_is_capped()
    {
        var cap = TimeSpan.FromSeconds(5);
        Assert.InRange(AmiClient.ReconnectDelay(0, cap, 0).TotalMilliseconds, 50, 100);
        Assert.InRange(AmiClient.ReconnectDelay(0, cap, 1).TotalMilliseconds, 50, 100);
        Assert.Equal(800, AmiClient.ReconnectDelay(3, cap, 0.999999).TotalMilliseconds, 0.1);
        Assert.Equal(2500, AmiClient.ReconnectDelay(30, cap, 0).TotalMilliseconds, 0.1);
        Assert.Equal(5000, AmiClient.ReconnectDelay(100, cap, 1).TotalMilliseconds, 0.1);
    }

    [Fact]
    public async Task A_blocked_event_consumer_delays_neither_responses_nor_the_socket()
    {
        await using var server = new FakeAmiServer(async (s, a) =>
        {
            // 5,000 events first, then the response: the response must still arrive while nobody reads events.
            var burst = new List<byte>();
            for (var i = 0; i < 5000; i++)
            {
                burst.AddRange(AmiWriter.ToBytes([new("Event", "Newexten"), new("Privilege", "dialplan,all"), new("Channel", "Local/5551000@pstn-00000001;1"), new("Extension", i.ToString(CultureInfo.InvariantCulture))]));
            }

            await s.SendRawAsync(burst.ToArray());
            await s.RespondAsync(a, new AmiHeader("Message", "done"));
        });
        await using var client = new AmiClient(server.Options(o => o.EventBufferCapacity = 10_000));
        await client.ConnectAsync().WaitAsync(Wait);

        // Nobody reads client.Events during this.
        var response = await client.SendAsync(new AmiAction("UserEvent")).WaitAsync(Wait);
        Assert.Equal("done", response.Message);
        Assert.True(client.State.IsConnected);
        Assert.Equal(5001, client.Events.Count); // FullyBooted + 5,000, all kept in order
        Assert.True(client.Events.TryRead(out var booted));
        Assert.Equal("FullyBooted", booted.Name);
        Assert.True(client.Events.TryRead(out var firstExten));
        Assert.Equal("0", firstExten.Message["Extension"]);
    }

    [Fact]
    public async Task A_full_event_buffer_drops_the_connection_and_says_why_instead_of_losing_events()
    {
        await using var server = new FakeAmiServer(async (s, a) =>
        {
            var burst = new List<byte>();
            for (var i = 0; i < 500; i++)
            {
                burst.AddRange(AmiWriter.ToBytes([new("Event", "Hangup"), new("Uniqueid", "1795694575." + i.ToString(CultureInfo.InvariantCulture)), new("Cause", "16")]));
            }

            await s.SendRawAsync(burst.ToArray());
        });
        await using var client = new AmiClient(server.Options(o => o.EventBufferCapacity = 100));
        var states = new List<AmiConnectionState>();
        using var watching = new CancellationTokenSource(Wait);
        var lostTask = Task.Run(async () =>
        {
            await foreach (var s in client.WatchStateAsync(watching.Token))
            {
                if (s.Status == AmiConnectionStatus.Disconnected && s.Generation == 1)
                {
                    return s;
                }
            }

            return null;
        });
        await client.ConnectAsync().WaitAsync(Wait);
        var pending = client.SendAsync(new AmiAction("Flood"));
        var ex = await Assert.ThrowsAsync<AmiConnectionLostException>(() => pending.WaitAsync(Wait));
        Assert.Contains("event buffer full", ex.Message, StringComparison.Ordinal);
        var lost = await lostTask.WaitAsync(Wait);
        Assert.Contains("event buffer full", lost!.Reason, StringComparison.Ordinal);

        // The 100 buffered events are still there, in order: nothing was dropped silently.
        Assert.True(client.Events.TryRead(out var booted));
        Assert.Equal("FullyBooted", booted.Name);
        Assert.True(client.Events.TryRead(out var hangup0));
        Assert.Equal("1795694575.0", hangup0.Message.Uniqueid);

        // No reconnect while the buffer is still more than half full: it would only overflow again.
        await Task.Delay(400);
        Assert.Single(server.AllSessions);
        while (client.Events.TryRead(out _))
        {
        }

        var back = await client.WaitUntilConnectedAsync().WaitAsync(Wait);
        Assert.Equal(2, back.Generation);
    }

    [Fact]
    public async Task Action_timeout_and_cancellation_fail_the_call_and_a_late_response_is_ignored()
    {
        var late = new TaskCompletionSource<AmiMessage>();
        await using var server = new FakeAmiServer((s, a) =>
        {
            late.TrySetResult(a);
            return Task.CompletedTask;
        });
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        await Assert.ThrowsAsync<AmiActionTimeoutException>(() => client.SendAsync(new AmiAction("Redirect"), TimeSpan.FromMilliseconds(150)));
        var action = await late.Task.WaitAsync(Wait);
        await session.RespondAsync(action);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(new AmiAction("Redirect"), cts.Token));

        // The connection is still fine.
        Assert.Equal("Pong", (await client.PingAsync().WaitAsync(Wait))["Ping"]);
        Assert.True(client.State.IsConnected);
    }

    [Fact]
    public async Task Sending_while_disconnected_fails_at_once_as_not_sent()
    {
        await using var client = new AmiClient(new AmiClientOptions { Port = 1, Username = "u", Secret = "s" });
        await Assert.ThrowsAsync<AmiNotConnectedException>(() => client.PingAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the consumer resumed on the reader: same events, same order
    public async Task Replayed_burst_capture_delivers_every_event_in_order(bool inlineConsumer)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Capture("h-burst-200-originates.raw"));
        var expected = Protocol.ChunkedParse.All(bytes).Where(f => f.Message?.IsEvent == true).Select(f => f.Message!).ToList();
        var banner = "Asterisk Call Manager/13.0.0\r\n"u8.Length;
        await using var server = new FakeAmiServer(async (s, a) => await s.SendRawAsync(bytes[banner..]));
        server.SendFullyBooted = false;
        var options = server.Options();
        options.InlineEventConsumer = inlineConsumer;
        await using var client = new AmiClient(options);
        await client.ConnectAsync().WaitAsync(Wait);
        _ = client.SendAsync(new AmiAction("Replay"), TimeSpan.FromMilliseconds(100));

        for (var i = 0; i < expected.Count; i++)
        {
            var evt = await client.Events.ReadAsync().AsTask().WaitAsync(Wait);
            Assert.Equal(expected[i].ToList(), evt.Message.ToList());
        }

        Assert.Equal(6902, expected.Count); // README: 6,900 call events plus FullyBooted and SuccessfulAuth
    }

    private static async Task<AmiEvent> ReadEventAsync(AmiClient client, string name)
    {
        while (true)
        {
            var evt = await client.Events.ReadAsync().AsTask().WaitAsync(Wait);
            if (evt.Name == name)
            {
                return evt;
            }
        }
    }
}
