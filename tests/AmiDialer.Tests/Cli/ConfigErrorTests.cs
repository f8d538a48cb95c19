using AmiDialer.Cli;
using AmiDialer.Tests.Executable;

namespace AmiDialer.Tests.Cli;

/// <summary>Bad configuration through the real executable: every bad key in one message, typos warned, exit 1 before anything runs.</summary>
public sealed class ConfigErrorTests : IDisposable
{
    private readonly CliRunner _runner = new();

    [Fact]
    public async Task Config_check_names_every_bad_value_from_the_environment_at_once()
    {
        var r = await AmiDialerProcess.RunAsync(_runner.Folder, Environment(), AmiDialerProcess.CommandLimit, "config", "check");

        Assert.True(r.Code == AmiDialerCli.Failure, r.ToString());
        AssertEveryBadKeyNamed(r.Error);
        Assert.Contains("AMIDIALER_Ami__Servers__0__Port", r.Error, StringComparison.Ordinal);
        // The failed Port must not cost the server its other values (the framework's binder stopped there).
        Assert.DoesNotContain("Username must not be empty", r.Error, StringComparison.Ordinal);
        Assert.Contains("Ami:Servers:0:Usernme", r.Error, StringComparison.Ordinal);
        Assert.Contains("did you mean Ami:Servers:0:Username?", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_normal_command_with_a_bad_config_file_exits_1_naming_every_bad_key_before_opening_the_database()
    {
        var config = _runner.File("bad.json", """
            {
              "Ami": { "Servers": [ { "Name": "pbx1", "Host": "127.0.0.1", "Port": "abc", "Username": "u", "UseTls": "maybe" } ] },
              "Dialing": {
                "DefaultRegion": "ZZ",
                "DefaultTimeZone": "Mars/Olympus",
                "RingTimeout": "soon",
                "AllowedContexts": [ "agents", "out bound" ],
                "ClickToCall": { "Context": "out;bound", "AllowedAgents": [ "PJSIP/1&DAHDI/*" ], "ExtensionTemplate": "{nationl}" }
              }
            }
            """);
        var r = await AmiDialerProcess.RunAsync(_runner.Folder, AmiDialerProcess.CommandLimit, "campaign", "list", "--config", config, "--db", _runner.DatabasePath);

        Assert.True(r.Code == AmiDialerCli.Failure, r.ToString());
        foreach (var key in new[]
        {
            "Ami:Servers:0:Port: 'abc' is not a whole number", "Ami:Servers:0:UseTls: 'maybe' is not true or false",
            "Dialing:DefaultRegion", "Dialing:DefaultTimeZone", "Dialing:RingTimeout: 'soon' is not a duration",
            "Dialing:AllowedContexts:1", "Dialing:ClickToCall:Context", "Dialing:ClickToCall:AllowedAgents:0", "Dialing:ClickToCall:ExtensionTemplate",
        })
        {
            Assert.True(r.Error.Contains(key, StringComparison.Ordinal), $"'{key}' not named:\n{r}");
        }

        Assert.False(File.Exists(_runner.DatabasePath), "the command ran with a bad configuration");
    }

    [Fact]
    public async Task A_misspelled_key_alone_is_a_warning_and_the_command_runs()
    {
        var env = new Dictionary<string, string> { ["AMIDIALER_Dialing__DefautRegion"] = "GB" };
        var r = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, "config", "check");

        Assert.True(r.Code == AmiDialerCli.Success, r.ToString());
        Assert.Contains("Configuration is valid", r.Output, StringComparison.Ordinal);
        Assert.Contains("Warning: Dialing:DefautRegion (from environment variable AMIDIALER_Dialing__DefautRegion) is not a known setting", r.Error, StringComparison.Ordinal);
        Assert.Contains("did you mean Dialing:DefaultRegion?", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_default_region_fails_config_check_instead_of_crashing_the_import()
    {
        var env = new Dictionary<string, string> { ["AMIDIALER_Dialing__DefaultRegion"] = "ZZ" };
        var check = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, "config", "check");
        var csv = _runner.File("leads.csv", "phone\n2025550100\n");
        var import = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, "import", csv, "--campaign", "c1", "--create", "--db", _runner.DatabasePath);

        foreach (var r in new[] { check, import })
        {
            Assert.True(r.Code == AmiDialerCli.Failure, r.ToString());
            Assert.Contains("Dialing:DefaultRegion: 'ZZ' is not a region", r.Error, StringComparison.Ordinal);
            Assert.Contains("AMIDIALER_Dialing__DefaultRegion", r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", r.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_config_file_that_is_not_json_is_named_with_where_it_breaks()
    {
        var config = _runner.File("broken.json", "{ \"Dialing\": { \"DefaultRegion\": \"GB\"\n");
        var r = await AmiDialerProcess.RunAsync(_runner.Folder, AmiDialerProcess.CommandLimit, "campaign", "list", "--config", config, "--db", _runner.DatabasePath);

        Assert.True(r.Code == AmiDialerCli.Failure, r.ToString());
        Assert.Contains(config, r.Error, StringComparison.Ordinal);
        Assert.Contains("LineNumber", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment() => new()
    {
        ["AMIDIALER_Ami__Servers__0__Port"] = "abc",
        ["AMIDIALER_Ami__Servers__0__Usernme"] = "dialer",
        ["AMIDIALER_Ami__Servers__0__MaxConcurrentCalls"] = "many",
        ["AMIDIALER_Dialing__DefaultRegion"] = "ZZ",
        ["AMIDIALER_Dialing__DefaultTimeZone"] = "Mars/Olympus",
        ["AMIDIALER_Dialing__ClickToCall__Context"] = "out\rbound",
        ["AMIDIALER_Dialing__ClickToCall__AllowedAgents__0"] = "PJSIP/1??&DAHDI/g1",
    };

    private static void AssertEveryBadKeyNamed(string error)
    {
        foreach (var key in new[]
        {
            "Ami:Servers:0:Port: 'abc' is not a whole number", "Ami:Servers:0:MaxConcurrentCalls: 'many' is not a whole number",
            "Dialing:DefaultRegion", "Dialing:DefaultTimeZone", "Dialing:ClickToCall:Context", "Dialing:ClickToCall:AllowedAgents:0",
        })
        {
            Assert.True(error.Contains(key, StringComparison.Ordinal), $"'{key}' not named:\n{error}");
        }
    }

    public void Dispose() => _runner.Dispose();
}
