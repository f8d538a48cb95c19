using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;

namespace AmiDialer.Simulator.Tests;

/// <summary>
/// The config actions (k4): GetConfig, GetConfigJSON, CreateConfig, UpdateConfig and their errors, replayed action by
/// action against the simulator; and the include rule: a file written through AMI joins the dialplan only once
/// extensions.conf includes it and the dialplan is reloaded.
/// </summary>
public sealed class ConfigActionTests
{
    /// <summary>The capture's PBX: amidialer.conf with the two ledger contexts of LEDGER.md's setup, included by extensions.conf.</summary>
    private const string CapturedLedgerConf = """
        [amidialer-dial]
        exten => _X.,1,NoOp(amidialer-ledger v1)
         same => n,Set(CHANNEL(hangup_handler_push)=amidialer-ledger,s,1)
         same => n,Dial(${AMIDIALER_DIALSTRING},${AMIDIALER_RING})
         same => n,Hangup()
        [amidialer-ledger]
        exten => s,1,Set(DB(amidialer/${AMIDIALER_ATTEMPT})=${DIALSTATUS}|${HANGUPCAUSE}|${ANSWEREDTIME}|${EPOCH})
         same => n,Return()
        """;

    private static readonly SimulatorUser Limited = new("limited", "limitedpass", AmiPrivileges.Parse("call,system,agent"), AmiPrivilege.Call);

