using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Client;

/// <summary>The dialer records an attempt's ActionID before the Originate leaves; the wire must carry that same id.</summary>
public sealed class ChosenActionIdTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Chosen_ActionID_is_the_one_on_the_wire_and_matches_the_response()
    {
        await using var server = new FakeAmiServer((s, a) => s.RespondAsync(a, new AmiHeader("Message", "Originate successfully queued")));
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        var response = await client.SendAsync(new AmiAction("Originate").Add("Channel", "Local/5550001@pstn"), "amd-test-42").WaitAsync(Wait);

        var sent = await session.Actions.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("amd-test-42", sent.ActionId);
        Assert.Equal("amd-test-42", response.ActionId);
        Assert.Equal("Originate successfully queued", response.Message);
    }

    [Fact]
    public async Task A_second_action_under_an_ActionID_in_flight_is_refused_before_it_is_written()
    {
        await using var server = new FakeAmiServer((_, _) => Task.CompletedTask); // never answers
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        var first = client.SendAsync(new AmiAction("Originate").Add("Channel", "Local/1@pstn"), "dup-1");
        await session.Actions.Reader.ReadAsync().AsTask().WaitAsync(Wait);

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync(new AmiAction("Originate").Add("Channel", "Local/2@pstn"), "dup-1").WaitAsync(Wait));
        await Task.Delay(100);
        Assert.False(session.Actions.Reader.TryRead(out _));
        Assert.False(first.IsCompleted);
    }

    [Theory]
    [InlineData("id\r\nAction: Hangup")]
    [InlineData("id\nChannel: x")]
    public async Task Chosen_ActionID_with_line_breaks_is_refused(string actionId)
    {
        await using var server = new FakeAmiServer();
        await using var client = new AmiClient(server.Options());
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();

        await Assert.ThrowsAsync<AmiFormatException>(() => client.SendAsync(new AmiAction("Ping"), actionId).WaitAsync(Wait));
        await Task.Delay(100);
        Assert.False(session.Actions.Reader.TryRead(out _));
    }
}
