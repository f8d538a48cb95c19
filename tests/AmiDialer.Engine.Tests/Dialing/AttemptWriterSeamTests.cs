using System.Collections.Concurrent;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// The engine writes attempts only through the <see cref="IAttemptWriter"/> it is given: another store plugs in
/// there. Checked with the real SQLite writer behind a recorder, a real campaign over the simulator's sockets.
/// </summary>
public sealed class AttemptWriterSeamTests
{
    [Fact]
    public async Task Every_claim_and_every_ending_of_a_campaign_goes_through_the_writer_the_engine_was_given()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 200);
        var campaign = await h.CreateCampaignAsync("seam", c => c with { MaxConcurrentCalls = 40, CallsPerSecond = 200 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(200));
        RecordingWriter? recorder = null;
        var engine = await h.StartEngineAsync(h.Options("e1", attemptWriter: (database, time) => recorder = new RecordingWriter(new AttemptWriter(database, time))));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        Assert.NotNull(recorder);
        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(200, summary.Attempts);
        Assert.Equal(200, recorder.Claimed.Count);
        Assert.Equal(200, recorder.Ended.Count);
        Assert.Equal(200, h.Originates().Count);
        // What the writer was told is what the store holds, attempt by attempt.
        foreach (var (attemptId, outcome) in recorder.Ended)
        {
            Assert.Equal(outcome, (await h.Attempts.GetAsync(attemptId))!.Outcome);
        }

        Assert.Equal(
            summary.AttemptsByOutcome.Where(p => p.Value != 0).OrderBy(p => p.Key),
            recorder.Ended.Values.GroupBy(o => o).Select(g => KeyValuePair.Create(g.Key, (long)g.Count())).OrderBy(p => p.Key));
        Assert.True(recorder.LiveMarks > 0, "no Originate was marked live through the writer");
    }

    private sealed class RecordingWriter(IAttemptWriter inner) : IAttemptWriter
    {
        private int _liveMarks;

        public ConcurrentDictionary<long, bool> Claimed { get; } = new();

        public ConcurrentDictionary<long, CallOutcome> Ended { get; } = new();

        public int LiveMarks => Volatile.Read(ref _liveMarks);

        public (long Batches, long Requests) Stats => inner.Stats;

        public async Task<DialClaimResult[]> ClaimAsync(IReadOnlyList<DialClaim> claims, DateTimeOffset now)
        {
            var results = await inner.ClaimAsync(claims, now);
            foreach (var result in results)
            {
                if (result is { Status: DialClaimStatus.Claimed, Attempt: { } attempt })
                {
                    Assert.True(Claimed.TryAdd(attempt.Id, true), $"attempt {attempt.Id} claimed twice");
                }
            }

            return results;
        }

        public void MarkLive(long attemptId)
        {
            Interlocked.Increment(ref _liveMarks);
            inner.MarkLive(attemptId);
        }

        public void MarkAnswered(long attemptId, DateTimeOffset answeredAt)
        {
            Interlocked.Increment(ref _liveMarks);
            inner.MarkAnswered(attemptId, answeredAt);
        }

        public async Task<AttemptEndResult[]> EndManyAsync(IReadOnlyList<AttemptEnding> endings)
        {
            var results = await inner.EndManyAsync(endings);
            for (var i = 0; i < endings.Count; i++)
            {
                if (results[i].Ended)
                {
                    Assert.True(Ended.TryAdd(endings[i].AttemptId, endings[i].Outcome), $"attempt {endings[i].AttemptId} ended twice");
                }
            }

            return results;
        }

        public Task<T> RunExclusiveAsync<T>(Func<Task<T>> write) => inner.RunExclusiveAsync(write);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
