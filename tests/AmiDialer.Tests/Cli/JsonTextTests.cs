using System.Text.Json;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Cli;

/// <summary>JSON the CLI prints is read by people too: "+1..." and "A+B" as written, not "\u002B".</summary>
public sealed class JsonTextTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Report_campaign_and_dnc_json_write_plus_signs_as_they_are()
    {
        await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "A+B", "--create");
        await cli.Db("dnc", "add", "+1 415 555 0199");

        var outputs = new[]
        {
            (await cli.Db("report", "--campaign", "A+B", "--leads", "--format", "json")).Output,
            (await cli.Db("report", "--campaign", "A+B", "--format", "json")).Output,
            (await cli.Db("campaign", "list", "--format", "json")).Output,
            (await cli.Db("dnc", "list", "--format", "json")).Output,
        };

        Assert.Contains("\"+12125550100\"", outputs[0], StringComparison.Ordinal);
        Assert.Contains("\"A+B\"", outputs[1], StringComparison.Ordinal);
        Assert.Contains("\"A+B\"", outputs[2], StringComparison.Ordinal);
        Assert.Contains("\"+14155550199\"", outputs[3], StringComparison.Ordinal);
        Assert.All(outputs, o => Assert.DoesNotContain("\\u002B", o, StringComparison.Ordinal));
        Assert.All(outputs, o => JsonDocument.Parse(o).Dispose());
    }

    [Fact]
    public async Task A_saved_admin_password_hash_is_written_as_printed()
    {
        // Base64 salt and hash: some hashes have a '+'; try until one does, so the file's text shows it.
        for (var i = 0; i < 20; i++)
        {
            var file = Path.Combine(cli.Folder, $"web{i}.json");
            var runner = new CliRunner { Input = "correct horse battery\n" };
            try
            {
                var result = await runner.Run("admin", "set-password", "--password-stdin", "--save", file);
                Assert.Equal(0, result.Code);
                var text = await File.ReadAllTextAsync(file);
                var hash = JsonDocument.Parse(text).RootElement.GetProperty("Web").GetProperty("AdminPasswordHash").GetString()!;
                Assert.Contains(hash, text, StringComparison.Ordinal);
                if (hash.Contains('+', StringComparison.Ordinal))
                {
                    return;
                }
            }
            finally
            {
                runner.Dispose();
            }
        }

        Assert.Fail("no hash with a '+' in 20 tries");
    }
}
