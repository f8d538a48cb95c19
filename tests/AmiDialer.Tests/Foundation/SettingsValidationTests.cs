using AmiDialer.Configuration;
using Microsoft.Extensions.Configuration;

namespace AmiDialer.Tests.Foundation;

/// <summary>The settings binder and validator: every bad value named with its key, typos warned with the nearest key.</summary>
public sealed class SettingsValidationTests
{
    [Fact]
    public void Every_value_that_does_not_convert_is_named_with_its_key_and_what_was_expected()
    {
        var ex = Assert.Throws<SettingsException>(() => Load(new()
        {
            ["Ami:Servers:0:Name"] = "a",
            ["Ami:Servers:0:Host"] = "h",
            ["Ami:Servers:0:Username"] = "u",
            ["Ami:Servers:0:Port"] = "abc",
            ["Ami:Servers:0:UseTls"] = "maybe",
            ["Ami:Servers:0:Auth"] = "Kerberos",
            ["Ami:Servers:0:PingInterval"] = "10s",
            ["Dialing:RingTimeout"] = "thirty",
            ["Web:MaxUploadBytes"] = "2.5",
        }));

        Assert.Equal(
            [
                "Ami:Servers:0:Auth: 'Kerberos' is not one of Md5, Plain.",
                "Ami:Servers:0:PingInterval: '10s' is not a duration such as 00:00:30.",
                "Ami:Servers:0:Port: 'abc' is not a whole number.",
                "Ami:Servers:0:UseTls: 'maybe' is not true or false.",
                "Dialing:RingTimeout: 'thirty' is not a duration such as 00:00:30.",
                "Web:MaxUploadBytes: '2.5' is not a whole number.",
            ],
            ex.Errors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_value_that_fails_to_convert_does_not_unbind_the_rest_of_its_server()
    {
        var ex = Assert.Throws<SettingsException>(() => Load(new()
        {
            // Port comes before Username in the class; the framework's binder stopped at it.
            ["Ami:Servers:0:Name"] = "a",
            ["Ami:Servers:0:Host"] = "h",
            ["Ami:Servers:0:Port"] = "abc",
            ["Ami:Servers:0:Username"] = "u",
            ["Ami:Servers:0:Secret"] = "s",
        }));

        Assert.Equal("Ami:Servers:0:Port: 'abc' is not a whole number.", Assert.Single(ex.Errors));
    }

    [Fact]
    public void Unknown_keys_under_our_sections_are_warnings_with_the_nearest_known_key()
    {
        var loaded = SettingsLoader.LoadChecked(Config(new()
        {
            ["Ami:Servers:0:Name"] = "a",
            ["Ami:Servers:0:Host"] = "h",
            ["Ami:Servers:0:Username"] = "u",
            ["Ami:Servers:0:Usernme"] = "typo",
            ["Dialing:ClickToCall:AllowedAgent:0"] = "PJSIP/1??",
            ["Dailing:DefaultRegion"] = "GB",
            ["Web:Colour"] = "blue",
            ["Logging:LogLevel:Default"] = "Information",
        }), SettingsUse.None);

        Assert.Contains(loaded.Warnings, w => w.StartsWith("Ami:Servers:0:Usernme", StringComparison.Ordinal) && w.EndsWith("did you mean Ami:Servers:0:Username?", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.StartsWith("Dialing:ClickToCall:AllowedAgent", StringComparison.Ordinal) && w.EndsWith("did you mean Dialing:ClickToCall:AllowedAgents?", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.StartsWith("Dailing", StringComparison.Ordinal) && w.EndsWith("did you mean Dialing?", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.StartsWith("Web:Colour", StringComparison.Ordinal) && w.Contains("Urls, ApiKeys", StringComparison.Ordinal));
        // The framework's own sections are not ours to judge.
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("Logging", StringComparison.Ordinal));
        Assert.Equal(4, loaded.Warnings.Count);
    }

    [Fact]
    public void The_logging_section_is_shared_with_the_framework_levels_and_provider_keys_are_not_warned_about()
    {
        var loaded = SettingsLoader.LoadChecked(Config(new()
        {
            ["Logging:Format"] = "JSON",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:LogLevel:Default"] = "Error",
        }), SettingsUse.None);

        Assert.Empty(loaded.Warnings);
        Assert.Equal("JSON", loaded.Settings.Logging.Format);
        Assert.Equal("Warning", loaded.Settings.Logging.LogLevel["microsoft.aspnetcore"]);
        Assert.Equal("Information", loaded.Settings.Logging.LogLevel["Default"]);
    }

    [Fact]
    public void A_log_format_that_is_not_known_is_an_error_named_with_its_key()
    {
        var ex = Assert.Throws<SettingsException>(() => Load(new() { ["Logging:Format"] = "xml", ["Logging:LogLevel:Default"] = "Information" }));
        Assert.Equal("Logging:Format must be one of simple, json (was 'xml').", Assert.Single(ex.Errors));
    }

    [Theory]
    [InlineData("ZZ")]
    [InlineData("XX")]
    [InlineData("USA")]
    [InlineData("")]
    public void Region_codes_libphonenumber_does_not_know_are_refused(string region)
    {
        var errors = Validate(s => s.Dialing.DefaultRegion = region);
        Assert.Contains(errors, e => e.StartsWith("Dialing:DefaultRegion:", StringComparison.Ordinal) && e.Contains("libphonenumber", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GB")]
    [InlineData("fr")]
    [InlineData("DE")]
    public void Region_codes_libphonenumber_knows_pass(string region)
    {
        Assert.DoesNotContain(Validate(s => s.Dialing.DefaultRegion = region), e => e.Contains("DefaultRegion", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Mars/Olympus")]
    [InlineData("Eastern Standard Time")]
    [InlineData("")]
    public void Time_zones_must_be_iana_ids_this_machine_resolves(string zone)
    {
        Assert.Contains(Validate(s => s.Dialing.DefaultTimeZone = zone), e => e.StartsWith("Dialing:DefaultTimeZone:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("out\rbound")]
    [InlineData("out\nAction: Originate")]
    [InlineData("out bound")]
    [InlineData("out;bound")]
    [InlineData("")]
    public void Contexts_must_be_ami_safe(string context)
    {
        var errors = Validate(s =>
        {
            s.Dialing.AllowedContexts = ["agents", context];
            s.Dialing.ClickToCall.Context = context;
        });
        Assert.Contains(errors, e => e.StartsWith("Dialing:AllowedContexts:1:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Dialing:ClickToCall:Context:", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains('\r', StringComparison.Ordinal) || e.Contains('\n', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PJSIP/1&DAHDI/*")]
    [InlineData("PJSIP/1??,30,U(x)")]
    [InlineData("*/100")]
    [InlineData("PJSIP")]
    [InlineData("PJSIP/1\r\n")]
    [InlineData(" ")]
    public void Agent_globs_must_be_endpoint_patterns(string glob)
    {
        Assert.Contains(Validate(s => s.Dialing.ClickToCall.AllowedAgents = ["PJSIP/1??", glob]), e => e.StartsWith("Dialing:ClickToCall:AllowedAgents:1:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PJSIP/1??")]
    [InlineData("Local/1??@agentphone")]
    [InlineData("SIP/*")]
    public void Agent_globs_that_are_endpoint_patterns_pass(string glob)
    {
        Assert.DoesNotContain(Validate(s => s.Dialing.ClickToCall.AllowedAgents = [glob]), e => e.Contains("AllowedAgents", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{nationl}")]
    [InlineData("9{national")]
    [InlineData("{national}&x")]
    public void Extension_templates_must_parse_and_make_safe_extensions(string template)
    {
        Assert.Contains(Validate(s => s.Dialing.ClickToCall.ExtensionTemplate = template), e => e.StartsWith("Dialing:ClickToCall:ExtensionTemplate:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_list_in_the_configuration_replaces_the_default_and_a_single_value_for_it_is_refused()
    {
        var settings = Load(new() { ["Dialing:AllowedContexts:0"] = "sales" });
        Assert.Equal(["sales"], settings.Dialing.AllowedContexts);

        var ex = Assert.Throws<SettingsException>(() => Load(new() { ["Web:ApiKeys"] = "0123456789abcdef0123" }));
        Assert.StartsWith("Web:ApiKeys: expected a list (Web:ApiKeys:0", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_values_keep_the_defaults()
    {
        var settings = Load(new() { ["Dialing:RingTimeout"] = "", ["Web:MaxUploadBytes"] = "" });
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Dialing.RingTimeout);
        Assert.Equal(200L * 1024 * 1024, settings.Web.MaxUploadBytes);
    }

    [Theory]
    [InlineData("Usernme", "Username")]
    [InlineData("username", "Username")]
    [InlineData("DefautRegion", "DefaultRegion")]
    [InlineData("Sercet", "Secret")]
    [InlineData("Colour", null)]
    public void Nearest_key_finds_typos_only(string typed, string? expected)
    {
        Assert.Equal(expected, NearestKey.Find(typed, ["Name", "Host", "Port", "Username", "Secret", "DefaultRegion", "Urls"]));
    }

    [Fact]
    public void A_value_from_an_environment_variable_is_named_in_both_forms()
    {
        const string name = "AMIDIALER_Dialing__DefaultTimeZone";
        Environment.SetEnvironmentVariable(name, "Mars/Olympus");
        try
        {
            var ex = Assert.Throws<SettingsException>(() => SettingsLoader.Load(SettingsLoader.BuildConfiguration(null), SettingsUse.None));
            var error = Assert.Single(ex.Errors);
            Assert.StartsWith("Dialing:DefaultTimeZone: 'Mars/Olympus'", error, StringComparison.Ordinal);
            Assert.Contains("(from environment variable AMIDIALER_Dialing__DefaultTimeZone)", error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    private static IReadOnlyList<string> Validate(Action<AmiDialerSettings> change)
    {
        var settings = SettingsLoader.Load(SettingsLoader.BuildConfiguration(null), SettingsUse.None);
        change(settings);
        return SettingsValidator.Validate(settings, SettingsUse.None);
    }

    [Fact]
    public async Task A_servers_ledger_key_reaches_the_engine_default_off()
    {
        var path = Path.Combine(Path.GetTempPath(), $"amidialer-ledger-{Guid.NewGuid():N}.db");
        var settings = Load(new()
        {
            ["Database:Path"] = path,
            ["Ami:Servers:0:Name"] = "with", ["Ami:Servers:0:Host"] = "h", ["Ami:Servers:0:Username"] = "u", ["Ami:Servers:0:Ledger"] = "true",
            ["Ami:Servers:1:Name"] = "without", ["Ami:Servers:1:Host"] = "h", ["Ami:Servers:1:Username"] = "u",
        });
        try
        {
            await using var services = await AmiDialer.Hosting.AppServices.CreateAsync(settings, simulate: false, CancellationToken.None);
            Assert.Equal([true, false], services.EngineOptions().Servers.Select(s => s.Ledger));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }

        var ex = Assert.Throws<SettingsException>(() => Load(new() { ["Ami:Servers:0:Name"] = "a", ["Ami:Servers:0:Host"] = "h", ["Ami:Servers:0:Username"] = "u", ["Ami:Servers:0:Ledger"] = "installed" }));
        Assert.Contains("Ami:Servers:0:Ledger: 'installed' is not true or false.", ex.Errors);
    }

    private static AmiDialerSettings Load(Dictionary<string, string?> values) => SettingsLoader.Load(Config(values), SettingsUse.None);

    private static IConfigurationRoot Config(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
