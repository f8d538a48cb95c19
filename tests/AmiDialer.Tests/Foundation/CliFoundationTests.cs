using AmiDialer.Cli;

namespace AmiDialer.Tests.Foundation;

public sealed class CliFoundationTests
{
    [Fact]
    public async Task Help_lists_the_global_options_and_exits_zero()
    {
        var (code, output, _) = await Run("--help");
        Assert.Equal(AmiDialerCli.Success, code);
        Assert.Contains("--config", output, StringComparison.Ordinal);
        Assert.Contains("--db", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_is_bad_usage_and_named()
    {
        var (code, _, error) = await Run("--no-such-option");
        Assert.Equal(AmiDialerCli.Usage, code);
        Assert.Contains("--no-such-option", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_reports_invalid_settings_with_exit_one()
    {
        var (code, _, error) = await Run("config", "check", "--ami");
        Assert.Equal(AmiDialerCli.Failure, code);
        Assert.Contains("Ami:Servers:0:Secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_honours_db_option()
    {
        var (code, output, _) = await Run("config", "check", "--db", "/tmp/other.db");
        Assert.Equal(AmiDialerCli.Success, code);
        Assert.Contains("/tmp/other.db", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AmiDialerCli.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
