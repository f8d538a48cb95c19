using System.Net.Sockets;
using System.Text;
using AmiDialer.Cli;

namespace AmiDialer.Tests.Cli;

public sealed class SimulateCommandTests
{
    [Fact]
    public async Task Simulate_prints_how_to_log_in_accepts_a_login_and_ends_on_cancel()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = AmiDialerCli.RunAsync(["simulate", "--port", "0"], new CliContext(TextWriter.Synchronized(output), error), stop.Token);

        var port = await WaitForPortAsync(output, stop.Token);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", port, stop.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("Action: Login\r\nUsername: dialer\r\nSecret: dialerpass\r\n\r\n"), stop.Token);
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (!received.ToString().Contains("Authentication accepted", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, stop.Token);
                Assert.True(n > 0, "connection closed before the login was accepted: " + received);
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }

        await stop.CancelAsync();
        Assert.Equal(AmiDialerCli.Success, await run);
        Assert.Contains("Username: dialer", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Simulator stopped", output.ToString(), StringComparison.Ordinal);
    }

    private static async Task<int> WaitForPortAsync(StringWriter output, CancellationToken ct)
    {
        while (true)
        {
            var match = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"Servers__0__Port=(\d+)");
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(20, ct);
        }
    }
}
