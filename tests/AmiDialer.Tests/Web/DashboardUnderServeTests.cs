using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AmiDialer.Cli;
using AmiDialer.Hosting;
using AmiDialer.Tests.Cli;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The dashboard of a real <c>amidialer serve</c> (through the CLI's entry point) shows the engine's state from the
/// start, before any campaign exists: the engine runs, and each AMI server is connecting, connected or lost.
/// </summary>
public sealed partial class DashboardUnderServeTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task With_the_simulator_the_dashboard_shows_the_server_connected_before_any_campaign()
    {
        var html = await DashboardAsync(["--simulate"], "{}", row => row.Contains("connected", StringComparison.Ordinal));
        Assert.Matches(@"<td>simulator</td><td class=""up"">connected</td>", html);
        Assert.Contains("Dialing engine running: 0 campaign(s) dialing", html, StringComparison.Ordinal);
        Assert.DoesNotContain("engine not running", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_unreachable_asterisk_the_dashboard_says_the_engine_runs_and_the_server_is_not_connected()
    {
        var closed = FreePort();
        var servers = $$"""{ "Ami": { "Servers": [ { "Name": "pbx", "Host": "127.0.0.1", "Port": {{closed}}, "Username": "dialer", "Secret": "not-used-here" } ] } }""";
        var html = await DashboardAsync([], servers, row => row.Contains("pbx", StringComparison.Ordinal));
        Assert.Matches(@"<td>pbx</td><td class=""down"">(connecting|disconnected)</td>", html);
        Assert.Contains("Dialing engine running", html, StringComparison.Ordinal);
        Assert.DoesNotContain("engine not running", html, StringComparison.Ordinal);
    }

    /// <summary>Runs serve with <paramref name="settings"/> merged with an admin password, logs in, and returns the dashboard once the AMI table satisfies <paramref name="ready"/>.</summary>
    private async Task<string> DashboardAsync(string[] options, string settings, Func<string, bool> ready)
    {
        const string Password = "dashboard password";
        var config = System.Text.Json.Nodes.JsonNode.Parse(settings)!.AsObject();
        config["Web"] = new System.Text.Json.Nodes.JsonObject { ["AdminPasswordHash"] = AdminPassword.Hash(Password, iterations: 1000) };
        var file = cli.File("serve.json", config.ToJsonString());
        var port = FreePort();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var serve = AmiDialerCli.RunAsync(
            ["serve", .. options, "--urls", $"http://127.0.0.1:{port}", "--db", cli.DatabasePath, "--config", file],
            new CliContext(TextWriter.Synchronized(output), TextWriter.Synchronized(error)),
            stop.Token);
        try
        {
            using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
            while (true)
            {
                Assert.False(serve.IsCompleted, "serve ended early: " + output + error);
                try
                {
                    using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), stop.Token);
                    break;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100, stop.Token);
                }
            }

            using (var login = await WebTestHost.LoginAsync(client, Password))
            {
                Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
            }

            while (true)
            {
                var html = await client.GetStringAsync(new Uri("/", UriKind.Relative), stop.Token);
                var servers = AmiTable().Match(html);
                Assert.True(servers.Success, "no AMI server table on the dashboard");
                if (ready(servers.Value))
                {
                    return html;
                }

                await Task.Delay(100, stop.Token);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await serve.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("<section class=\"card\" id=\"ami-status\">.*?</section>", RegexOptions.Singleline)]
    private static partial Regex AmiTable();
}
