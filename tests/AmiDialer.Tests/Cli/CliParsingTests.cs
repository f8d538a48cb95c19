using AmiDialer.Cli;

namespace AmiDialer.Tests.Cli;

/// <summary>Usage errors: exit 2 before anything is opened, with a message naming the bad option and value.</summary>
public sealed class CliParsingTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    public static TheoryData<string[], string> BadUsage => new()
    {
        { ["campaign", "create", "c1", "--hours", "25:00-26:00"], "--hours" },
        { ["campaign", "create", "c1", "--hours", "21:00-08:00"], "--hours" },
        { ["campaign", "create", "c1", "--days", "Funday"], "--days" },
        { ["campaign", "create", "c1", "--window", "09:00-12:00", "--window", "nope"], "--window 'nope'" },
        { ["campaign", "create", "c1", "--retry", "busy=5x:3"], "--retry" },
        { ["campaign", "create", "c1", "--retry", "sleepy=5m:3"], "sleepy" },
        { ["campaign", "create", "c1", "--max-concurrent", "0"], "--max-concurrent" },
        { ["campaign", "create", "c1", "--max-concurrent", "many"], "--max-concurrent" },
        { ["campaign", "create", "c1", "--cps", "-1"], "--cps" },
        { ["campaign", "create", "c1", "--ring-timeout", "5"], "--ring-timeout" },
        { ["campaign", "create", "c1", "--time-zone", "Mars/Olympus"], "--time-zone" },
        { ["campaign", "create", "c1", "--start", "yesterday"], "--start" },
        { ["campaign", "create", "c1", "--destination", "agents,100"], "--destination" },
        { ["campaign", "create", "c1", "--dial", "PJSIP/trunk"], "--dial" },
        { ["campaign", "create", "c1", "--dial", "PJSIP/{number}@trunk\r\nAction: Hangup"], "--dial" },
        { ["campaign", "create", "c1", "--var", "1BAD=x"], "1BAD" },
        { ["campaign", "create", "c1", "--var", "CDR(x)=y"], "CDR(x)" },
        { ["campaign", "create", "c1", "--var-field", "APPT"], "--var-field" },
        { ["campaign", "create", "c1", "--max-attempts", "0"], "--max-attempts" },
        { ["campaign", "create", "c1", "--caller-id", "\"x\" <1>\nAction: Originate"], "--caller-id" },
        { ["campaign", "create"], "name" },
        { ["campaign", "show", " padded "], "name" },
        { ["report"], "--campaign" },
        { ["report", "--campaign", "c1", "--format", "xml"], "--format" },
        { ["import", "no-such-file.csv", "--campaign", "c1"], "no-such-file.csv" },
        { ["import", "--campaign", "c1"], "file.csv" },
        { ["run"], "--simulate" },
        { ["run", "--campaign", "c1", "--time-scale", "10"], "--time-scale" },
        { ["run", "--simulate", "--time-scale", "0"], "--time-scale" },
        { ["serve", "--urls", "ftp://x"], "--urls" },
        { ["simulate", "--port", "70000"], "--port" },
        { ["dnc", "add"], "number" },
        { ["dnc", "list", "--format", "yaml"], "--format" },
        { ["no-such-command"], "no-such-command" },
    };

    [Theory]
    [MemberData(nameof(BadUsage))]
    public async Task Bad_usage_exits_two_and_names_the_option(string[] args, string named)
    {
        var result = await cli.Db(args);
        Assert.True(result.Code == AmiDialerCli.Usage, result.ToString());
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.DatabasePath), "a usage error must not create the database");
    }

    public static TheoryData<string[]> Commands => new()
    {
        { [] },
        { ["run"] },
        { ["serve"] },
        { ["import"] },
        { ["report"] },
        { ["simulate"] },
        { ["campaign"] },
        { ["campaign", "create"] },
        { ["campaign", "update"] },
        { ["campaign", "list"] },
        { ["campaign", "show"] },
        { ["campaign", "start"] },
        { ["campaign", "pause"] },
        { ["campaign", "resume"] },
        { ["campaign", "stop"] },
        { ["dnc"] },
        { ["dnc", "add"] },
        { ["dnc", "remove"] },
        { ["dnc", "unblock"] },
        { ["dnc", "import"] },
        { ["dnc", "list"] },
        { ["admin", "set-password"] },
        { ["config", "check"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_has_help(string[] path)
    {
        var result = await cli.Run([.. path, "--help"]);
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+\S+ " + string.Join(' ', path), result.Output);
    }

    [Fact]
    public async Task Campaign_create_help_lists_every_documented_option()
    {
        var result = await cli.Run("campaign", "create", "--help");
        foreach (var option in new[] { "--dial", "--destination", "--caller-id", "--max-concurrent", "--cps", "--ring-timeout", "--hours", "--days", "--window", "--time-zone", "--start", "--end", "--retry", "--max-attempts", "--var", "--var-field" })
        {
            Assert.Contains(option + " ", result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Import_help_lists_every_documented_option()
    {
        var result = await cli.Run("import", "--help");
        foreach (var option in new[] { "--campaign", "--create", "--region", "--phone-column", "--delimiter" })
        {
            Assert.Contains(option + " ", result.Output, StringComparison.Ordinal);
        }
    }
}
