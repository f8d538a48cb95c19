using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Client;

public sealed class AmiClientLoginTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Md5_login_sends_challenge_then_key_and_never_the_secret()
    {
        await using var server = new FakeAmiServer();
        var logger = new ListLogger<AmiClient>();
        await using var client = new AmiClient(server.Options(), logger);
        var state = await client.ConnectAsync().WaitAsync(Wait);

        Assert.Equal(AmiConnectionStatus.Connected, state.Status);
        Assert.Equal(1, state.Generation);
        var session = await server.NextSessionAsync();
        var login = await session.LoggedIn.Task.WaitAsync(Wait);
        var received = session.Received.ToList();
        Assert.Equal("Challenge", received[0].ActionName);
        Assert.Equal("MD5", received[0]["AuthType"]);
        Assert.Equal("MD5", login["AuthType"]);
        Assert.Null(login["Secret"]);
        Assert.Matches("^[0-9a-f]{32}$", login["Key"]!);
        Assert.Equal("on", login["Events"]);
        Assert.NotEqual(received[0].ActionId, login.ActionId);
        Assert.DoesNotContain(FakeAmiServer.Secret, logger.All, StringComparison.Ordinal);
        Assert.Equal("Pong", (await client.PingAsync().WaitAsync(Wait))["Ping"]);
    }

    [Fact]
    public async Task Plain_login_sends_the_secret_once()
    {
        await using var server = new FakeAmiServer();
        await using var client = new AmiClient(server.Options(o => o.Auth = AmiAuthMethod.Plain));
        await client.ConnectAsync().WaitAsync(Wait);
        var session = await server.NextSessionAsync();
        var login = await session.LoggedIn.Task.WaitAsync(Wait);
        Assert.Equal(FakeAmiServer.Secret, login["Secret"]);
        Assert.Equal("Login", Assert.Single(session.Received).ActionName);
    }

    [Theory]
    [InlineData("off", "call,system,agent")]
    [InlineData("dialplan", "dialplan,call,system,agent")]
    [InlineData("system, cdr", "system,cdr,call,agent")]
    [InlineData("call,system", "call,system,agent")]
    [InlineData("agent,call,system", "agent,call,system")]
    [InlineData("on", "on")]
    [InlineData("all", "on")]
    public async Task Events_mask_always_keeps_call_system_and_agent(string configured, string sent)
    {
        await using var server = new FakeAmiServer();
        await using var client = new AmiClient(server.Options(o => o.EventMask = configured));
        await client.ConnectAsync().WaitAsync(Wait);
        var login = await (await server.NextSessionAsync()).LoggedIn.Task.WaitAsync(Wait);
        Assert.Equal(sent, login["Events"]);
    }

    [Fact]
    public async Task Wrong_secret_is_an_authentication_error_retried_slowly_and_never_logged()
    {
        await using var server = new FakeAmiServer();
        var logger = new ListLogger<AmiClient>();
        var options = server.Options(o =>
        {
            o.Secret = "wrong-secret-value";
            o.AuthenticationRetryDelay = TimeSpan.FromMilliseconds(700);
        });
        await using var client = new AmiClient(options, logger);
        var states = new List<AmiConnectionState>();
        using var watching = new CancellationTokenSource(Wait);
        var watch = Task.Run(async () =>
        {
            await foreach (var s in client.WatchStateAsync(watching.Token))
            {
                lock (states)
                {
                    states.Add(s);
                }

                if (s.Error is AmiAuthenticationException)
                {
                    return;
                }
            }
        });
        client.Start();
        await watch.WaitAsync(Wait);
        var failed = states[^1];
        Assert.Equal(AmiConnectionStatus.Disconnected, failed.Status);
        Assert.Contains("Authentication failed", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(0, failed.Generation);

        await Assert.ThrowsAsync<AmiNotConnectedException>(() => client.PingAsync());
        Assert.DoesNotContain("wrong-secret-value", logger.All, StringComparison.Ordinal);
        Assert.Contains(logger.Lines, l => l.Id.Id == 1004);
    }

    [Fact]
    public async Task Authentication_retry_waits_for_the_configured_delay()
    {
        await using var server = new FakeAmiServer();
        await using var client = new AmiClient(server.Options(o =>
        {
            o.Secret = "nope";
            o.AuthenticationRetryDelay = TimeSpan.FromMilliseconds(600);
        }));
        client.Start();
        var first = await server.NextSessionAsync();
        var second = await server.NextSessionAsync(TimeSpan.FromSeconds(60));
        // Measured between the server's accepts: the first came before the refusal, the second after the retry, so
        // the gap is never shorter than the client's wait, however late this test's own thread gets to run.
        var gap = System.Diagnostics.Stopwatch.GetElapsedTime(first.AcceptedAt, second.AcceptedAt);
        Assert.True(gap >= TimeSpan.FromMilliseconds(500), $"retried after {gap}");
    }

    [Fact]
    public void Md5_key_is_lowercase_hex_of_challenge_plus_secret()
    {
        // echo -n "123456789dialerpass" | md5sum
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("123456789dialerpass"u8)), AmiClient.Md5Key("123456789", "dialerpass"));
    }

    [Fact]
    public void Options_name_every_bad_setting_without_echoing_the_secret()
    {
        var options = new AmiClientOptions { Host = "", Port = 0, Username = "", Secret = "s3cr3t\r\nAction: Hangup", PingInterval = TimeSpan.Zero, EventBufferCapacity = 0 };
        var errors = options.Validate();
        Assert.Contains(errors, e => e.StartsWith("Host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Username", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Secret", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("PingInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("EventBufferCapacity", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("s3cr3t", StringComparison.Ordinal));
        var ex = Assert.Throws<ArgumentException>(() => new AmiClient(options));
        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Action_ids_have_a_random_per_process_prefix_and_a_counter()
    {
        var a = new AmiActionIdGenerator();
        var b = new AmiActionIdGenerator();
        Assert.NotEqual(a.Prefix, b.Prefix);
        Assert.Matches("^[0-9a-f]{12}$", a.Prefix);
        var ids = Enumerable.Range(0, 1000).AsParallel().Select(_ => a.Next()).ToHashSet();
        Assert.Equal(1000, ids.Count);
        Assert.All(ids, id => Assert.StartsWith(a.Prefix + "-", id, StringComparison.Ordinal));
    }
}
