using AmiDialer.Core.Pacing;

namespace AmiDialer.Core.Tests.Pacing;

public sealed class FixedPacingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Originates answered at these milliseconds after T0, one each.</summary>
    private static WindowEntry[] Answered(params int[] msAfterT0) => [.. msAfterT0.Select(ms => new WindowEntry(1, T0.AddMilliseconds(ms)))];

    private static PacingDecision Decide(int active, int max, double cps, DateTimeOffset now, params int[] answeredMsAfterT0) =>
        FixedPacing.Instance.Decide(new PacingState(now, active, max, cps, Answered(answeredMsAfterT0)));

    [Fact]
    public void Fresh_start_may_send_the_whole_window_budget()
    {
        Assert.Equal(new PacingDecision(5, null, PacingLimit.Rate), Decide(0, 10, 5, T0));
    }

    [Fact]
    public void Concurrency_caps_and_only_a_call_ending_frees_a_slot()
    {
        Assert.Equal(new PacingDecision(2, null, PacingLimit.Concurrency), Decide(8, 10, 5, T0));
        Assert.Equal(new PacingDecision(0, null, PacingLimit.Concurrency), Decide(10, 10, 5, T0));
        Assert.Equal(new PacingDecision(0, null, PacingLimit.Concurrency), Decide(12, 10, 5, T0)); // over the cap after a config change
        Assert.Equal(new PacingDecision(5, null, PacingLimit.Concurrency), Decide(5, 10, 5, T0)); // both bind: the calls' slots
    }

    [Fact]
    public void A_full_window_says_when_its_oldest_originate_leaves()
    {
        Assert.Equal(new PacingDecision(0, T0.AddMilliseconds(1600), PacingLimit.Rate), Decide(0, 100, 3, T0.AddMilliseconds(1500), 600, 900, 1200));
    }

    [Fact]
    public void A_window_over_its_budget_after_the_rate_was_lowered_opens_when_enough_have_left()
    {
        // Five in the window, two allowed now: four must leave before one more fits, so the fourth oldest decides.
        Assert.Equal(new PacingDecision(0, T0.AddMilliseconds(2100), PacingLimit.Rate), Decide(0, 100, 2, T0.AddMilliseconds(1500), 900, 600, 700, 1100, 1200));
    }

    [Fact]
    public void Originates_older_than_the_window_no_longer_count_and_the_edge_is_exclusive()
    {
        Assert.Equal(1, Decide(0, 100, 3, T0.AddMilliseconds(1600), 600, 900, 1200).MayStart); // 600 ms leaves exactly at 1600 ms
        Assert.Equal(0, Decide(0, 100, 3, T0.AddMilliseconds(1599), 600, 900, 1200).MayStart);
    }

    [Fact]
    public void Partly_used_window_gives_the_rest()
    {
        Assert.Equal(new PacingDecision(2, null, PacingLimit.Rate), Decide(0, 100, 3, T0.AddMilliseconds(500), 200));
    }

    [Fact]
    public void Originates_awaiting_their_Responses_count_whatever_the_time_and_only_a_Response_opens_the_window()
    {
        var window = new[] { new WindowEntry(3, null) };
        var d = FixedPacing.Instance.Decide(new PacingState(T0.AddMinutes(1), 0, 100, 3, window, TimeSpan.FromSeconds(5)));
        Assert.Equal(new PacingDecision(0, null, PacingLimit.Rate), d);

        // One in flight and two answered: the slot opens when the older answered one leaves.
        var mixed = new[] { new WindowEntry(1, null), new WindowEntry(1, T0.AddMilliseconds(300)), new WindowEntry(1, T0.AddMilliseconds(100)) };
        Assert.Equal(new PacingDecision(0, T0.AddMilliseconds(1100), PacingLimit.Rate), FixedPacing.Instance.Decide(new PacingState(T0.AddMilliseconds(500), 0, 100, 3, mixed)));
    }

    [Fact]
    public void Slots_opening_within_the_lookahead_count_as_open_and_the_look_again_time_comes_that_much_earlier()
    {
        var window = new[] { new WindowEntry(6, T0.AddMilliseconds(5)), new WindowEntry(4, T0.AddMilliseconds(50)) };
        var now = T0.AddMilliseconds(990);
        PacingDecision At(TimeSpan lookahead) => FixedPacing.Instance.Decide(new PacingState(now, 0, 100, 10, window, lookahead));

        Assert.Equal(new PacingDecision(0, T0.AddMilliseconds(1005), PacingLimit.Rate), At(TimeSpan.Zero));
        Assert.Equal(6, At(TimeSpan.FromMilliseconds(20)).MayStart);
        Assert.Equal(10, At(TimeSpan.FromMilliseconds(60)).MayStart);
        Assert.Equal(new PacingDecision(0, T0.AddMilliseconds(995), PacingLimit.Rate), At(TimeSpan.FromMilliseconds(10)));
        // The window itself, asked without lookahead, is never judged early.
        Assert.Equal(new WindowRoom(0, T0.AddMilliseconds(1005)), SendWindow.Room(window, 10, now));
        Assert.Equal(new WindowRoom(6, null), SendWindow.Room(window, 10, T0.AddMilliseconds(1005)));
    }

    [Fact]
    public void When_the_rate_binds_a_spread_policy_starts_only_its_share_and_at_least_one()
    {
        var spread = new FixedPacing(TimeSpan.FromMilliseconds(80));
        Assert.Equal(new PacingDecision(40, null, PacingLimit.Rate), spread.Decide(new PacingState(T0, 0, 1000, 500, [])));
        Assert.Equal(new PacingDecision(1, null, PacingLimit.Rate), spread.Decide(new PacingState(T0, 0, 1000, 2, [])));
        // When the cap on calls binds, calls free as they end, in no waves: nothing is held back.
        Assert.Equal(new PacingDecision(100, null, PacingLimit.Concurrency), spread.Decide(new PacingState(T0, 900, 1000, 500, [])));
    }

    [Theory]
    [InlineData(2.5, 2, 1.0)]
    [InlineData(1, 1, 1.0)]
    [InlineData(0.5, 1, 2.0)]
    [InlineData(0.25, 1, 4.0)]
    [InlineData(500, 500, 1.0)]
    public void Budget_for_fractional_rates(double cps, int count, double windowSeconds) =>
        Assert.Equal((count, TimeSpan.FromSeconds(windowSeconds)), SendWindow.Budget(cps));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_that_is_not_a_positive_number_allows_nothing(double cps)
    {
        Assert.Equal((0, TimeSpan.FromSeconds(1)), SendWindow.Budget(cps));
        Assert.Equal(new PacingDecision(0, null, PacingLimit.Rate), Decide(0, 10, cps, T0));
    }

    /// <summary>
    /// Drives the policy as the dialer does, with calls of random length, Responses that come back after a random
    /// delay, and looks taken at random moments: no sliding window ever holds more answered-or-sent Originates than
    /// the rate allows, concurrency never exceeds its cap, and the rate is actually used when calls are short.
    /// </summary>
    [Theory]
    [InlineData(10, 50, 0.5, 3.0)]
    [InlineData(7, 1000, 0.05, 0.5)]
    [InlineData(2.5, 4, 0.5, 4.0)]
    [InlineData(0.5, 10, 0.1, 1.0)]
    [InlineData(100, 300, 0.5, 2.0)]
    public void Simulated_dialing_never_breaks_the_limits(double cps, int maxConcurrent, double minCallSeconds, double maxCallSeconds)
    {
        var random = new Random(42);
        var policy = new FixedPacing(TimeSpan.FromMilliseconds(80));
        var now = T0;
        var sent = new List<(DateTimeOffset SentAt, DateTimeOffset AnsweredAt)>();
        var endings = new List<DateTimeOffset>();
        var end = T0.AddSeconds(60);
        var (count, window) = SendWindow.Budget(cps);
        while (now < end)
        {
            endings.RemoveAll(e => e <= now);
            var view = sent.Where(s => s.AnsweredAt > now - window)
                .Select(s => new WindowEntry(1, s.AnsweredAt <= now ? s.AnsweredAt : null)).ToList();
            var d = policy.Decide(new PacingState(now, endings.Count, maxConcurrent, cps, view));
            for (var i = 0; i < d.MayStart; i++)
            {
                sent.Add((now, now.AddMilliseconds(random.Next(0, 30))));
                endings.Add(now.AddSeconds(minCallSeconds + (random.NextDouble() * (maxCallSeconds - minCallSeconds))));
            }

            Assert.True(endings.Count <= maxConcurrent, $"{endings.Count} calls at {now:O}");

            // Wake at the policy's time, when the next call ends or Response comes, or at a random early moment (the loop is event-driven).
            var responses = sent.Select(s => s.AnsweredAt).Where(a => a > now).DefaultIfEmpty(end).Min();
            var wake = new[] { d.LookAgainAt ?? end, endings.Count > 0 ? endings.Min() : end, responses, now.AddMilliseconds(random.Next(1, 400)) }.Min();
            now = wake > now ? wake : now.AddMilliseconds(1);
        }

        // What Asterisk may see: each Originate received somewhere between its sending and its Response.
        foreach (var (_, answeredAt) in sent)
        {
            var inWindow = sent.Count(s => s.SentAt < answeredAt + window && s.AnsweredAt >= answeredAt);
            Assert.True(inWindow <= count, $"{inWindow} Originates may have reached Asterisk in the window from {answeredAt:O}");
        }

        var expectedIfRateBound = 60 / window.TotalSeconds * count;
        var expectedIfSlotsBound = 60 / ((minCallSeconds + maxCallSeconds) / 2) * maxConcurrent;
        Assert.InRange(sent.Count, 0.85 * Math.Min(expectedIfRateBound, expectedIfSlotsBound), expectedIfRateBound + count);
    }
}
