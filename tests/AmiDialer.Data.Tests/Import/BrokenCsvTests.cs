using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing;

namespace AmiDialer.Data.Tests.Import;

/// <summary>campaigns/broken.csv: every line does what campaigns/README.md says it does.</summary>
public sealed class BrokenCsvTests
{
    [Fact]
    public async Task Every_line_of_broken_csv_is_handled_as_the_readme_table_says()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();

        var result = await db.Importer.ImportFileAsync(RepoPaths.Campaign("broken.csv"), new CsvImportOptions { CampaignId = campaign.Id });

        var errors = result.FirstErrors.ToDictionary(e => e.Line);
        Assert.Equal("not a number", errors[3].Reason);
        Assert.Equal("phone", errors[3].Column);
        Assert.Equal("too short", errors[4].Reason);
        Assert.Equal("invalid for region US", errors[6].Reason);
        Assert.Contains("5 cells but the header has 3", errors[8].Reason, StringComparison.Ordinal);
        Assert.Equal("4", errors[8].Column);
        Assert.StartsWith("bad quoting", errors[9].Reason, StringComparison.Ordinal);
        Assert.Equal("", errors[9].Column);
        Assert.Equal("line 8, column 4: 5 cells but the header has 3", errors[8].ToString());
        Assert.Equal("line 3, column 'phone': not a number", errors[3].ToString());
        Assert.StartsWith("line 9: bad quoting", errors[9].ToString(), StringComparison.Ordinal);
        Assert.Equal("no number", errors[13].Reason);
        Assert.Equal("not a number", errors[14].Reason);
        Assert.Equal([3, 4, 6, 8, 9, 13, 14], errors.Keys.Order().Select(k => (int)k));

        // Lines 2, 5, 7 (short row), 15, 16, 17 imported; 11 and 12 duplicates of 2; 10 blank.
        Assert.Equal(6, result.Imported);
        Assert.Equal(2, result.Duplicates);
        Assert.Equal(7, result.Rejected);
        Assert.Equal(15, result.RowsRead);
        Assert.Equal(17, result.LastCommittedLine);

        var uk = await db.Leads.GetByPhoneAsync(campaign.Id, "+442079460958");
        Assert.NotNull(uk);
        Assert.Equal(["Europe/London"], uk.TimeZones);
        var shortRow = await db.Leads.GetByPhoneAsync(campaign.Id, "+14155550105");
        Assert.Equal("Short Row", shortRow!.Fields["name"]);
        Assert.Equal("", shortRow.Fields["appointment"]);
        var quoted = await db.Leads.GetByPhoneAsync(campaign.Id, "+13035550112");
        Assert.Equal("Name with \"quotes\", and comma", quoted!.Fields["name"]);
        Assert.NotNull(await db.Leads.GetByPhoneAsync(campaign.Id, "+13035550111"));
        var first = await db.Leads.GetByPhoneAsync(campaign.Id, "+12125550100");
        Assert.Equal("Ada Lovelace", first!.Fields["name"]);
        Assert.Equal(LeadState.Pending, first.State);
        Assert.Equal(["America/New_York"], first.TimeZones);

        var record = await db.Imports.GetAsync(result.ImportId);
        Assert.Equal(ImportStatus.Completed, record!.Status);
        Assert.Equal(6, record.RowsImported);
        Assert.Equal(result.ErrorCsvPath, record.ErrorFile);
    }

    [Fact]
    public async Task The_error_csv_names_line_column_and_reason_and_never_echoes_a_formula()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        var result = await db.Importer.ImportFileAsync(RepoPaths.Campaign("broken.csv"), new CsvImportOptions { CampaignId = campaign.Id, ErrorCsvPath = db.PathOf("errors.csv") });

        var text = await File.ReadAllTextAsync(result.ErrorCsvPath!);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("phone,name,appointment,import_error_line,import_error_column,import_error_reason", lines[0].TrimStart('\uFEFF'));
        Assert.Equal(8, lines.Length);
        Assert.Contains("'=1+2,Formula Injection,2026-12-01 15:00,14,phone,not a number", lines, StringComparer.Ordinal);
        Assert.Contains("12345,Too Short,2026-12-01 10:30,4,phone,too short", lines, StringComparer.Ordinal);
        Assert.DoesNotContain(lines, l => l.StartsWith('='));
    }
}
