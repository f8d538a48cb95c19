using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Client;

/// <summary>Several actions written at once: each gets its own outcome, in order, and nothing is re-sent.</summary>
public sealed class BatchSendTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Each_action_of_a_batch_gets_its_own_response_or_refusal_in_the_order_given()
    {
        await using var server = new FakeAmiServer((s, a) => a["Channel"] == "Local/bad@pstn"
            ? s.RespondErrorAsync(a, "Originate failed")
            : s.RespondAsync(a, new AmiHeader("Message", "Originate successfully queued")));
        await using var client = new AmiClient(server.Options(o => o.OriginatesPerSecond = 0));
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        var results = await client.SendBatchAsync(
        [
            (new AmiAction("Originate").Add("Channel", "Local/1@pstn"), "b-1"),
            (new AmiAction("Originate").Add("Channel", "Local/bad@pstn"), "b-2"),
            (new AmiAction("Originate").Add("Channel", "Local/3@pstn"), "b-3\r\nAction: Hangup"),
            (new AmiAction("Originate").Add("Channel", "Local/4@pstn"), "b-4"),
        ]).WaitAsync(Wait);

        Assert.Equal("b-1", results[0].Response?.ActionId);
        Assert.IsType<AmiActionException>(results[1].Error);
        Assert.IsType<AmiFormatException>(results[2].Error);
        Assert.Equal("b-4", results[3].Response?.ActionId);
        var sent = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add((await session.Actions.Reader.ReadAsync().AsTask().WaitAsync(Wait)).ActionId);
        }

        Assert.Equal(["b-1", "b-2", "b-4"], sent);
        await Task.Delay(100);
        Assert.False(session.Actions.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_batch_in_flight_when_the_connection_drops_fails_every_action_unanswered_and_resends_none()
    {
        await using var server = new FakeAmiServer((s, a) => a.ActionId == "d-1"
            ? s.RespondAsync(a, new AmiHeader("Message", "Originate successfully queued"))
            : Task.CompletedTask);
        await using var client = new AmiClient(server.Options(o => o.OriginatesPerSecond = 0));
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        var batch = client.SendBatchAsync(
        [
            (new AmiAction("Originate").Add("Channel", "Local/1@pstn"), "d-1"),
            (new AmiAction("Originate").Add("Channel", "Local/2@pstn"), "d-2"),
        ]);
        await session.Actions.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        await session.Actions.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        await Task.Delay(100);
        session.Abort();

        var results = await batch.WaitAsync(Wait);
        Assert.Equal("d-1", results[0].Response?.ActionId);
        Assert.IsType<AmiConnectionLostException>(results[1].Error);
        var next = await server.NextSessionAsync();
        await Task.Delay(200);
        Assert.False(next.Actions.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_batch_while_disconnected_is_refused_whole()
    {
        await using var client = new AmiClient(new AmiClientOptions { Port = 1, Username = "u", Secret = "s" });
        await Assert.ThrowsAsync<AmiNotConnectedException>(() => client.SendBatchAsync([(new AmiAction("Ping"), "p-1")]).WaitAsync(Wait));
    }
}
