using System.Net;
using System.Net.Sockets;
using AmiDialer.Cli;

namespace AmiDialer.Tests.Cli;

public sealed class ServeCommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Serve_simulate_answers_health_and_stops_on_cancel()
    {
        var port = FreePort();
        using var stop = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var serve = AmiDialerCli.RunAsync(
            ["serve", "--simulate", "--urls", $"http://127.0.0.1:{port}", "--db", cli.DatabasePath],
            new CliContext(TextWriter.Synchronized(output), TextWriter.Synchronized(error)),
            stop.Token);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        HttpResponseMessage? health = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (health is null)
        {
            Assert.False(serve.IsCompleted, "serve ended early: " + output + error);
            try
            {
                health = await http.GetAsync(new Uri("/health", UriKind.Relative));
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        health.Dispose();
        Assert.Contains("SIMULATED", output.ToString(), StringComparison.Ordinal);
        await stop.CancelAsync();
        Assert.Equal(AmiDialerCli.Success, await serve.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
