using System.Globalization;
using System.Text.RegularExpressions;
using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;
using AmiDialer.Testing;

namespace AmiDialer.Simulator.Tests;

/// <summary>
/// The outcome ledger on the simulated PBX (LEDGER.md, k1-k5, i4): wrapper calls through [amidialer-dial], the hangup
/// handler's AstDB value, the DB actions, and what a restart leaves in the ledger.
/// </summary>
public sealed partial class LedgerTests
{
    private static readonly SimulatorOptions Installed = new() { TimeScale = 50, LedgerInstalled = true };

    public static TheoryData<string, string, string, string> Digits => new()
    {
        // digit, OriginateResponse, inner DialEnd (A;2 → B;1), ledger value without its epoch (k1's table)
        { "0", "Success/4", "ANSWER", "ANSWER|16|5|" },
        { "2", "Failure/0", "BUSY", "BUSY|16||" },
        { "3", "Failure/0", "NOANSWER", "NOANSWER|16||" },
        { "4", "Failure/0", "CONGESTION", "CONGESTION|16||" },
        { "5", "Failure/0", "NOANSWER", "CHANUNAVAIL|1||" },
        { "6", "Success/4", "ANSWER", "ANSWER|16|1|" },
        { "8", "Failure/0", "NOANSWER", "CHANUNAVAIL|21||" },
        { "9", "Success/4", "ANSWER", "ANSWER|16|3|" },
    };

