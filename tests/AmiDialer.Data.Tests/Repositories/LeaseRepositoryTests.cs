namespace AmiDialer.Data.Tests.Repositories;

public sealed class LeaseRepositoryTests
{
    [Fact]
    public async Task A_held_lease_is_refused_to_others_until_it_expires_or_is_released()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        var now = db.Time.GetUtcNow();
        var ttl = TimeSpan.FromSeconds(30);

        var a = await db.Leases.TryAcquireAsync(c.Id, "node-a", now, ttl);
        Assert.True(a.Acquired);
        Assert.Equal(now + ttl, a.ExpiresAt);

        var b = await db.Leases.TryAcquireAsync(c.Id, "node-b", now + TimeSpan.FromSeconds(10), ttl);
        Assert.False(b.Acquired);
        Assert.Equal("node-a", b.Owner);
        Assert.Equal(now + ttl, b.ExpiresAt);

        Assert.True(await db.Leases.RenewAsync(c.Id, "node-a", now + TimeSpan.FromSeconds(20), ttl));
        Assert.False((await db.Leases.TryAcquireAsync(c.Id, "node-b", now + TimeSpan.FromSeconds(40), ttl)).Acquired);
        Assert.False(await db.Leases.RenewAsync(c.Id, "node-b", now, ttl));

        // Expired (renewed at +20 s for 30 s): node-b takes over, and node-a's heartbeat then fails.
        Assert.True((await db.Leases.TryAcquireAsync(c.Id, "node-b", now + TimeSpan.FromSeconds(50), ttl)).Acquired);
        Assert.False(await db.Leases.RenewAsync(c.Id, "node-a", now + TimeSpan.FromSeconds(51), ttl));
        Assert.False(await db.Leases.ReleaseAsync(c.Id, "node-a"));
        Assert.True(await db.Leases.ReleaseAsync(c.Id, "node-b"));
        Assert.Null(await db.Leases.GetAsync(c.Id));
        Assert.True((await db.Leases.TryAcquireAsync(c.Id, "node-a", now + TimeSpan.FromSeconds(52), ttl)).Acquired);
    }

    [Fact]
    public async Task Of_many_concurrent_acquirers_exactly_one_wins()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        var now = db.Time.GetUtcNow();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => db.Leases.TryAcquireAsync(c.Id, $"node-{i}", now, TimeSpan.FromMinutes(1)))));
        Assert.Single(results, r => r.Acquired);
        Assert.Single(results.Select(r => r.Owner).Distinct());
    }
}
