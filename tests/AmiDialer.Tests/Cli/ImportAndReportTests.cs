using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Cli;

public sealed class ImportAndReportTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Import_into_an_unknown_campaign_fails_unless_create_is_given()
    {
        var refused = await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "new");
        Assert.Equal(AmiDialerCli.Failure, refused.Code);
        Assert.Contains("--create", refused.Error, StringComparison.Ordinal);

        var created = await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "new", "--create");
        Assert.True(created.Code == AmiDialerCli.Success, created.ToString());
        Assert.Contains("Created campaign 'new'", created.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^imported\s+20$", created.Output);
        // Not a terminal: plain progress lines on stderr, never a carriage-return bar.
        Assert.Contains("rows read", created.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', created.Error);
    }

    [Fact]
    public async Task Broken_rows_are_counted_and_listed_with_the_error_csv()
    {
        var result = await cli.Db("import", RepoPaths.Campaign("broken.csv"), "--campaign", "b", "--create");
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Matches(@"(?m)^duplicates skipped\s+2$", result.Output);
        Assert.Contains("  line 3, column 'phone': not a number", result.Output, StringComparison.Ordinal);
        Assert.Contains("  line 8, column 4: 5 cells but the header has 3", result.Output, StringComparison.Ordinal);
        Assert.Contains("  line 9: bad quoting", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("column column", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("column :", result.Output, StringComparison.Ordinal);
        var path = result.Output.Split('\n').Single(l => l.StartsWith("Rejected rows", StringComparison.Ordinal)).Split(": ", 2)[1].Trim();
        Assert.True(File.Exists(path), path);
        Assert.Contains("import_error_reason", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_csv_is_refused_and_nothing_is_imported()
    {
        var binary = cli.File("photo.csv", "\u0000\u0001\u0002PNG\u0000\u0000");
        var result = await cli.Db("import", binary, "--campaign", "x", "--create");
        Assert.Equal(AmiDialerCli.Failure, result.Code);
        Assert.Contains("refused", result.Error, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "x", "--format", "json")).Output);
        Assert.Equal(0, doc.RootElement.GetProperty("leads").GetInt64());
    }

    [Fact]
    public async Task Phone_column_delimiter_and_region_options_reach_the_importer()
    {
        var file = cli.File("fr.csv", "nom;portable\nAda;01 23 45 67 89\nBob;06 12 34 56 78\n");
        var result = await cli.Db("import", file, "--campaign", "fr", "--create", "--delimiter", ";", "--phone-column", "portable", "--region", "FR");
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Matches(@"(?m)^imported\s+2$", result.Output);
        var leads = await cli.Db("report", "--campaign", "fr", "--leads", "--format", "csv");
        Assert.Contains("+33123456789", leads.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_of_a_fresh_import_has_every_lead_pending()
    {
        await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "s", "--create");
        var json = await cli.Db("report", "--campaign", "s", "--format", "json");
        Assert.True(json.Code == AmiDialerCli.Success, json.ToString());
        using var doc = JsonDocument.Parse(json.Output);
        Assert.Equal("s", doc.RootElement.GetProperty("campaign").GetString());
        Assert.Equal(20, doc.RootElement.GetProperty("leads").GetInt64());
        Assert.Equal(20, doc.RootElement.GetProperty("dialable").GetInt64());
        Assert.Equal(20, doc.RootElement.GetProperty("pending").GetInt64());
        Assert.Equal(20, doc.RootElement.GetProperty("states").GetProperty("pending").GetInt64());

        var table = await cli.Db("report", "--campaign", "s");
        Assert.Contains("Leads: 20", table.Output, StringComparison.Ordinal);
        var csv = await cli.Db("report", "--campaign", "s", "--format", "csv");
        Assert.Contains("leads,20", csv.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_lead_csv_has_fields_and_neutralises_formulas_but_not_numbers()
    {
        var file = cli.File("evil.csv", "phone,name\n+12125550100,\"=HYPERLINK(\"\"http://x\"\")\"\n2125550101,@SUM(A1)\n");
        await cli.Db("import", file, "--campaign", "e", "--create");
        var output = Path.Combine(cli.Folder, "leads.csv");
        var result = await cli.Db("report", "--campaign", "e", "--leads", "--format", "csv", "--out", output);
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        var lines = File.ReadAllLines(output);
        Assert.Equal("phone,name,state,outcome,attempts,last_attempt_at,talk_seconds,hangup_cause,hangup_cause_text,simulated,outcome_note", lines[0].TrimStart('\uFEFF'));
        Assert.StartsWith("+12125550100,\"'=HYPERLINK(\"\"http://x\"\")\",pending,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("+12125550101,'@SUM(A1),pending,", lines[2], StringComparison.Ordinal);
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task Per_lead_json_is_one_array()
    {
        await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "j", "--create");
        using var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "j", "--leads", "--format", "json")).Output);
        Assert.Equal(20, doc.RootElement.GetArrayLength());
        Assert.Equal("+12125550100", doc.RootElement[0].GetProperty("phone").GetString());
        Assert.Equal("Ada Lovelace", doc.RootElement[0].GetProperty("fields").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Dnc_numbers_are_blocked_at_import_and_listed()
    {
        var added = await cli.Db("dnc", "add", "(212) 555-0100", "+1 415 555 0102");
        Assert.True(added.Code == AmiDialerCli.Success, added.ToString());
        Assert.Contains("Added 2", added.Output, StringComparison.Ordinal);

        var bad = await cli.Db("dnc", "add", "not a number");
        Assert.Equal(AmiDialerCli.Usage, bad.Code);
        Assert.Contains("'not a number'", bad.Error, StringComparison.Ordinal);

        var list = await cli.Db("dnc", "list", "--format", "csv");
        Assert.Contains("+12125550100,all,manual,", list.Output, StringComparison.Ordinal);

        await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "d", "--create");
        using (var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "d", "--format", "json")).Output))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("blocked").GetInt64());
            Assert.Equal(18, doc.RootElement.GetProperty("dialable").GetInt64());
        }

        var removed = await cli.Db("dnc", "remove", "+12125550100");
        Assert.True(removed.Code == AmiDialerCli.Success, removed.ToString());
        Assert.Contains("1 lead of this number stays blocked", removed.Output, StringComparison.Ordinal);
        Assert.Contains("dnc unblock", removed.Output, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "d", "--format", "json")).Output))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("blocked").GetInt64());
        }

        var unblocked = await cli.Db("dnc", "unblock", "+12125550100");
        Assert.True(unblocked.Code == AmiDialerCli.Success, unblocked.ToString());
        Assert.Contains("1 lead unblocked", unblocked.Output, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "d", "--format", "json")).Output))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("blocked").GetInt64());
            Assert.Equal(19, doc.RootElement.GetProperty("dialable").GetInt64());
        }

        var again = await cli.Db("dnc", "remove", "+12125550100");
        Assert.Equal(AmiDialerCli.Failure, again.Code);
        Assert.Contains("Not on the do-not-call list", again.Error, StringComparison.Ordinal);
        using var listed = JsonDocument.Parse((await cli.Db("dnc", "list", "--format", "json")).Output);
        Assert.Equal(["+14155550102"], listed.RootElement.EnumerateArray().Select(e => e.GetProperty("number").GetString()));

        var freed = await cli.Db("dnc", "remove", "+1 415 555 0102", "--unblock");
        Assert.True(freed.Code == AmiDialerCli.Success, freed.ToString());
        Assert.Contains("+14155550102 removed from the do-not-call list; 1 lead unblocked.", freed.Output, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "d", "--format", "json")).Output))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("blocked").GetInt64());
            Assert.Equal(20, doc.RootElement.GetProperty("dialable").GetInt64());
        }
    }

    [Fact]
    public async Task Dnc_import_takes_a_phone_column_or_a_bare_list_and_scopes_to_a_campaign()
    {
        await cli.Db("campaign", "create", "scoped");
        var csv = cli.File("dnc.csv", "name,phone\nA,2125550100\nB,oops\nC,2125550101\n");
        var result = await cli.Db("dnc", "import", csv, "--campaign", "scoped");
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains("2 added", result.Output, StringComparison.Ordinal);
        Assert.Contains("1 rejected", result.Output, StringComparison.Ordinal);
        Assert.Contains("line 3", result.Output, StringComparison.Ordinal);

        var bare = cli.File("bare.txt", "3125550104\n3125550105\n");
        Assert.Contains("2 added", (await cli.Db("dnc", "import", bare)).Output, StringComparison.Ordinal);

        using var doc = JsonDocument.Parse((await cli.Db("dnc", "list", "--campaign", "scoped", "--format", "json")).Output);
        Assert.All(doc.RootElement.EnumerateArray(), e => Assert.Equal("scoped", e.GetProperty("campaign").GetString()));
        Assert.Equal(2, doc.RootElement.GetArrayLength());
    }
}
