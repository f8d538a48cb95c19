using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Data.Database;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Data.Tests.Repositories;

public sealed class DncRepositoryTests(PostgresFixture postgres) : StoreTests(postgres)
{
    [Theory, SqliteStore, PostgresStore]
    public async Task Scope_is_all_campaigns_or_one_and_changes_are_audited(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var a = await db.CreateCampaignAsync("a");
        var b = await db.CreateCampaignAsync("b");
        Assert.True(await db.Dnc.AddAsync("+12125550100", null, DncSource.Manual, "alice", "asked by phone"));
        Assert.False(await db.Dnc.AddAsync("+12125550100", null, DncSource.Manual, "alice"));
        Assert.True(await db.Dnc.AddAsync("+12125550101", a.Id, DncSource.OptOut, "engine"));

        Assert.True(await db.Dnc.IsBlockedAsync("+12125550100", a.Id));
        Assert.True(await db.Dnc.IsBlockedAsync("+12125550100", b.Id));
        Assert.True(await db.Dnc.IsBlockedAsync("+12125550101", a.Id));
        Assert.False(await db.Dnc.IsBlockedAsync("+12125550101", b.Id));

        var entries = await db.Dnc.ListAsync();
        Assert.Equal(2, entries.Count);
        var optOut = entries.Single(e => e.Number == "+12125550101");
        Assert.Equal(DncSource.OptOut, optOut.Source);
        Assert.Equal(a.Id, optOut.CampaignId);
        Assert.Equal(db.Time.GetUtcNow(), optOut.AddedAt);

        Assert.True(await db.Dnc.RemoveAsync("+12125550100", null, "bob", "added by mistake"));
        Assert.False(await db.Dnc.RemoveAsync("+12125550100", null, "bob"));
        Assert.False(await db.Dnc.IsBlockedAsync("+12125550100", a.Id));
        var audit = await new AuditLog(db.Database).ListAsync(subject: "+12125550100");
        Assert.Equal(["dnc.remove", "dnc.add"], audit.Select(e => e.Action));
        Assert.Equal("bob", audit[0].Actor);
        Assert.Contains("added by mistake", audit[0].Details, StringComparison.Ordinal);

        await Assert.ThrowsAsync<ArgumentException>(() => db.Dnc.AddAsync("212-555-0100", null, DncSource.Manual, "alice"));
    }

    [Fact]
    public async Task Numbers_on_the_list_are_imported_blocked_and_counted_and_adding_blocks_dialable_leads()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await db.Dnc.AddManyAsync(["+12125550101", "+12125550102"], null, DncSource.Import, "alice");
        await File.WriteAllTextAsync(db.PathOf("l.csv"), "phone\n(212) 555-0100\n212 555 0101\n+1 212 555 0102\n2125550103\n");

        var result = await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id });
        Assert.Equal(4, result.Imported);
        Assert.Equal(2, result.Blocked);
        var blocked = await db.Leads.GetByPhoneAsync(c.Id, "+12125550101");
        Assert.Equal(LeadState.Blocked, blocked!.State);
        Assert.Null(blocked.NextEligibleAt);
        var due = await db.Leads.GetDueAsync(c.Id, db.Time.GetUtcNow(), 10);
        Assert.Equal(["+12125550100", "+12125550103"], due.Select(l => l.PhoneE164).Order());

        Assert.True(await db.Dnc.AddAsync("+12125550103", c.Id, DncSource.OptOut, "engine"));
        Assert.Equal(LeadState.Blocked, (await db.Leads.GetByPhoneAsync(c.Id, "+12125550103"))!.State);
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(3, summary.LeadsByState[LeadState.Blocked]);
        Assert.Equal(1, summary.LeadsByState[LeadState.Pending]);
    }
}
