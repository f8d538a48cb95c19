using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Postgres;

/// <summary>
/// The server stopped for real (<c>pg_ctl -m immediate stop</c>, as a crash or a failover) under the attempt writer: what
/// the engine's outage handling relies on. A claim or an ending the server cannot take is thrown, whole, as unavailable
/// (never answered as "not claimable" or a per-item failure, which the dialer would take for final), and the same
/// writer works again once the server is back on its port. Its own cluster: stopping it must not stop other classes'.
/// </summary>
public sealed class PostgresOutageTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 30, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task Claims_and_endings_while_the_server_is_down_throw_as_unavailable_and_go_through_once_it_is_back()
    {
        await using var store = await PgStore.CreateAsync(postgres, "outage");
        // Without it the claim below, acknowledged, can be lost by the stop, and the ending finds nothing to end.
        await postgres.KeepCommitsAcrossStopsAsync(store.ConnectionString);
        var campaign = await store.CreateCampaignAsync(3, Now.AddMinutes(-1));
        IReadOnlyList<Lead> leads;
        await using (var due = new PostgresDueLeadsQuery(store.DataSource))
        {
            leads = await due.GetAsync(campaign, Now, 10, LeadOrder.RetriesFirst);
        }

        await using var writer = new PostgresAttemptWriter(store.DataSource);
        var first = (await writer.ClaimAsync([PostgresAttemptWriterTests.Claim(leads[0])], Now)).Single().Attempt!;
        var ending = new AttemptEnding
        {
            AttemptId = first.Id, Outcome = CallOutcome.Busy, EndedAt = Now.AddSeconds(3), DialStatus = "BUSY",
            LeadState = LeadState.WaitingRetry, LeadNextEligibleAt = Now.AddHours(1),
        };

        await postgres.StopAsync();
        try
        {
            var claim = await Assert.ThrowsAnyAsync<Exception>(() => writer.ClaimAsync([PostgresAttemptWriterTests.Claim(leads[1])], Now));
            var end = await Assert.ThrowsAnyAsync<Exception>(() => writer.EndManyAsync([ending]));
            foreach (var failure in new[] { claim, end })
            {
                Assert.True(StoreErrors.IsUnavailable(failure), failure.ToString());
                Assert.Equal(StoreFailure.Unavailable, StoreErrors.Classify(failure));
            }

            // Wrapped as a caller might wrap it, it is still the store being unavailable.
            Assert.True(StoreErrors.IsUnavailable(new InvalidOperationException("wrapped", new AggregateException(claim))));
            Assert.False(StoreErrors.IsUnavailable(new InvalidOperationException("not the store")));
            // A pooled connection finds the server gone, a new one finds nobody listening: said as such, unwrapped.
            Assert.Contains(StoreErrors.Reason(claim), new[] { "the server closed the connection", "Connection refused" });
            Assert.Equal("Connection refused", StoreErrors.Reason(end));
        }
        finally
        {
            await postgres.StartAgainAsync();
        }

        // The pool's connections died with the server: each one found broken fails one request, as unavailable.
        var written = await RetryWhileUnavailableAsync(() => writer.EndManyAsync([ending]));
        Assert.Equal(new AttemptEndResult(true, null), Assert.Single(written));
        var claimed = await RetryWhileUnavailableAsync(() => writer.ClaimAsync([PostgresAttemptWriterTests.Claim(leads[1])], Now));
        Assert.Equal(DialClaimStatus.Claimed, Assert.Single(claimed).Status);
        Assert.Equal("ended busy", await RetryWhileUnavailableAsync(() => store.ScalarAsync<string>($"SELECT state || ' ' || outcome FROM attempts WHERE id = {first.Id}")));
        Assert.Equal(2L, await RetryWhileUnavailableAsync(() => store.ScalarAsync<long>("SELECT count(*) FROM attempts")));
    }

    private static async Task<T> RetryWhileUnavailableAsync<T>(Func<Task<T>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception e) when (StoreErrors.IsUnavailable(e) && attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }
}
