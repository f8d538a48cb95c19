using AmiDialer.Core.Pacing;

namespace AmiDialer.Core.Tests.Pacing;

public sealed class FixedPacingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    private static PacingDecision Decide(int active, int max, double cps, DateTimeOffset now, params int[] sentMsAfterT0) =>
        FixedPacing.Instance.Decide(new PacingState(active, max, sentMsAfterT0.Select(ms => T0.AddMilliseconds(ms)).ToList(), cps, now));

    [Fact]
    public void Fresh_start_may_send_the_whole_second_budget()
    {
        var d = Decide(0, 10, 5, T0);
        Assert.Equal(new PacingDecision(5, T0.AddMilliseconds(1000), PacingLimit.Rate), d);
    }

    [Fact]
    public void Concurrency_caps_and_only_a_call_ending_frees_a_slot()
    {
        Assert.Equal(new PacingDecision(2, null, PacingLimit.Concurrency), Decide(8, 10, 5, T0));
        Assert.Equal(new PacingDecision(0, null, PacingLimit.Concurrency), Decide(10, 10, 5, T0));
        Assert.Equal(new PacingDecision(0, null, PacingLimit.Concurrency), Decide(12, 10, 5, T0)); // over the cap after a config change
    }

    [Fact]
    public void A_full_window_says_when_its_oldest_originate_leaves()
    {
        var now = T0.AddMilliseconds(1500);
        var d = Decide(0, 100, 3, now, 600, 900, 1200);
        Assert.Equal(new PacingDecision(0, T0.AddMilliseconds(1600), PacingLimit.Rate), d);
    }

    [Fact]
    public void Originates_older_than_the_window_no_longer_count_and_the_edge_is_exclusive()
    {
        Assert.Equal(1, Decide(0, 100, 3, T0.AddMilliseconds(1600), 600, 900, 1200).MayStart); // 600 ms leaves exactly at 1600 ms
        Assert.Equal(0, Decide(0, 100, 3, T0.AddMilliseconds(1599), 600, 900, 1200).MayStart);
    }

    [Fact]
    public void Partly_used_window_gives_the_rest_and_when_to_look_again()
    {
        var d = Decide(0, 100, 3, T0.AddMilliseconds(500), 200);
        Assert.Equal(new PacingDecision(2, T0.AddMilliseconds(1200), PacingLimit.Rate), d);
    }

    [Theory]
    [InlineData(2.5, 2, 1.0)]
    [InlineData(1, 1, 1.0)]
    [InlineData(0.5, 1, 2.0)]
    [InlineData(0.25, 1, 4.0)]
    [InlineData(500, 500, 1.0)]
    public void Budget_for_fractional_rates(double cps, int count, double windowSeconds) =>
        Assert.Equal((count, TimeSpan.FromSeconds(windowSeconds)), FixedPacing.Budget(cps));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rejects_a_rate_that_is_not_positive(double cps) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FixedPacing.Budget(cps));

    /// <summary>
    /// Drives the policy like the dialer would, with calls of random length and checks taken at random moments:
    /// no sliding one-second window ever holds more than the rate allows, concurrency never exceeds its cap, and
    /// the rate is actually used when calls are short.
    /// </summary>
    [Theory]
    [InlineData(10, 50, 0.5, 3.0)]
    [InlineData(7, 1000, 0.05, 0.5)]
    [InlineData(2.5, 4, 0.5, 4.0)]
    [InlineData(0.5, 10, 0.1, 1.0)]
    public void Simulated_dialing_never_breaks_the_limits(double cps, int maxConcurrent, double minCallSeconds, double maxCallSeconds)
    {
        var random = new Random(42);
        var now = T0;
        var sent = new List<DateTimeOffset>();
        var endings = new List<DateTimeOffset>();
        var end = T0.AddSeconds(60);
        while (now < end)
        {
            endings.RemoveAll(e => e <= now);
            var d = FixedPacing.Instance.Decide(new PacingState(endings.Count, maxConcurrent, sent.Where(s => s > now.AddSeconds(-5)).ToList(), cps, now));
            for (var i = 0; i < d.MayStart; i++)
            {
                sent.Add(now);
                endings.Add(now.AddSeconds(minCallSeconds + (random.NextDouble() * (maxCallSeconds - minCallSeconds))));
            }

            Assert.True(endings.Count <= maxConcurrent, $"{endings.Count} calls at {now:O}");

            // Wake at the policy's time, or when the next call ends, or at a random early moment (the loop is event-driven).
            var wake = new[] { d.LookAgainAt ?? end, endings.Count > 0 ? endings.Min() : end, now.AddMilliseconds(random.Next(1, 400)) }.Min();
            now = wake > now ? wake : now.AddMilliseconds(1);
        }

        var (count, window) = FixedPacing.Budget(cps);
        foreach (var start in sent)
        {
            var inWindow = sent.Count(s => s >= start && s < start + window);
            Assert.True(inWindow <= count, $"{inWindow} Originates in the window from {start:O}");
        }

        var expectedIfRateBound = 60 / window.TotalSeconds * count;
        var expectedIfSlotsBound = 60 / ((minCallSeconds + maxCallSeconds) / 2) * maxConcurrent;
        Assert.InRange(sent.Count, 0.85 * Math.Min(expectedIfRateBound, expectedIfSlotsBound), expectedIfRateBound + count);
    }
}
