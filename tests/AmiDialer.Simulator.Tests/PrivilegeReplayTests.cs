using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;

namespace AmiDialer.Simulator.Tests;

/// <summary>
/// ListCommands and <c>core show channeltypes</c> against k3: each user sees only what its write classes allow (the
/// simulator implements fewer actions than Asterisk's 112, so it is compared on the ones it has), in Asterisk's words.
/// </summary>
public sealed class PrivilegeReplayTests
{
    [Theory]
    [InlineData("dialer", "dialerpass")]
    [InlineData("readonly", "ro")]
    [InlineData("limited", "limitedpass")]
    public async Task ListCommands_lists_what_k3_listed_for_that_user_among_the_simulated_actions(string user, string secret)
    {
        var recorded = Recorded(user);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Users = [.. SimulatorUser.TestPbxUsers, SimulatorUser.Limited] });
        await using var full = await RawAmiConnection.LoginAsync(sim.EndPoint);
        var simulated = (await ListAsync(full)).Keys.ToHashSet(StringComparer.Ordinal);

        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint, user, secret);
        var ours = await ListAsync(c);

        var expected = recorded.Where(r => simulated.Contains(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, ours.OrderBy(r => r.Key, StringComparer.Ordinal).ToList());
        Assert.Equal(user != "readonly", ours.ContainsKey("Redirect"));
        Assert.Equal(user == "dialer", ours.ContainsKey("Originate"));
    }

    [Fact]
    public async Task Core_show_channeltypes_prints_what_k3_printed_for_a_pbx_with_Local_only_and_is_refused_without_command()
    {
        var raw = File.ReadAllText(AmiDialer.Testing.RepoPaths.Capture("k3-dialplan-and-privileges.dialer.raw"));
        var message = raw.Split("\r\n\r\n").Single(m => m.Contains("ActionID: command-channeltypes", StringComparison.Ordinal));
        var recorded = message.Split("\r\n").Where(l => l.StartsWith("Output: ", StringComparison.Ordinal)).Select(l => l["Output: ".Length..]).ToList();

        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Technologies = ["Local"], Users = [.. SimulatorUser.TestPbxUsers, SimulatorUser.Limited] });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Command", ("Command", "core show channeltypes"), ("ActionID", "ct"));
        var response = await c.ReadUntilAsync(m => m.ActionId == "ct");
        Assert.Equal(("Success", "Command output follows"), (response.Response, response.Message));
        Assert.Equal(recorded, response.GetAll("Output"));

        await using var limited = await RawAmiConnection.LoginAsync(sim.EndPoint, "limited", "limitedpass");
        await limited.SendActionAsync("Command", ("Command", "core show channeltypes"), ("ActionID", "ct2"));
        var refused = await limited.ReadUntilAsync(m => m.ActionId == "ct2");
        Assert.Equal(("Error", "Permission denied"), (refused.Response, refused.Message));
    }

    [Fact]
    public async Task Core_show_channeltypes_lists_the_technologies_the_pbx_can_dial()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Technologies = ["Local", "PJSIP"] });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("Command", ("Command", "core show channeltypes"), ("ActionID", "ct"));
        var output = (await c.ReadUntilAsync(m => m.ActionId == "ct")).GetAll("Output");

        Assert.Contains(output, l => l.StartsWith("PJSIP ", StringComparison.Ordinal));
        Assert.Equal("11 channel drivers registered.", output[^1]);
    }

    private static async Task<Dictionary<string, string>> ListAsync(RawAmiConnection c)
    {
        var id = "lc-" + Guid.NewGuid().ToString("N")[..6];
        await c.SendActionAsync("ListCommands", ("ActionID", id));
        var response = await c.ReadUntilAsync(m => m.ActionId == id);
        return response.AsSpan().ToArray().Where(h => h.Key is not "Response" and not "ActionID").ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
    }

    private static Dictionary<string, string> Recorded(string user)
    {
        var raw = File.ReadAllText(AmiDialer.Testing.RepoPaths.Capture($"k3-dialplan-and-privileges.{user}.raw"));
        var message = raw.Split("\r\n\r\n").Single(m => m.Contains("ActionID: listcommands-", StringComparison.Ordinal));
        return message.Split("\r\n").Select(l => l.Split(": ", 2)).Where(p => p.Length == 2 && p[0] is not "Response" and not "ActionID")
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }
}
