using System.Net.Sockets;
using System.Text;
using AmiDialer.Cli;

namespace AmiDialer.Tests.Cli;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Simulate_prints_how_to_log_in_accepts_a_login_and_ends_on_cancel()
    {
        await using var sim = await RunningSimulator.StartAsync("simulate", "--port", "0");
        await using (var client = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token))
        {
            Assert.Equal("Success", await client.LoginAsync("dialer", "dialerpass"));
        }

        Assert.Equal(AmiDialerCli.Success, await sim.StopAsync());
        Assert.Contains("Username: dialer", sim.Output, StringComparison.Ordinal);
        Assert.Contains("Simulator stopped", sim.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_logs_in_the_users_given_on_the_command_line_and_no_other()
    {
        await using var sim = await RunningSimulator.StartAsync(
            "simulate", "--port", "0", "--username", "ops", "--secret", "ops-secret-1", "--readonly-username", "watcher", "--readonly-secret", "watch-2");

        await using (var ops = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token))
        {
            Assert.Equal("Success", await ops.LoginAsync("ops", "ops-secret-1"));
            Assert.Equal("Success", await ops.OriginateAsync("5550000", "o1"));
        }

        await using (var watcher = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token))
        {
            Assert.Equal("Success", await watcher.LoginAsync("watcher", "watch-2"));
            // The read-only user reads events but may not originate, as with manager.conf's write = none.
            Assert.Equal("Error", await watcher.OriginateAsync("5550000", "o2"));
        }

        await using (var defaults = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token))
        {
            Assert.Equal("Error", await defaults.LoginAsync("dialer", "dialerpass"));
        }

        Assert.Equal(AmiDialerCli.Success, await sim.StopAsync());
        Assert.Contains("Username: ops", sim.Output, StringComparison.Ordinal);
        // A secret the user chose is theirs: the command does not echo it.
        Assert.DoesNotContain("ops-secret-1", sim.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_scenario_calls_end_by_a_realistic_mix_that_the_seed_repeats()
    {
        // Every number ends in 2: the last-digit table would make all of them busy.
        var first = await OutcomesAsync("--seed", "11");
        var again = await OutcomesAsync("--seed", "11");
        var other = await OutcomesAsync("--seed", "12");
        var lastDigit = await OutcomesAsync("--outcomes", "last-digit");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Contains(first, o => o.StartsWith("Success", StringComparison.Ordinal));
        Assert.True(first.Distinct().Count() >= 3, "a realistic mix has several outcomes: " + string.Join(", ", first));
        Assert.All(lastDigit, o => Assert.Equal("Failure 5", o));
    }

    [Fact]
    public async Task A_scenario_file_sets_users_and_outcomes_and_the_command_line_wins_over_it()
    {
        var file = cli.File("scenario.json", """
            {
              // a comment, as in scenario.example.json
              "timeScale": 1000,
              "users": [ { "username": "scen", "secret": "scen-pass" } ],
              "rules": [ { "pattern": "2$", "outcome": "rejected", "ringSeconds": 0 } ],
            }
            """);
        await using (var sim = await RunningSimulator.StartAsync("simulate", "--port", "0", "--scenario", file))
        {
            await using var client = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token);
            Assert.Equal("Success", await client.LoginAsync("scen", "scen-pass"));
            Assert.Equal(["Failure 0"], await client.OutcomesAsync(["5550002"]));
            Assert.Equal(AmiDialerCli.Success, await sim.StopAsync());
        }

        await using (var sim = await RunningSimulator.StartAsync("simulate", "--port", "0", "--scenario", file, "--username", "cli", "--secret", "cli-pass"))
        {
            await using (var client = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token))
            {
                Assert.Equal("Error", await client.LoginAsync("scen", "scen-pass"));
            }

            await using (var client = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token))
            {
                Assert.Equal("Success", await client.LoginAsync("cli", "cli-pass"));
            }

            Assert.Equal(AmiDialerCli.Success, await sim.StopAsync());
        }
    }

    [Theory]
    [InlineData("""{ "rules": [ { "pattern": "1", "outcome": "maybe" } ] }""", "rules[0].outcome: not an outcome: use one of answered, busy")]
    [InlineData("""{ "timeScale": 1, "tmeScale": 2 }""", "tmeScale: unknown property")]
    [InlineData("{\n  \"mix\": [ { \"outcome\": \"busy\", \"weight\": \"x\" } ]\n}", "(line 2, byte 46): mix[0].weight: must be a number.")]
    [InlineData("""{ "timeScale": -1 }""", "timeScale must be a positive number")]
    public async Task A_bad_scenario_file_fails_naming_the_file_and_the_field(string json, string expected)
    {
        var file = cli.File("bad.json", json);
        var result = await cli.Run("simulate", "--port", "0", "--scenario", file);
        Assert.Equal(AmiDialerCli.Failure, result.Code);
        Assert.StartsWith($"--scenario {file}", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("AmiDialer.Simulator", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--scenario", "no-such-scenario.json")]
    [InlineData("--outcomes", "sometimes")]
    [InlineData("--secret", "")]
    public async Task Bad_simulate_options_are_usage_errors(string option, string value)
    {
        var result = await cli.Run("simulate", "--port", "0", option, value);
        Assert.Equal(AmiDialerCli.Usage, result.Code);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outcomes_and_a_scenario_together_are_a_usage_error()
    {
        var file = cli.File("s.json", "{}");
        var result = await cli.Run("simulate", "--port", "0", "--scenario", file, "--outcomes", "last-digit");
        Assert.Equal(AmiDialerCli.Usage, result.Code);
        Assert.Contains("--outcomes applies only without --scenario", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ledger_installs_the_outcome_ledger_and_record_appends_the_ground_truth()
    {
        var record = Path.Combine(cli.Folder, "truth.jsonl");
        await using (var sim = await RunningSimulator.StartAsync("simulate", "--port", "0", "--time-scale", "1000", "--outcomes", "last-digit", "--ledger", "--record", record))
        {
            await using var client = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token);
            Assert.Equal("Success", await client.LoginAsync("dialer", "dialerpass"));
            Assert.Equal("Success", await client.SendAsync(
                "Action: Originate\r\nActionID: w\r\nChannel: Local/4158137412@amidialer-dial/n\r\nContext: agents\r\nExten: 100\r\nAsync: true\r\nChannelId: att-1\r\n"
                + "Variable: AMIDIALER_ATTEMPT=att-1\r\nVariable: AMIDIALER_DIALSTRING=Local/4158137412@pstn\r\nVariable: AMIDIALER_RING=8\r\n\r\n", "w"));
            var ended = await client.NextAsync(m => m.GetValueOrDefault("Event") == "Hangup" && m.GetValueOrDefault("Channel", "").EndsWith(";2", StringComparison.Ordinal)
                && m.GetValueOrDefault("Channel", "").Contains("amidialer-dial", StringComparison.Ordinal));
            Assert.NotNull(ended);
            Assert.Equal("Success", await client.SendAsync("Action: DBGet\r\nActionID: g\r\nFamily: amidialer\r\nKey: att-1\r\n\r\n", "g"));
            Assert.StartsWith("BUSY|16||", (await client.NextAsync(m => m.GetValueOrDefault("Event") == "DBGetResponse"))["Val"], StringComparison.Ordinal);
            Assert.Equal(AmiDialerCli.Success, await sim.StopAsync());
            Assert.Contains("The outcome ledger is installed", sim.Output, StringComparison.Ordinal);
            Assert.Contains(record, sim.Output, StringComparison.Ordinal);
        }

        var lines = await File.ReadAllLinesAsync(record);
        Assert.Contains("""{"originate":"att-1","number":"4158137412",""", lines[0], StringComparison.Ordinal);
        Assert.Contains("""{"channelId":"att-1","number":"4158137412","outcome":"busy","answered":false,""", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("\"ledger\":true}", lines[1], StringComparison.Ordinal);
    }

    /// <summary>Originates 30 numbers ending in 2, one after the other, on a fresh `simulate` with these options.</summary>
    private static async Task<IReadOnlyList<string>> OutcomesAsync(params string[] options)
    {
        await using var sim = await RunningSimulator.StartAsync(["simulate", "--port", "0", "--time-scale", "1000", .. options]);
        await using var client = await AmiSocket.ConnectAsync(sim.Port, sim.Stop.Token);
        Assert.Equal("Success", await client.LoginAsync("dialer", "dialerpass"));
        var outcomes = await client.OutcomesAsync([.. Enumerable.Range(100, 30).Select(i => $"555{i}2")]);
        Assert.Equal(AmiDialerCli.Success, await sim.StopAsync());
        return outcomes;
    }

    /// <summary>`amidialer simulate` running through the CLI's entry point until stopped.</summary>
    private sealed class RunningSimulator : IAsyncDisposable
    {
        private readonly StringWriter output = new();
        private readonly StringWriter error = new();
        private Task<int> run = Task.FromResult(0);

        public CancellationTokenSource Stop { get; } = new(TimeSpan.FromSeconds(60));

        public int Port { get; private set; }

        public string Output => output.ToString();

        public static async Task<RunningSimulator> StartAsync(params string[] args)
        {
            var sim = new RunningSimulator();
            sim.run = AmiDialerCli.RunAsync(args, new CliContext(TextWriter.Synchronized(sim.output), TextWriter.Synchronized(sim.error)), sim.Stop.Token);
            while (true)
            {
                var match = System.Text.RegularExpressions.Regex.Match(sim.Output, @"Servers__0__Port=(\d+)");
                if (match.Success)
                {
                    sim.Port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    return sim;
                }

                Assert.False(sim.run.IsCompleted, $"simulate ended early:\n{sim.Output}\n{sim.error}");
                await Task.Delay(20, sim.Stop.Token);
            }
        }

        public async Task<int> StopAsync()
        {
            await Stop.CancelAsync();
            return await run.WaitAsync(TimeSpan.FromSeconds(20));
        }

        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(20));
            Stop.Dispose();
            output.Dispose();
            error.Dispose();
        }
    }

    /// <summary>A bare AMI connection over a real socket: what any AMI client would send and read.</summary>
    private sealed class AmiSocket : IAsyncDisposable
    {
        private readonly TcpClient client;
        private readonly NetworkStream stream;
        private readonly CancellationToken ct;
        private readonly StringBuilder received = new();

        private AmiSocket(TcpClient client, CancellationToken ct)
        {
            this.client = client;
            stream = client.GetStream();
            this.ct = ct;
        }

        public static async Task<AmiSocket> ConnectAsync(int port, CancellationToken ct)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, ct);
            return new AmiSocket(client, ct);
        }

        /// <summary>Logs in; returns the Response header (Success or Error).</summary>
        public async Task<string> LoginAsync(string user, string secret)
        {
            await SendAsync($"Action: Login\r\nActionID: login\r\nUsername: {user}\r\nSecret: {secret}\r\n\r\n");
            return (await NextAsync(m => m.GetValueOrDefault("ActionID") == "login"))["Response"];
        }

        /// <summary>Sends an async Originate of <paramref name="number"/> into the test PBX's pstn context; returns the action's Response.</summary>
        public async Task<string> OriginateAsync(string number, string actionId)
        {
            await SendAsync($"Action: Originate\r\nActionID: {actionId}\r\nChannel: Local/{number}@pstn\r\nContext: agents\r\nExten: 100\r\nPriority: 1\r\nAsync: true\r\n\r\n");
            return (await NextAsync(m => m.GetValueOrDefault("ActionID") == actionId && m.ContainsKey("Response")))["Response"];
        }

        /// <summary>Originates each number in turn (so the simulator decides them in this order); each call's OriginateResponse as "Response Reason".</summary>
        public async Task<IReadOnlyList<string>> OutcomesAsync(IReadOnlyList<string> numbers)
        {
            for (var i = 0; i < numbers.Count; i++)
            {
                Assert.Equal("Success", await OriginateAsync(numbers[i], "call" + i));
            }

            var outcomes = new List<string>();
            for (var i = 0; i < numbers.Count; i++)
            {
                var id = "call" + i;
                var response = await NextAsync(m => m.GetValueOrDefault("Event") == "OriginateResponse" && m.GetValueOrDefault("ActionID") == id);
                outcomes.Add($"{response["Response"]} {response["Reason"]}");
            }

            return outcomes;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            client.Dispose();
        }

        private async Task SendAsync(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);

        /// <summary>Sends a raw action; returns the Response header of the answer with this ActionID.</summary>
        public async Task<string> SendAsync(string action, string actionId)
        {
            await SendAsync(action);
            return (await NextAsync(m => m.GetValueOrDefault("ActionID") == actionId && m.ContainsKey("Response") && !m.ContainsKey("Event")))["Response"];
        }

        // Frames seen and not yet matched stay buffered, so responses can be looked for in any order.
        private readonly List<Dictionary<string, string>> frames = [];

        public async Task<Dictionary<string, string>> NextAsync(Func<Dictionary<string, string>, bool> match)
        {
            var buffer = new byte[8192];
            while (true)
            {
                var found = frames.FirstOrDefault(match);
                if (found is not null)
                {
                    frames.Remove(found);
                    return found;
                }

                var n = await stream.ReadAsync(buffer, ct);
                Assert.True(n > 0, "the simulator closed the connection: " + received);
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                var text = received.ToString();
                int end;
                while ((end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    frames.Add(text[..end].Split("\r\n").Where(l => l.Contains(':', StringComparison.Ordinal))
                        .Select(l => l.Split(':', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1].Trim()));
                    text = text[(end + 4)..];
                }

                received.Clear().Append(text);
            }
        }
    }
}