    [Theory]
    [MemberData(nameof(Digits))]
    public async Task A_wrapper_call_has_two_local_pairs_the_real_status_inside_and_its_ledger_written_before_the_wrappers_hangup(string digit, string originate, string innerStatus, string ledger)
    {
        await using var sim = await AmiSimulator.StartAsync(Installed);
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var number = "415813741" + digit;
        await c.SendActionAsync("Originate", Wrapper(number, "att-" + digit, ring: 8));
        // Frames are read in arrival order: when the wrapper's ;2 Hangup is read, the handler has run, so the key is there.
        await c.ReadUntilAsync(m => m.IsEventNamed("Hangup") && m.Channel!.EndsWith(";2", StringComparison.Ordinal) && m.Channel.Contains("@amidialer-dial-", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var ledgerAtHangup = sim.Pbx.Database.Get("amidialer", "att-" + digit);
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0);
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(100));
        var events = c.Received.Where(m => m.IsEvent).ToList();

        var created = events.Where(m => m.IsEventNamed("Newchannel")).ToList();
        Assert.Equal(
            [$"Local/{number}@amidialer-dial-00000000;1", $"Local/{number}@amidialer-dial-00000000;2", $"Local/{number}@pstn-00000001;1", $"Local/{number}@pstn-00000001;2"],
            created.Select(m => m.Channel!));
        Assert.Equal(["att-" + digit, "att-" + digit + "-2"], created.Take(2).Select(m => m.Uniqueid!));
        Assert.All(created, m => Assert.Equal("att-" + digit, m.Linkedid));

        var or = events.Single(m => m.IsEventNamed("OriginateResponse"));
        Assert.Equal(originate, or.Response + "/" + or.Reason);
        Assert.Equal("att-" + digit, or.Uniqueid);
        var inner = events.Single(m => m.IsEventNamed("DialEnd") && m.Channel == created[1].Channel);
        Assert.Equal((created[2].Channel, innerStatus), (inner.DestChannel, inner.DialStatus));
        var own = events.Single(m => m.IsEventNamed("DialEnd") && m.Channel is null);
        Assert.Equal((created[0].Channel, originate.StartsWith('S') ? "ANSWER" : "NOANSWER"), (own.DestChannel, own.DialStatus));

        Assert.NotNull(ledgerAtHangup);
        Assert.StartsWith(ledger, ledgerAtHangup);
        var epoch = long.Parse(ledgerAtHangup[ledger.Length..], CultureInfo.InvariantCulture);
        Assert.InRange(epoch, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var set = events.Single(m => m.IsEventNamed("Newexten") && m["Application"] == "Set" && m.Context == "amidialer-ledger");
        Assert.Equal((created[1].Channel, "DB(amidialer/att-" + digit + ")=" + ledgerAtHangup), (set.Channel, set["AppData"]));
        Assert.Contains(events, m => m.IsEventNamed("HangupHandlerPush") && m.Channel == created[1].Channel && m["Handler"] == "amidialer-ledger,s,1");
    }

    [Fact]
    public async Task An_unanswered_ring_is_cut_by_the_wrappers_dial_timeout_not_the_originate_timeout()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 20, LedgerInstalled = true });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var sent = DateTime.UtcNow;
        await c.SendActionAsync("Originate", Wrapper("4158137413", "ring", ring: 4, timeoutMs: 60000));
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"), TimeSpan.FromSeconds(10));
        // 4 s of ring at 20x is 0.2 s; the Originate's 60 s would be 3 s.
        Assert.True(DateTime.UtcNow - sent < TimeSpan.FromSeconds(2.5), "the ring lasted the Originate timeout");
        await Eventually.WaitUntilAsync(() => sim.Pbx.Database.Get("amidialer", "ring") is not null);
        Assert.StartsWith("NOANSWER|16||", sim.Pbx.Database.Get("amidialer", "ring"));
    }

    [Fact]
    public async Task Without_the_ledger_installed_the_wrapper_fails_as_a_missing_context_and_writes_nothing()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 50 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Originate", Wrapper("4158137410", "none", ring: 8));
        var or = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        Assert.Equal(("Failure", 0), (or.Response, or.Reason));
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0);
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(50));
        Assert.All(c.Received.Where(m => m.IsEventNamed("Hangup")), m => Assert.Equal(0, m.Cause));
        Assert.Equal(2, c.Received.Count(m => m.IsEventNamed("Newchannel")));
        await c.SendActionAsync("DBGet", ("Family", "amidialer"), ("Key", "none"), ("ActionID", "g"));
        var get = await c.ReadUntilAsync(m => m.ActionId == "g");
        Assert.Equal(("Error", "Database entry not found"), (get.Response, get.Message));
    }

    [Fact]
    public async Task The_db_actions_answer_as_k1_and_k2_recorded()
    {
        await using var sim = await AmiSimulator.StartAsync(Installed);
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        async Task<List<AmiMessage>> Act(string action, string id, params (string, string)[] headers)
        {
            var before = c.Received.Count;
            await c.SendActionAsync(action, [.. headers, ("ActionID", id)]);
            var first = await c.ReadUntilAsync(m => m.ActionId == id && m.IsResponse);
            if (first.StartsEventList)
            {
                await c.ReadUntilAsync(m => m.ActionId == id && m.CompletesEventList);
            }

            return c.Received.Skip(before).Where(m => m.ActionId == id).ToList();
        }

        var missing = await Act("DBGet", "1", ("Family", "amidialer"), ("Key", "nosuchkey"));
        Assert.Equal("Error|Database entry not found", Shape(missing.Single()));
        Assert.Equal("Success|Updated database successfully", Shape((await Act("DBPut", "2", ("Family", "amidialer"), ("Key", "k-b"), ("Val", "BUSY|16||1796605895"))).Single()));
        await Act("DBPut", "3", ("Family", "amidialer"), ("Key", "k-a"), ("Val", "ANSWER|16|5|1796605902"));

        var get = await Act("DBGet", "4", ("Family", "amidialer"), ("Key", "k-b"));
        Assert.Equal(["Success|start|Result will follow", "DBGetResponse|amidialer|k-b|BUSY|16||1796605895", "DBGetComplete|Complete|1"], get.Select(Shape));
        Assert.Null(get[1].Privilege);
        Assert.Equal("ActionID", get[1][get[1].Count - 1].Key);

        var tree = await Act("DBGetTree", "5", ("Family", "amidialer"));
        Assert.Equal(
            ["Success|start|Result will follow", "DBGetTreeResponse|/amidialer/k-a|ANSWER|16|5|1796605902", "DBGetTreeResponse|/amidialer/k-b|BUSY|16||1796605895", "DBGetTreeComplete|Complete|2"],
            tree.Select(Shape));
        Assert.Null(tree[1]["Family"]);

        Assert.Equal("Success|Key deleted successfully", Shape((await Act("DBDel", "6", ("Family", "amidialer"), ("Key", "k-b"))).Single()));
        Assert.Equal("Error|Database entry could not be deleted", Shape((await Act("DBDel", "7", ("Family", "amidialer"), ("Key", "k-b"))).Single()));
        Assert.Equal("Success|Key tree deleted successfully", Shape((await Act("DBDelTree", "8", ("Family", "amidialer"))).Single()));
        Assert.Equal("Error|Database entry not found", Shape((await Act("DBDelTree", "9", ("Family", "amidialer"))).Single()));
        Assert.Equal("Error|No key specified.", Shape((await Act("DBGet", "10", ("Family", "amidialer"))).Single()));
        sim.PutDatabaseValue("amidialer", "staged", "NOANSWER|16||1796605903");
        Assert.Equal("DBGetResponse|amidialer|staged|NOANSWER|16||1796605903", Shape((await Act("DBGet", "11", ("Family", "amidialer"), ("Key", "staged")))[1]));

        // DBGet needs system or reporting write; the read-only user has neither (k3).
        await using var ro = await RawAmiConnection.LoginAsync(sim.EndPoint, "readonly", "ro");
        await ro.SendActionAsync("DBGet", ("Family", "amidialer"), ("Key", "k-a"), ("ActionID", "ro"));
        var denied = await ro.ReadUntilAsync(m => m.ActionId == "ro");
        Assert.Equal(("Error", "Permission denied"), (denied.Response, denied.Message));
    }

    [Fact]
    public async Task Calls_outlive_their_client_and_a_new_session_reads_every_outcome_from_the_ledger()
    {
        await using var sim = await AmiSimulator.StartAsync(Installed);
        var digits = new[] { "0", "1", "2", "3", "6", "8" };
        await using (var dialer = await RawAmiConnection.LoginAsync(sim.EndPoint))
        {
            foreach (var d in digits)
            {
                await dialer.SendActionAsync("Originate", Wrapper("415813741" + d, "k2-" + d, ring: 8));
            }

            await dialer.ReadUntilAsync(m => m.IsResponse && m.ActionId == "o-k2-8");
        }

        // k2: the dialer closed its socket without a Logoff; Asterisk kept every call running.
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0);
        await using var after = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var values = new List<string>();
        foreach (var d in digits)
        {
            await after.SendActionAsync("DBGet", ("Family", "amidialer"), ("Key", "k2-" + d), ("ActionID", "g" + d));
            values.Add((await after.ReadUntilAsync(m => m.IsEventNamed("DBGetResponse") && m.ActionId == "g" + d))["Val"]!);
        }

        Assert.Equal(["ANSWER|16|5|", "ANSWER|16|5|", "BUSY|16||", "NOANSWER|16||", "ANSWER|16|1|", "CHANUNAVAIL|21||"], values.Select(v => Epoch().Replace(v, "")));
    }

    [Fact]
    public async Task A_restart_leaves_chanunavail_0_for_ringing_calls_answer_for_answered_ones_and_the_astdb_survives_it()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = 10,
            LedgerInstalled = true,
            Outcomes = new OutcomeRules([new("3$", SimulatedOutcome.NoAnswer), new("0$", SimulatedOutcome.Answered, 2, 60), new("7$", SimulatedOutcome.Answered, 0, 60)]),
        });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("DBPut", ("Family", "amidialer"), ("Key", "older"), ("Val", "BUSY|16||1796605895"), ("ActionID", "put"));
        // i4: one rings for 60 s, one rings 2 s then answers, one answers at once; AMIDIALER_RING=30.
        await c.SendActionAsync("Originate", Wrapper("4158137493", "i4-3", ring: 30, timeoutMs: 35000));
        await c.SendActionAsync("Originate", Wrapper("4158137490", "i4-0", ring: 30, timeoutMs: 35000));
        await c.SendActionAsync("Originate", Wrapper("4158137497", "i4-7", ring: 30, timeoutMs: 35000));
        await c.ReadUntilAsync(m => m.IsResponse && m.ActionId == "o-i4-7");
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse") && m.ActionId == "o-i4-7");
        await Task.Delay(50);
        await sim.RestartAsync(TimeSpan.FromMilliseconds(20));
        await c.WaitClosedAsync(TimeSpan.FromSeconds(5));

        var events = c.Received.Where(m => m.IsEvent).ToList();
        var shutdown = events.FindIndex(m => m.IsEventNamed("Shutdown"));
        Assert.True(shutdown > 0);
        var cut = events.Take(shutdown).ToList();
        Assert.Equal(12, cut.Count(m => m.IsEventNamed("SoftHangupRequest") && m.Cause == 4));
        Assert.Equal(["Failure/0/o-i4-0", "Failure/0/o-i4-3", "Success/4/o-i4-7"], cut.Where(m => m.IsEventNamed("OriginateResponse")).Select(m => $"{m.Response}/{m.Reason}/{m.ActionId}").Order());
        var ringing = cut.Where(m => m.Linkedid == "i4-3" || m.DestLinkedid == "i4-3").ToList();
        Assert.Contains(ringing, m => m.IsEventNamed("DialEnd") && m.DialStatus == "NOANSWER" && m.Channel is null);
        Assert.Contains(ringing, m => m.IsEventNamed("DialEnd") && m.DialStatus == "NOANSWER" && m.Channel is not null);
        Assert.All(ringing.Where(m => m.IsEventNamed("Hangup")), m => Assert.Equal(0, m.Cause));
        Assert.Contains(ringing, m => m.IsEventNamed("Newexten") && m["AppData"]!.StartsWith("DB(amidialer/i4-3)=CHANUNAVAIL|0||", StringComparison.Ordinal));

        await Eventually.WaitUntilAsync(() => !sim.IsDown);
        await using var after = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var values = new Dictionary<string, string>();
        foreach (var key in new[] { "i4-3", "i4-0", "i4-7", "older" })
        {
            await after.SendActionAsync("DBGet", ("Family", "amidialer"), ("Key", key), ("ActionID", key));
            values[key] = Epoch().Replace((await after.ReadUntilAsync(m => m.IsEventNamed("DBGetResponse") && m.ActionId == key))["Val"]!, "");
        }

        Assert.Equal(["i4-0", "i4-3", "i4-7", "older"], sim.DatabaseEntries("amidialer").Select(e => e.Key));
        Assert.Equal("BUSY|16||1796605895", sim.GetDatabaseValue("amidialer", "older"));
        Assert.Equal("CHANUNAVAIL|0||", values["i4-3"]);
        Assert.Equal("CHANUNAVAIL|0||", values["i4-0"]);
        Assert.StartsWith("ANSWER|16|", values["i4-7"]);
        Assert.Equal("BUSY|16||", values["older"]);
    }

    [Theory]
    [InlineData("4158137440", "ANSWER|16|5|")]
    [InlineData("4158137442", "BUSY|16||")]
    [InlineData("4158137443", "NOANSWER|16||")]
    [InlineData("4158137448", "CHANUNAVAIL|21||")]
    public async Task Click_to_call_through_amidialer_c2c_records_the_customers_leg_under_the_customer_key(string customer, string ledger)
    {
        await using var sim = await AmiSimulator.StartAsync(Installed);
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Originate",
            ("Channel", "Local/201@agentphone"), ("Context", "amidialer-c2c"), ("Exten", customer), ("Priority", "1"), ("Async", "true"), ("ChannelId", "c2c-1"),
            ("Variable", "AMIDIALER_ATTEMPT=c2c-1"), ("Variable", $"AMIDIALER_DIALSTRING=Local/{customer}@pstn"), ("Variable", "AMIDIALER_RING=8"), ("ActionID", "c2c"));
        var response = await c.ReadUntilAsync(m => m.IsResponse && m.ActionId == "c2c");
        Assert.True(response.IsSuccess, response.Message);
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0);
        Assert.StartsWith(ledger, sim.Pbx.Database.Get("amidialer", "c2c-1-customer"));
        Assert.Null(sim.Pbx.Database.Get("amidialer", "c2c-1"));
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(50));
        Assert.Contains(c.Received, m => m.IsEventNamed("Newchannel") && m.Channel!.StartsWith($"Local/{customer}@pstn-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_customer_leg_can_also_be_the_originated_channel_of_amidialer_c2c()
    {
        await using var sim = await AmiSimulator.StartAsync(Installed);
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var headers = Wrapper("4158137442", "c2c-2", ring: 8).Select(h => h.Item1 == "Channel" ? ("Channel", "Local/4158137442@amidialer-c2c/n") : h).ToArray();
        await c.SendActionAsync("Originate", headers);
        await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0);
        Assert.StartsWith("BUSY|16||", sim.Pbx.Database.Get("amidialer", "c2c-2-customer"));
    }

    [Fact]
    public async Task Without_the_ledger_an_originate_into_amidialer_c2c_is_refused_as_a_missing_extension()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 50 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Originate", ("Channel", "Local/201@agentphone"), ("Context", "amidialer-c2c"), ("Exten", "4158137440"), ("Priority", "1"), ("Async", "true"), ("ActionID", "x"));
        var response = await c.ReadUntilAsync(m => m.ActionId == "x");
        Assert.Equal(("Error", "Extension does not exist."), (response.Response, response.Message));
    }

    [Fact]
    public async Task A_redirected_then_hung_up_wrapper_call_keeps_its_ledger_answer_and_a_hangup_before_the_answer_is_cancel()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = 10,
            LedgerInstalled = true,
            Outcomes = new OutcomeRules([new("7$", SimulatedOutcome.Answered, 0, 600, "long"), new("3$", SimulatedOutcome.NoAnswer)]),
        });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        // k5 part 1: answered at once, Redirect of A;1 to agents,100,1, then a Hangup of A;1 with no Cause.
        await c.SendActionAsync("Originate", Wrapper("4158137457", "k5", ring: 8));
        var up = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        Assert.Equal("Success", up.Response);
        await c.SendActionAsync("Redirect", ("Channel", up.Channel!), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("ActionID", "r"));
        Assert.Equal("Redirect successful", (await c.ReadUntilAsync(m => m.ActionId == "r")).Message);
        await c.SendActionAsync("Hangup", ("Channel", up.Channel!), ("ActionID", "h"));
        await c.ReadUntilAsync(m => m.ActionId == "h");
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0);
        Assert.StartsWith("ANSWER|16|", sim.Pbx.Database.Get("amidialer", "k5"));

        await c.SendActionAsync("Originate", Wrapper("4158137453", "cancel", ring: 30, timeoutMs: 35000));
        var ringing = await c.ReadUntilAsync(m => m.IsEventNamed("Newchannel") && m.Uniqueid == "cancel");
        await c.SendActionAsync("Hangup", ("Channel", ringing.Channel!), ("ActionID", "h2"));
        await c.ReadUntilAsync(m => m.ActionId == "h2");
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0);
        Assert.StartsWith("CANCEL|16||", sim.Pbx.Database.Get("amidialer", "cancel"));
    }

    internal static (string, string)[] Wrapper(string number, string attempt, int ring, int timeoutMs = 30000) =>
    [
        ("Channel", $"Local/{number}@amidialer-dial/n"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"),
        ("Timeout", timeoutMs.ToString(CultureInfo.InvariantCulture)), ("CallerID", "\"Campaign 7\" <5551234>"),
        ("ChannelId", attempt), ("OtherChannelId", attempt + "-2"),
        ("Variable", "AMIDIALER_ATTEMPT=" + attempt), ("Variable", $"AMIDIALER_DIALSTRING=Local/{number}@pstn"), ("Variable", "AMIDIALER_RING=" + ring.ToString(CultureInfo.InvariantCulture)),
        ("ActionID", "o-" + attempt),
    ];

    private static string Shape(AmiMessage m) => m.IsEvent
        ? string.Join('|', new[] { m.EventName, m["Family"], m["Key"], m["Val"], m.EventList is null ? null : "Complete", m["ListItems"] }.Where(x => x is not null))
        : string.Join('|', new[] { m.Response, m.EventList, m.Message }.Where(x => x is not null));


    [GeneratedRegex(@"\d{10}$")]
    private static partial Regex Epoch();
}
