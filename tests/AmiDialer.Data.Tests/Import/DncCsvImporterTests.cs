using System.Text;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Tests.Import;

public sealed class DncCsvImporterTests
{
    [Fact]
    public async Task A_csv_with_a_phone_column_or_a_bare_list_is_added_with_bad_lines_reported()
    {
        await using var db = await TempDatabase.CreateAsync();
        var importer = new DncCsvImporter(db.Database, db.Time);
        var withHeader = await importer.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes("name;Mobile\nA;(212) 555-0100\nB;oops\nC;212 555 0100\n")), "dnc.csv", null, "alice");
        Assert.Equal((3L, 1L, 1L, 1L), (withHeader.RowsRead, withHeader.Added, withHeader.AlreadyListed, withHeader.Rejected));
        Assert.Equal(3, withHeader.FirstErrors.Single().Line);
        Assert.Equal("line 3, column 2: not a number", withHeader.FirstErrors.Single().ToString());

        var c = await db.CreateCampaignAsync();
        var bare = await importer.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes("+12125550101\n2125550102\n")), "list.txt", c.Id, "alice");
        Assert.Equal(2, bare.Added);
        Assert.True(await db.Dnc.IsBlockedAsync("+12125550100", c.Id));
        Assert.True(await db.Dnc.IsBlockedAsync("+12125550102", c.Id));
        Assert.Equal(DncSource.Import, (await db.Dnc.ListAsync(c.Id))[0].Source);
    }
}
