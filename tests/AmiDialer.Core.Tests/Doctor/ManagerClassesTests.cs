using AmiDialer.Core.Doctor;
using AmiDialer.Testing;
using Xunit;

namespace AmiDialer.Core.Tests.Doctor;

/// <summary>The write-class rules against what Asterisk really listed per user (k3: dialer 112 actions, readonly 21, limited 60).</summary>
public sealed class ManagerClassesTests
{
    [Theory]
    [InlineData("dialer", 112)]
    [InlineData("readonly", 21)]
    [InlineData("limited", 60)]
    public void ListCommands_as_recorded_parses_to_every_listed_action(string user, int count) =>
        Assert.Equal(count, ManagerClasses.ParseListCommands(Recorded(user)).Count);

    [Fact]
    public void The_recorded_classes_of_the_dialers_actions_are_the_rule_s()
    {
        var listed = ManagerClasses.ParseListCommands(Recorded("dialer"));
        foreach (var (action, classes) in ManagerClasses.WriteClasses)
        {
            Assert.True(listed.ContainsKey(action), action);
            Assert.Equal(classes.Order(), listed[action].Order());
        }
    }

    [Fact]
    public void A_full_user_misses_nothing_even_with_the_ledger()
    {
        var listed = ManagerClasses.ParseListCommands(Recorded("dialer"));
        Assert.Empty(DialerActions.Missing(DialerActions.Needed(ledger: true), listed));
    }

    [Fact]
    public void The_read_only_user_misses_every_action_and_each_names_its_class()
    {
        var missing = DialerActions.Missing(DialerActions.Needed(ledger: false), ManagerClasses.ParseListCommands(Recorded("readonly")));

        Assert.Equal(
            [("Originate", "originate", true), ("Hangup", "call", false), ("CoreShowChannels", "reporting", false), ("Redirect", "call", false)],
            missing.Select(m => (m.Need.Action, m.ClassToAdd, m.Need.Blocking)));
    }

    [Fact]
    public void The_limited_user_write_call_may_hang_up_and_redirect_but_not_originate_nor_read_channels_or_the_ledger()
    {
        var missing = DialerActions.Missing(DialerActions.Needed(ledger: true), ManagerClasses.ParseListCommands(Recorded("limited")));

        Assert.Equal(
            [("Originate", "originate"), ("CoreShowChannels", "reporting"), ("DBGet", "system"), ("DBDel", "system"), ("ShowDialPlan", "reporting")],
            missing.Select(m => (m.Need.Action, m.ClassToAdd)));
    }

    [Fact]
    public void The_ledger_adds_its_database_and_dialplan_actions()
    {
        Assert.DoesNotContain(DialerActions.Needed(ledger: false), n => n.Action is "DBGet" or "DBDel" or "ShowDialPlan");
        Assert.Contains(DialerActions.Needed(ledger: true), n => n.Action == "DBDel");
        Assert.Single(DialerActions.Needed(ledger: true), n => n.Blocking);
    }

    [Fact]
    public void The_class_to_add_is_never_config_or_command_for_what_the_dialer_needs()
    {
        foreach (var need in DialerActions.Needed(ledger: true))
        {
            Assert.DoesNotContain(ManagerClasses.ClassToAdd(need.Action), new[] { "config", "command" });
        }
    }

    [Fact]
    public void Headers_that_are_not_actions_are_skipped()
    {
        var parsed = ManagerClasses.ParseListCommands([new("Response", "Success"), new("ActionID", "x"), new("Ping", "Keepalive command.  (Priv: <none>)")]);
        Assert.Equal(["Ping"], parsed.Keys);
        Assert.Empty(parsed["Ping"]);
    }

    /// <summary>The headers of the ListCommands response on that user's connection in k3's raw bytes.</summary>
    internal static List<KeyValuePair<string, string>> Recorded(string user)
    {
        var raw = File.ReadAllText(RepoPaths.Capture($"k3-dialplan-and-privileges.{user}.raw"));
        var message = raw.Split("\r\n\r\n").Single(m => m.Contains("ActionID: listcommands-", StringComparison.Ordinal));
        return [.. message.Split("\r\n").Select(l => l.Split(": ", 2)).Where(p => p.Length == 2).Select(p => new KeyValuePair<string, string>(p[0], p[1]))];
    }
}
