using System.Text.Json;
using AmiDialer.Simulator.Tests.Infrastructure;
using AmiDialer.Testing;

namespace AmiDialer.Simulator.Tests;

/// <summary>The --record file: what kill tests in another process read as the truth about every dial.</summary>
public sealed class GroundTruthTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "amidialer-truth-" + Guid.NewGuid().ToString("N") + ".jsonl");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task Every_originate_and_every_ended_call_is_one_json_line_written_at_once()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100, RecordPath = _path });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        string[] numbers = ["5550001", "5550002", "5550003", "5550004", "5550005", "5550008"];
        foreach (var n in numbers)
        {
            await c.SendActionAsync("Originate", ("Channel", "Local/" + n + "@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"),
                ("Timeout", "15000"), ("ChannelId", "id-" + n), ("OtherChannelId", "id-" + n + "-2"), ("ActionID", "o" + n));
        }

        // An E.164 number as a trunk would take it stays readable in the file.
        await c.SendActionAsync("Originate", ("Channel", "PJSIP/+15550009@trunk"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ChannelId", "id-plus"));
        // A missing context and an unknown technology: dials that made no call, or no channel.
        await c.SendActionAsync("Originate", ("Channel", "Local/5550006@nosuchcontext"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ChannelId", "id-ctx"));
        await c.SendActionAsync("Originate", ("Channel", "Bogus/5550007"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ChannelId", "id-bogus"));
        await Eventually.WaitUntilAsync(() => sim.LiveCalls == 0 && Lines().Count(l => l.TryGetProperty("channelId", out _)) == 9);

        var lines = Lines();
        var dials = lines.Where(l => l.TryGetProperty("originate", out _)).ToList();
        Assert.Equal(9, dials.Count);
        Assert.Equal([.. numbers, "+15550009", "5550006", "5550007"], dials.Select(d => d.GetProperty("number").GetString()));
        Assert.Contains("\"number\":\"+15550009\"", Text(), StringComparison.Ordinal);
        Assert.Equal("id-5550001", dials[0].GetProperty("originate").GetString());
        Assert.True(DateTimeOffset.TryParse(dials[0].GetProperty("at").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));

        var calls = lines.Where(l => l.TryGetProperty("channelId", out _)).ToDictionary(l => l.GetProperty("channelId").GetString()!);
        Assert.Equal(("answered", true), Truth(calls["id-5550001"]));
        Assert.Equal(("busy", false), Truth(calls["id-5550002"]));
        Assert.Equal(("no-answer", false), Truth(calls["id-5550003"]));
        Assert.Equal(("congestion", false), Truth(calls["id-5550004"]));
        Assert.Equal(("invalid-number", false), Truth(calls["id-5550005"]));
        Assert.Equal(("rejected", false), Truth(calls["id-5550008"]));
        Assert.Equal(("failed", false), Truth(calls["id-ctx"]));
        Assert.Equal(("failed", false), Truth(calls["id-bogus"]));
        Assert.All(calls.Values, l => Assert.False(l.GetProperty("ledger").GetBoolean()));
        var answered = calls["id-5550001"];
        Assert.True(DateTimeOffset.Parse(answered.GetProperty("endedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(answered.GetProperty("startedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_call_cut_by_a_restart_while_ringing_is_interrupted_and_an_answered_one_stays_answered()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = 10,
            RecordPath = _path,
            Outcomes = new OutcomeRules([new("1$", SimulatedOutcome.Answered, 0, 60), new("3$", SimulatedOutcome.NoAnswer)]),
        });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Originate", ("Channel", "Local/5550001@pstn"), ("Context", "agents"), ("Exten", "100"), ("Async", "true"), ("Timeout", "60000"), ("ChannelId", "up"));
        await c.SendActionAsync("Originate", ("Channel", "Local/5550003@pstn"), ("Context", "agents"), ("Exten", "100"), ("Async", "true"), ("Timeout", "60000"), ("ChannelId", "ringing"), ("ActionID", "r"));
        await Eventually.WaitUntilAsync(() => c.Received.Any(m => m.IsResponse && m.ActionId == "r") && c.Received.Any(m => m.IsEventNamed("OriginateResponse")));
        await sim.RestartAsync(TimeSpan.FromMilliseconds(10));

        var calls = Lines().Where(l => l.TryGetProperty("channelId", out _)).ToDictionary(l => l.GetProperty("channelId").GetString()!);
        Assert.Equal(("answered", true), Truth(calls["up"]));
        Assert.Equal(("interrupted", false), Truth(calls["ringing"]));
    }

    [Fact]
    public async Task A_call_through_the_ledger_is_recorded_with_its_channel_id_digits_and_ledger_true()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 50, RecordPath = _path, LedgerInstalled = true });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Originate", LedgerTests.Wrapper("4158137412", "w-busy", ring: 8));
        await c.SendActionAsync("Originate", LedgerTests.Wrapper("4158137410", "w-up", ring: 8));
        await Eventually.WaitUntilAsync(() => Lines().Count(l => l.TryGetProperty("channelId", out _)) == 2);

        var lines = Lines();
        Assert.Equal(["w-busy/4158137412", "w-up/4158137410"], lines.Where(l => l.TryGetProperty("originate", out _)).Select(l => l.GetProperty("originate").GetString() + "/" + l.GetProperty("number").GetString()));
        var calls = lines.Where(l => l.TryGetProperty("channelId", out _)).ToDictionary(l => l.GetProperty("channelId").GetString()!);
        Assert.Equal(("busy", false), Truth(calls["w-busy"]));
        Assert.Equal(("answered", true), Truth(calls["w-up"]));
        Assert.All(calls.Values, l => Assert.True(l.GetProperty("ledger").GetBoolean()));
        Assert.All(calls.Values, l => Assert.StartsWith("415813741", l.GetProperty("number").GetString(), StringComparison.Ordinal));
    }

    private static (string?, bool) Truth(JsonElement line) => (line.GetProperty("outcome").GetString(), line.GetProperty("answered").GetBoolean());

    private List<JsonElement> Lines() =>
        Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    // The simulator still has the file open for appending, as a test in another process would find it.
    private string Text()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
