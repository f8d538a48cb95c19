using System.Collections.Concurrent;
using System.Globalization;
using AmiDialer.Ami;
using AmiDialer.Cli;
using AmiDialer.Engine.Pbx;
using AmiDialer.Hosting;
using AmiDialer.Simulator;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// <c>pbx install-ledger</c> in process against a simulator on a real socket: printing, writing amidialer.conf through
/// AMI as an admin user, stopping at the #include AMI cannot write, reloading and checking once it is there, and the
/// refusals (not confirmed, someone else's file, an UpdateConfig error), with the admin secret never shown.
/// </summary>
public sealed class PbxInstallLedgerTests : IDisposable
{
    private const string AdminSecret = "s3cret-Admin-7f1";

    /// <summary>A manager user for setup, with no more than it needs: write = config (files, ShowDialPlan), command (the reload).</summary>
    private static readonly SimulatorUser Admin = new("admin", AdminSecret, AmiPrivilege.System, AmiPrivilege.Config | AmiPrivilege.Command);

    private readonly CliRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static Task<AmiSimulator> StartAsync(params string[] includes) =>
        AmiSimulator.StartAsync(new SimulatorOptions { Users = [.. SimulatorUser.TestPbxUsers, Admin], Includes = includes });

    private string Config(AmiSimulator sim) => runner.File("pbx.json",
        "{ \"Ami\": { \"Servers\": [ { \"Name\": \"pbx1\", \"Host\": \"127.0.0.1\", \"Port\": " + sim.Port.ToString(CultureInfo.InvariantCulture)
        + ", \"Username\": \"dialer\", \"Secret\": \"dialerpass\" } ] } }");

    private string SecretFile() => runner.File("admin.secret", AdminSecret + "\n");

