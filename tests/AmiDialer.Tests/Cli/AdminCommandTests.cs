using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Hosting;

namespace AmiDialer.Tests.Cli;

public sealed class AdminCommandTests : IDisposable
{
    private readonly CliRunner cli = new() { Input = "correct horse battery\n" };

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Set_password_prints_a_hash_that_verifies_and_never_the_password()
    {
        var result = await cli.Run("admin", "set-password", "--password-stdin");
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        var hash = result.Output.Trim();
        Assert.StartsWith("PBKDF2-SHA256$", hash, StringComparison.Ordinal);
        Assert.True(AdminPassword.Verify("correct horse battery", hash));
        Assert.False(AdminPassword.Verify("correct horse batterY", hash));
        Assert.DoesNotContain("horse", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_merges_the_hash_into_a_settings_file_the_loader_reads()
    {
        var file = cli.File("web.json", """{ "Web": { "Urls": "http://127.0.0.1:6000" }, "Database": { "Path": "x.db" } }""");
        var result = await cli.Run("admin", "set-password", "--password-stdin", "--save", file);
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var saved = doc.RootElement.GetProperty("Web").GetProperty("AdminPasswordHash").GetString();
        Assert.True(AdminPassword.Verify("correct horse battery", saved));
        Assert.Equal("http://127.0.0.1:6000", doc.RootElement.GetProperty("Web").GetProperty("Urls").GetString());

        var settings = AmiDialer.Configuration.SettingsLoader.Load(AmiDialer.Configuration.SettingsLoader.BuildConfiguration(file), AmiDialer.Configuration.SettingsUse.None);
        Assert.Equal(saved, settings.Web.AdminPasswordHash);
    }

    [Fact]
    public async Task A_short_password_is_refused_with_exit_one()
    {
        using var runner = new CliRunner { Input = "short\n" };
        var result = await runner.Run("admin", "set-password", "--password-stdin");
        Assert.Equal(AmiDialerCli.Failure, result.Code);
        Assert.Contains("at least 8", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Theory]
    [InlineData("")]
    [InlineData("PBKDF2-SHA256$0$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("PBKDF2-SHA256$1000$not base64$x")]
    [InlineData("SHA1$1000$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==")]
    public void Malformed_hashes_never_verify(string stored)
    {
        Assert.False(AdminPassword.Verify("anything at all", stored));
        Assert.False(AdminPassword.IsWellFormed(stored));
    }

    [Fact]
    public void Same_password_hashes_differently_each_time()
    {
        Assert.NotEqual(AdminPassword.Hash("password1", 1000), AdminPassword.Hash("password1", 1000));
        Assert.True(AdminPassword.IsWellFormed(AdminPassword.Hash("password1", 1000)));
    }
}
