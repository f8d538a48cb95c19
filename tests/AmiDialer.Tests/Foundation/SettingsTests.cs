using AmiDialer.Configuration;
using Microsoft.Extensions.Configuration;

namespace AmiDialer.Tests.Foundation;

public sealed class SettingsTests
{
    [Fact]
    public void Shipped_appsettings_is_valid_without_ami()
    {
        var settings = SettingsLoader.Load(SettingsLoader.BuildConfiguration(null), SettingsUse.None);
        Assert.Equal("data/amidialer.db", settings.Database.Path);
        Assert.Equal("pbx1", Assert.Single(settings.Ami.Servers).Name);
        Assert.Equal(AmiAuthKind.Md5, settings.Ami.Servers[0].Auth);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Dialing.RingTimeout);
    }

    [Fact]
    public void Shipped_appsettings_commits_no_secret_and_demands_one_for_ami()
    {
        var ex = Assert.Throws<SettingsException>(() => SettingsLoader.Load(SettingsLoader.BuildConfiguration(null), SettingsUse.Ami));
        var error = Assert.Single(ex.Errors);
        Assert.Contains("Ami:Servers:0:Secret", error, StringComparison.Ordinal);
        Assert.Contains("AMIDIALER_Ami__Servers__0__Secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_key_is_named_in_one_message_and_no_secret_is_echoed()
    {
        var config = Config(new()
        {
            ["Ami:Servers:0:Name"] = "a",
            ["Ami:Servers:0:Host"] = "",
            ["Ami:Servers:0:Port"] = "70000",
            ["Ami:Servers:0:Username"] = "u",
            ["Ami:Servers:0:Secret"] = "hunter2-secret",
            ["Ami:Servers:1:Name"] = "a",
            ["Ami:Servers:1:Host"] = "h",
            ["Ami:Servers:1:Username"] = "u",
            ["Ami:Servers:1:Secret"] = "hunter2-secret",
            ["Dialing:RingTimeout"] = "00:00:05",
            ["Dialing:CallingHours"] = "8am-9pm",
            ["Dialing:DefaultTimeZone"] = "Mars/Olympus",
            ["Web:Urls"] = "ftp://x",
        });

        var ex = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, SettingsUse.Ami));
        foreach (var key in new[] { "Ami:Servers:0:Host", "Ami:Servers:0:Port", "Ami:Servers:1:Name", "Dialing:RingTimeout", "Dialing:CallingHours", "Dialing:DefaultTimeZone", "Web:Urls" })
        {
            Assert.Contains(ex.Errors, e => e.StartsWith(key, StringComparison.Ordinal));
        }

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unconvertible_value_names_the_key()
    {
        var config = Config(new() { ["Ami:Servers:0:Port"] = "not-a-port" });
        var ex = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, SettingsUse.None));
        Assert.Contains(ex.Errors, e => e.Contains("Ami:Servers:0:Port", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_variables_with_the_prefix_override_the_file()
    {
        const string name = "AMIDIALER_Ami__Servers__0__Host";
        Environment.SetEnvironmentVariable(name, "pbx.example.test");
        try
        {
            var settings = SettingsLoader.Load(SettingsLoader.BuildConfiguration(null), SettingsUse.None);
            Assert.Equal("pbx.example.test", settings.Ami.Servers[0].Host);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Config_file_is_layered_over_appsettings()
    {
        var file = Path.Combine(Path.GetTempPath(), $"amidialer-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "Database": { "Path": "/tmp/x.db" }, "Dialing": { "DefaultRegion": "GB" } }""");
        try
        {
            var settings = SettingsLoader.Load(SettingsLoader.BuildConfiguration(file), SettingsUse.None);
            Assert.Equal("/tmp/x.db", settings.Database.Path);
            Assert.Equal("GB", settings.Dialing.DefaultRegion);
            Assert.Equal("pbx1", settings.Ami.Servers[0].Name);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Missing_config_file_is_named()
    {
        var ex = Assert.Throws<SettingsException>(() => SettingsLoader.BuildConfiguration("/nonexistent/amidialer.json"));
        Assert.Contains("--config", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/amidialer.json", ex.Message, StringComparison.Ordinal);
    }

    private static IConfigurationRoot Config(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