    private string[] Apply(AmiSimulator sim, params string[] more) =>
        ["pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "admin", "--admin-secret-file", SecretFile(), "--config", Config(sim), .. more];

    [Fact]
    public async Task Without_apply_it_prints_the_versioned_dialplan_the_include_line_and_the_setting()
    {
        var result = await runner.Run("pbx", "install-ledger");
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains(LedgerConf.Text, result.Output, StringComparison.Ordinal);
        Assert.Contains("exten => _X.,1,NoOp(amidialer-ledger v1)", result.Output, StringComparison.Ordinal);
        Assert.Contains(" same => n,Set(CHANNEL(hangup_handler_push)=amidialer-ledger,s,1)", result.Output, StringComparison.Ordinal);
        Assert.Contains("#include amidialer.conf", result.Output, StringComparison.Ordinal);
        Assert.Contains("Ami:Servers:n:Ledger", result.Output, StringComparison.Ordinal);

        var freePbx = await runner.Run("pbx", "install-ledger", "--freepbx");
        Assert.Equal(AmiDialerCli.Success, freePbx.Code);
        Assert.Contains("extensions_custom.conf", freePbx.Output, StringComparison.Ordinal);
        Assert.Contains(LedgerConf.Text, freePbx.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_writes_amidialer_conf_stops_at_the_include_then_once_included_reloads_and_the_ledger_check_passes()
    {
        await using var sim = await StartAsync();
        var first = await runner.Run(Apply(sim, "--yes"));
        Assert.True(first.Code == AmiDialerCli.Failure, first.ToString());
        Assert.Contains("create amidialer.conf", first.Output, StringComparison.Ordinal);
        Assert.Contains("#include amidialer.conf", first.Output, StringComparison.Ordinal);
        // Written as the dialplan is usually written (exten =>), and nothing reloaded before the include exists.
        var text = sim.ConfigFileText("amidialer.conf")!;
        Assert.Equal("[amidialer-dial]", text[0]);
        Assert.Contains("exten => _X.,1,NoOp(amidialer-ledger v1)", text);
        Assert.Contains("same => n,Dial(${AMIDIALER_DIALSTRING},${AMIDIALER_RING})", text);
        Assert.Equal(["amidialer-dial", "amidialer-ledger", "amidialer-c2c"], text.Where(l => l.StartsWith('[')).Select(l => l[1..^1]));
        Assert.Empty(sim.ActionsNamed("Command"));
        Assert.True(sim.ActionsNamed("UpdateConfig").All(a => a.Username == "admin"));

        // The administrator adds the line by hand; the second run writes nothing more, reloads and checks.
        sim.IncludeConfigFile("amidialer.conf");
        var second = await runner.Run(Apply(sim, "--yes"));
        Assert.True(second.Code == AmiDialerCli.Success, second.ToString());
        Assert.Contains("Dialplan reloaded.", second.Output, StringComparison.Ordinal);
        Assert.Contains("Ledger check: ledger dialplan version 1 installed", second.Output, StringComparison.Ordinal);
        Assert.Contains("Set Ami:Servers:n:Ledger to true for server pbx1", second.Output, StringComparison.Ordinal);
        Assert.Single(sim.ActionsNamed("CreateConfig"));
        Assert.Single(sim.ActionsNamed("UpdateConfig"));
        Assert.Single(sim.ActionsNamed("Command"), a => a.Message["Command"] == "dialplan reload");

        // A third run finds it all in place and changes nothing.
        var third = await runner.Run(Apply(sim));
        Assert.True(third.Code == AmiDialerCli.Success, third.ToString());
        Assert.Contains("Nothing to do", third.Output, StringComparison.Ordinal);
        Assert.Single(sim.ActionsNamed("UpdateConfig"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("n\n")]
    [InlineData("maybe\n")]
    public async Task Apply_without_a_yes_answer_changes_nothing(string answer)
    {
        await using var sim = await StartAsync("amidialer.conf");
        using var asking = new CliRunner { Input = answer };
        var result = await asking.Run(Apply(sim));
        Assert.True(result.Code == AmiDialerCli.Failure, result.ToString());
        Assert.Contains("this will:", result.Output, StringComparison.Ordinal);
        Assert.Contains("Proceed? [y/N]", result.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", result.Output, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("CreateConfig"));
        Assert.Empty(sim.ActionsNamed("UpdateConfig"));
        Assert.Empty(sim.ActionsNamed("Command"));
        Assert.Null(sim.ConfigFileText("amidialer.conf"));
    }

    [Fact]
    public async Task Apply_answered_yes_installs_and_reloads_when_extensions_conf_already_includes_the_file()
    {
        await using var sim = await StartAsync("amidialer.conf");
        using var asking = new CliRunner { Input = "y\n" };
        var result = await asking.Run(Apply(sim));
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains("Ledger check: ledger dialplan version 1 installed", result.Output, StringComparison.Ordinal);

        // The text written is the one the PBX runs as the ledger: a wrapper call leaves its outcome in AstDB.
        await using var client = new AmiClient(new AmiClientOptions { Host = "127.0.0.1", Port = sim.Port, Username = "dialer", Secret = "dialerpass", EventMask = "off" });
        await client.ConnectAsync();
        await client.SendAsync(new AmiAction("Originate").Add("Channel", "Local/4158137492@amidialer-dial/n").Add("Context", "agents").Add("Exten", "100").Add("Priority", "1")
            .Add("Timeout", "30000").Add("Async", "true").Add("ChannelId", "att-cli").AddVariable("AMIDIALER_ATTEMPT", "att-cli")
            .AddVariable("AMIDIALER_DIALSTRING", "Local/4158137492@pstn").AddVariable("AMIDIALER_RING", "8"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (sim.GetDatabaseValue("amidialer", "att-cli") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.StartsWith("BUSY|16||", sim.GetDatabaseValue("amidialer", "att-cli"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_older_ledger_it_wrote_is_replaced_in_one_UpdateConfig_and_the_check_then_passes()
    {
        await using var sim = await StartAsync("amidialer.conf");
        sim.WriteConfigFile("amidialer.conf", "[amidialer-dial]\nexten => _X.,1,NoOp(amidialer-ledger v0)\n same => n,Dial(${AMIDIALER_DIALSTRING})\n[amidialer-ledger]\nexten => s,1,Return()\n");
        await ReloadAsync(sim);
        var result = await runner.Run(Apply(sim, "--yes"));
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains("replace the contexts [amidialer-dial], [amidialer-ledger] in amidialer.conf", result.Output, StringComparison.Ordinal);
        Assert.Contains("Ledger check: ledger dialplan version 1 installed", result.Output, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("CreateConfig"));
        var update = Assert.Single(sim.ActionsNamed("UpdateConfig"));
        Assert.Equal(("DelCat", "amidialer-dial"), (update["Action-000000"], update["Cat-000000"]));
        Assert.Equal(3, sim.ConfigFileText("amidialer.conf")!.Count(l => l.StartsWith('[')));
        Assert.DoesNotContain(sim.ConfigFileText("amidialer.conf")!, l => l.Contains("v0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_refuses_to_touch_an_amidialer_conf_that_holds_other_contexts()
    {
        await using var sim = await StartAsync("amidialer.conf");
        sim.WriteConfigFile("amidialer.conf", "[mine]\nexten => 100,1,NoOp(not yours)\n");
        var result = await runner.Run(Apply(sim, "--yes"));
        Assert.True(result.Code == AmiDialerCli.Failure, result.ToString());
        Assert.Contains("[mine]", result.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", result.Error, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("UpdateConfig"));
        Assert.Equal(["[mine]", "exten => 100,1,NoOp(not yours)"], sim.ConfigFileText("amidialer.conf"));
    }

    [Fact]
    public async Task Apply_refuses_when_the_ledger_contexts_already_come_from_another_file_at_another_version()
    {
        await using var sim = await StartAsync("by-hand.conf");
        sim.WriteConfigFile("by-hand.conf", "[amidialer-dial]\nexten => _X.,1,NoOp(amidialer-ledger v0)\n same => n,Dial(${AMIDIALER_DIALSTRING})\n");
        await ReloadAsync(sim);
        var result = await runner.Run(Apply(sim, "--yes"));
        Assert.True(result.Code == AmiDialerCli.Failure, result.ToString());
        Assert.Contains("already defined in a file other than amidialer.conf", result.Error, StringComparison.Ordinal);
        Assert.Null(sim.ConfigFileText("amidialer.conf"));
        Assert.Empty(sim.ActionsNamed("CreateConfig"));
    }

    [Fact]
    public async Task An_UpdateConfig_error_leaves_amidialer_conf_as_it_was_and_says_so()
    {
        // amidialer.conf is there, empty (left by an earlier run), and while the command waits for its confirmation
        // another administrator writes [amidialer-dial] into it: the UpdateConfig's NewCat then fails.
        await using var sim = await StartAsync("amidialer.conf");
        sim.WriteConfigFile("amidialer.conf", "");
        const string Racer = "[amidialer-dial]\nexten => 100,1,NoOp(someone else)\n";
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error) { Input = new AnswerAfter(() => sim.WriteConfigFile("amidialer.conf", Racer), "y") };
        var code = await AmiDialerCli.RunAsync(Apply(sim), context, CancellationToken.None);

        Assert.True(code == AmiDialerCli.Failure, $"{code}\n{output}\n{error}");
        Assert.Contains("UpdateConfig amidialer.conf: Create category did not complete successfully", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("amidialer.conf is as it was ([amidialer-dial] 1 line(s); read back)", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["[amidialer-dial]", "exten => 100,1,NoOp(someone else)"], sim.ConfigFileText("amidialer.conf"));
        Assert.Empty(sim.ActionsNamed("Command"));
    }

    [Fact]
    public async Task A_user_without_the_config_class_is_told_which_classes_to_add()
    {
        await using var sim = await StartAsync();
        var file = runner.File("ro.secret", "ro\n");
        var result = await runner.Run("pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "readonly", "--admin-secret-file", file, "--yes", "--config", Config(sim));
        Assert.True(result.Code == AmiDialerCli.Failure, result.ToString());
        Assert.Contains("Permission denied", result.Error, StringComparison.Ordinal);
        Assert.Contains("config", result.Error, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("CreateConfig"));
    }

    [Fact]
    public async Task A_user_without_the_command_class_writes_the_file_and_is_told_to_reload_by_hand()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            Users = [.. SimulatorUser.TestPbxUsers, new SimulatorUser("files", "filespass", AmiPrivilege.System, AmiPrivilege.Config)],
            Includes = ["amidialer.conf"],
        });
        var result = await runner.Run("pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "files", "--admin-secret-file", runner.File("f", "filespass"), "--yes", "--config", Config(sim));
        Assert.True(result.Code == AmiDialerCli.Failure, result.ToString());
        Assert.Contains("The dialplan reload was refused (Permission denied)", result.Output, StringComparison.Ordinal);
        Assert.Contains("asterisk -rx 'dialplan reload'", result.Output, StringComparison.Ordinal);
        Assert.Contains("Ledger check: ledger dialplan not installed", result.Output, StringComparison.Ordinal);
        Assert.Contains("exten => _X.,1,NoOp(amidialer-ledger v1)", sim.ConfigFileText("amidialer.conf")!);
    }

    [Fact]
    public async Task FreePbx_is_detected_from_extensions_conf_and_nothing_is_written()
    {
        await using var sim = await StartAsync("extensions_custom.conf");
        sim.WriteConfigFile("extensions_custom.conf", "[from-internal-custom]\nexten => 1234,1,NoOp(custom)\n");
        var result = await runner.Run(Apply(sim, "--yes"));
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains("FreePBX", result.Output, StringComparison.Ordinal);
        Assert.Contains("extensions_custom.conf", result.Output, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("CreateConfig"));
        Assert.Empty(sim.ActionsNamed("UpdateConfig"));
    }

    [Fact]
    public async Task The_admin_secret_is_never_in_the_output_nor_the_logs_and_never_taken_as_an_argument()
    {
        await using var sim = await StartAsync("amidialer.conf");
        var log = new LogLines();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(log));
        using var logged = new CliRunner { ServicesOptions = new AppServicesOptions { LoggerFactory = loggerFactory } };
        var ok = await logged.Run(["pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "admin", "--admin-secret-file", logged.File("s", AdminSecret), "--yes", "--config", Config(sim)]);
        Assert.True(ok.Code == AmiDialerCli.Success, ok.ToString());
        var wrong = await logged.Run(["pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "admin", "--admin-secret-file", logged.File("w", AdminSecret + "x"), "--yes", "--config", Config(sim)]);
        Assert.True(wrong.Code == AmiDialerCli.Failure, wrong.ToString());
        Assert.Contains("could not log in to pbx1", wrong.Error, StringComparison.Ordinal);

        Assert.NotEmpty(log.Lines);
        Assert.Contains(log.Lines, l => l.Contains("wrote the ledger dialplan version 1 into amidialer.conf", StringComparison.Ordinal));
        foreach (var text in new[] { ok.Output, ok.Error, wrong.Output, wrong.Error }.Concat(log.Lines))
        {
            Assert.DoesNotContain(AdminSecret, text, StringComparison.Ordinal);
        }

        var asArgument = await runner.Run("pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "admin", "--admin-secret", AdminSecret, "--config", Config(sim));
        Assert.Equal(AmiDialerCli.Usage, asArgument.Code);
    }

    [Fact]
    public async Task A_server_that_is_down_is_reported_with_its_name_after_the_first_try()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var config = runner.File("down.json", "{ \"Ami\": { \"Servers\": [ { \"Name\": \"pbx1\", \"Host\": \"127.0.0.1\", \"Port\": "
            + port.ToString(CultureInfo.InvariantCulture) + ", \"Username\": \"dialer\", \"Secret\": \"dialerpass\" } ] } }");
        var result = await runner.Run("pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "admin", "--admin-secret-file", SecretFile(), "--yes", "--config", config);
        Assert.True(result.Code == AmiDialerCli.Failure, result.ToString());
        Assert.Contains($"could not log in to pbx1 (127.0.0.1:{port}) as admin", result.Error, StringComparison.Ordinal);
    }

    private static async Task ReloadAsync(AmiSimulator sim)
    {
        await using var client = new AmiClient(new AmiClientOptions { Host = "127.0.0.1", Port = sim.Port, Username = "dialer", Secret = "dialerpass", EventMask = "off" });
        await client.ConnectAsync();
        await client.SendAsync(new AmiAction("Command").Add("Command", "dialplan reload"));
    }

    /// <summary>Standard input whose first line is read only after <paramref name="meanwhile"/> ran: something happens while the command asks.</summary>
    private sealed class AnswerAfter(Action meanwhile, string answer) : TextReader
    {
        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            meanwhile();
            return ValueTask.FromResult<string?>(answer);
        }

        public override string? ReadLine()
        {
            meanwhile();
            return answer;
        }
    }

    private sealed class LogLines : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception) + " " + exception);

        public void Dispose()
        {
        }
    }
}
