using AmiDialer.Configuration;
using AmiDialer.Hosting;

namespace AmiDialer.Tests.Foundation;

/// <summary>Dialing:MaxAbandonRate, Dialing:AbandonWindow and Dialing:AbandonRetryDelay: defaults, refusals naming the key, and the engine's copy.</summary>
public sealed class AbandonSettingsTests
{
    [Theory]
    [InlineData("Dialing:MaxAbandonRate", "3", "Dialing:MaxAbandonRate must be a fraction between 0 and 1, e.g. 0.03 for 3% (was 3).")]
    [InlineData("Dialing:AbandonWindow", "7d", "Dialing:AbandonWindow must be 30d (TCPA: per campaign over 30 days) or 24h (Ofcom: over 24 hours) (was '7d').")]
    [InlineData("Dialing:AbandonRetryDelay", "-01:00:00", "Dialing:AbandonRetryDelay must not be negative (was -01:00:00).")]
    public void A_bad_value_is_refused_naming_its_key(string key, string value, string expected)
    {
        var ex = Assert.Throws<SettingsException>(() => SettingsLoader.Load(SettingsLoader.BuildConfiguration(null, [new KeyValuePair<string, string?>(key, value)]), SettingsUse.None));
        Assert.Contains(expected, ex.Errors);
    }

    [Fact]
    public async Task The_defaults_are_the_us_rule_and_a_24_hour_window_reaches_the_engine()
    {
        var settings = SettingsLoader.Load(SettingsLoader.BuildConfiguration(null), SettingsUse.None);
        Assert.Equal((0.03, "30d", TimeSpan.FromHours(72)), (settings.Dialing.MaxAbandonRate, settings.Dialing.AbandonWindow, settings.Dialing.AbandonRetryDelay));

        settings.Database.Path = Path.Combine(Path.GetTempPath(), $"amidialer-abandon-{Guid.NewGuid():N}.db");
        settings.Dialing.AbandonWindow = "24h";
        settings.Dialing.MaxAbandonRate = 0.02;
        await using var services = await AppServices.CreateAsync(settings, simulate: false, CancellationToken.None);
        var engine = services.EngineOptions();
        Assert.Equal((TimeSpan.FromHours(24), 0.02, TimeSpan.FromHours(72)), (engine.AbandonWindow, engine.MaxAbandonRate, engine.AbandonRetryDelay));
    }
}