    [Theory]
    [InlineData("dialer", "dialerpass")]
    [InlineData("limited", "limitedpass")]
    public async Task Replay_of_k4_answers_every_config_action_as_recorded(string user, string secret)
    {
        var timeline = CaptureTimeline.Load("k4-config-actions", user);
        static bool Ours(AmiMessage m) => m.ActionId is { } id && !id.StartsWith("login-", StringComparison.Ordinal) && !id.StartsWith("logoff-", StringComparison.Ordinal);
        var actions = timeline.Where(e => e.FromClient && Ours(e.Message)).Select(e => e.Message).ToList();
        var recorded = timeline.Where(e => !e.FromClient && Ours(e.Message)).Select(e => e.Message).ToList();
        // dialer: 20 actions, 20 responses and ShowDialPlan's 4 ListDialplan + Complete; limited: 2 refusals.
        Assert.Equal(user == "dialer" ? (20, 25) : (2, 2), (actions.Count, recorded.Count));

        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Users = [.. SimulatorUser.TestPbxUsers, Limited], Includes = ["amidialer.conf"] });
        sim.WriteConfigFile("amidialer.conf", CapturedLedgerConf);
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint, user, secret);
        foreach (var action in actions)
        {
            await c.SendActionAsync(action.ActionName!, [.. action.AsSpan().ToArray().Where(h => h.Key != "Action").Select(h => (h.Key, h.Value))]);
            var first = await c.ReadUntilAsync(m => m.ActionId == action.ActionId);
            if (first.StartsEventList)
            {
                await c.ReadUntilAsync(m => m.ActionId == action.ActionId && m["EventList"] == "Complete");
            }
        }

        Assert.Equal(EventComparer.Normalize(recorded), EventComparer.Normalize(c.Received.Where(Ours)));
        if (user == "dialer")
        {
            // The file as the capture's NOTE lines show it on disk after the three UpdateConfigs and the failed ones.
            Assert.Equal(["[amidialer-test]", "exten => _X.,1,NoOp(test)", "exten = _X.,n,NoOp(no-gt)", "same => n,Hangup()"], sim.ConfigFileText("amidialer-test.conf"));
        }
        else
        {
            Assert.Null(sim.ConfigFileText("amidialer-test.conf"));
        }
    }

    [Fact]
    public async Task A_failing_UpdateConfig_action_leaves_the_file_as_it_was_even_after_earlier_actions_succeeded()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("CreateConfig", ("Filename", "x.conf"), ("ActionID", "1"));
        Assert.Equal("New configuration file created successfully", (await c.ReadUntilAsync(m => m.ActionId == "1")).Message);
        await c.SendActionAsync("CreateConfig", ("Filename", "x.conf"), ("ActionID", "2"));
        var exists = await c.ReadUntilAsync(m => m.ActionId == "2");
        Assert.Equal(("Error", "File exists"), (exists.Response, exists.Message));

        // NewCat and Append succeed, then an Append to a category that is not there fails: nothing is saved.
        await c.SendActionAsync("UpdateConfig", ("SrcFilename", "x.conf"), ("DstFilename", "x.conf"), ("Reload", "no"),
            ("Action-000000", "NewCat"), ("Cat-000000", "ctx"),
            ("Action-000001", "Append"), ("Cat-000001", "ctx"), ("Var-000001", "exten"), ("Value-000001", ">_X.,1,NoOp(a)"),
            ("Action-000002", "Append"), ("Cat-000002", "nosuch"), ("Var-000002", "exten"), ("Value-000002", ">_X.,1,NoOp(b)"),
            ("ActionID", "3"));
        var failed = await c.ReadUntilAsync(m => m.ActionId == "3");
        Assert.Equal(("Error", "Given category does not exist"), (failed.Response, failed.Message));
        Assert.Empty(sim.ConfigFileText("x.conf")!);

        await c.SendActionAsync("GetConfig", ("Filename", "x.conf"), ("ActionID", "4"));
        var read = await c.ReadUntilAsync(m => m.ActionId == "4");
        Assert.Equal("Success", read.Response);
        Assert.Null(read["Category-000000"]);

        // Update and Delete, then DelCat.
        await c.SendActionAsync("UpdateConfig", ("SrcFilename", "x.conf"), ("DstFilename", "x.conf"),
            ("Action-000000", "NewCat"), ("Cat-000000", "ctx"),
            ("Action-000001", "Append"), ("Cat-000001", "ctx"), ("Var-000001", "exten"), ("Value-000001", ">_X.,1,NoOp(a)"),
            ("Action-000002", "Append"), ("Cat-000002", "ctx"), ("Var-000002", "same"), ("Value-000002", ">n,Hangup()"),
            ("Action-000003", "Update"), ("Cat-000003", "ctx"), ("Var-000003", "exten"), ("Value-000003", ">_X.,1,NoOp(c)"),
            ("Action-000004", "Delete"), ("Cat-000004", "ctx"), ("Var-000004", "same"),
            ("ActionID", "5"));
        Assert.Equal("Success", (await c.ReadUntilAsync(m => m.ActionId == "5")).Response);
        Assert.Equal(["[ctx]", "exten => _X.,1,NoOp(c)"], sim.ConfigFileText("x.conf"));
        await c.SendActionAsync("UpdateConfig", ("SrcFilename", "x.conf"), ("DstFilename", "x.conf"),
            ("Action-000000", "Insert"), ("Cat-000000", "ctx"), ("Var-000000", "exten"), ("Value-000000", "s,1,NoOp(first)"), ("Line-000000", "0"),
            ("Action-000001", "RenameCat"), ("Cat-000001", "ctx"), ("Value-000001", "renamed"),
            ("ActionID", "5b"));
        Assert.Equal("Success", (await c.ReadUntilAsync(m => m.ActionId == "5b")).Response);
        Assert.Equal(["[renamed]", "exten = s,1,NoOp(first)", "exten => _X.,1,NoOp(c)"], sim.ConfigFileText("x.conf"));
        await c.SendActionAsync("UpdateConfig", ("SrcFilename", "x.conf"), ("DstFilename", "x.conf"), ("Action-000000", "DelCat"), ("Cat-000000", "renamed"), ("ActionID", "6"));
        Assert.Equal("Success", (await c.ReadUntilAsync(m => m.ActionId == "6")).Response);
        Assert.Empty(sim.ConfigFileText("x.conf")!);
    }

    [Fact]
    public async Task Contexts_written_through_AMI_take_effect_only_once_included_and_reloaded_and_then_dial()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 50 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("CreateConfig", ("Filename", "amidialer.conf"), ("ActionID", "create"));
        Assert.Equal("Success", (await c.ReadUntilAsync(m => m.ActionId == "create")).Response);
        var headers = new List<(string, string)> { ("SrcFilename", "amidialer.conf"), ("DstFilename", "amidialer.conf"), ("Reload", "no") };
        var n = 0;
        foreach (var (category, lines) in new[]
        {
            ("amidialer-dial", new[] { "exten=_X.,1,NoOp(amidialer-ledger v1)", "same=n,Set(CHANNEL(hangup_handler_push)=amidialer-ledger,s,1)", "same=n,Dial(${AMIDIALER_DIALSTRING},${AMIDIALER_RING})", "same=n,Hangup()" }),
            ("amidialer-ledger", new[] { "exten=s,1,Set(DB(amidialer/${AMIDIALER_ATTEMPT})=${DIALSTATUS}|${HANGUPCAUSE}|${ANSWEREDTIME}|${EPOCH})", "same=n,Return()" }),
        })
        {
            headers.Add(($"Action-{n:D6}", "NewCat"));
            headers.Add(($"Cat-{n++:D6}", category));
            foreach (var line in lines)
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                headers.Add(($"Action-{n:D6}", "Append"));
                headers.Add(($"Cat-{n:D6}", category));
                headers.Add(($"Var-{n:D6}", line[..eq]));
                headers.Add(($"Value-{n++:D6}", ">" + line[(eq + 1)..]));
            }
        }

        await c.SendActionAsync("UpdateConfig", [.. headers, ("ActionID", "update")]);
        Assert.Equal("Success", (await c.ReadUntilAsync(m => m.ActionId == "update")).Response);

        async Task<AmiMessage> ShowAsync(string id)
        {
            await c.SendActionAsync("ShowDialPlan", ("Context", "amidialer-dial"), ("ActionID", id));
            return await c.ReadUntilAsync(m => m.ActionId == id && (m.IsResponse));
        }

        async Task ReloadAsync(string id)
        {
            await c.SendActionAsync("Command", ("Command", "dialplan reload"), ("ActionID", id));
            Assert.Equal("Dialplan reloaded.", (await c.ReadUntilAsync(m => m.ActionId == id))["Output"]);
        }

        // Written, reloaded, but not included: not loaded (k4).
        await ReloadAsync("reload-1");
        Assert.Equal("Did not find context amidialer-dial", (await ShowAsync("show-1")).Message);

        // Included by hand, but not reloaded yet: still not loaded.
        sim.IncludeConfigFile("amidialer.conf");
        Assert.Equal("Did not find context amidialer-dial", (await ShowAsync("show-2")).Message);

        await ReloadAsync("reload-2");
        var found = await ShowAsync("show-3");
        Assert.Equal("DialPlan list will follow", found.Message);
        var complete = await c.ReadUntilAsync(m => m.ActionId == "show-3" && m.IsEventNamed("ShowDialPlanComplete"));
        Assert.Equal("4", complete["ListItems"]);

        // A wrapper call now leaves its outcome in AstDB (a busy number: digit 2).
        await c.SendActionAsync("Originate", ("Channel", "Local/4158137492@amidialer-dial/n"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"),
            ("Timeout", "30000"), ("Async", "true"), ("ChannelId", "att-1"), ("Variable", "AMIDIALER_ATTEMPT=att-1"),
            ("Variable", "AMIDIALER_DIALSTRING=Local/4158137492@pstn"), ("Variable", "AMIDIALER_RING=8"), ("ActionID", "orig"));
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse") && m.ActionId == "orig", TimeSpan.FromSeconds(20));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (sim.GetDatabaseValue("amidialer", "att-1") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.StartsWith("BUSY|16||", sim.GetDatabaseValue("amidialer", "att-1"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_names_the_files_extensions_conf_includes_and_refuses_a_path()
    {
        Assert.Equal(["amidialer.conf"], SimulatorScenario.Parse("""{ "includes": ["amidialer.conf"] }""").ToOptions().Includes);
        Assert.Empty(SimulatorScenario.Parse("{}").ToOptions().Includes);
        var e = Assert.Throws<SimulatorScenarioException>(() => SimulatorScenario.Parse("""{ "includes": ["../etc/passwd"] }""", "s.json"));
        Assert.Contains("s.json: includes[0]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ledger_context_whose_handler_is_missing_dials_but_writes_nothing()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 50, Includes = ["amidialer.conf"] });
        sim.WriteConfigFile("amidialer.conf", CapturedLedgerConf[..CapturedLedgerConf.IndexOf("[amidialer-ledger]", StringComparison.Ordinal)]);
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Command", ("Command", "dialplan reload"), ("ActionID", "reload"));
        await c.ReadUntilAsync(m => m.ActionId == "reload");
        await c.SendActionAsync("Originate", ("Channel", "Local/4158137492@amidialer-dial/n"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"),
            ("Timeout", "30000"), ("Async", "true"), ("ChannelId", "att-2"), ("Variable", "AMIDIALER_ATTEMPT=att-2"),
            ("Variable", "AMIDIALER_DIALSTRING=Local/4158137492@pstn"), ("Variable", "AMIDIALER_RING=8"), ("ActionID", "orig"));
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse") && m.ActionId == "orig", TimeSpan.FromSeconds(20));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (sim.LiveCalls > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, sim.LiveCalls);
        Assert.Null(sim.GetDatabaseValue("amidialer", "att-2"));
    }
}
