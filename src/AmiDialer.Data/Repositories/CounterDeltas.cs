using AmiDialer.Core.Model;

namespace AmiDialer.Data.Repositories;

/// <summary>Where summed counter changes are written, inside the transaction of the changes they count.</summary>
internal interface ICounterSink
{
    void AddCounter(long campaignId, string name, double delta);

    void AddHour(long campaignId, string hour, long attempts, long answered, double talkSeconds);
}

/// <summary>
/// What claims and endings change in the counters behind reports (<see cref="CampaignCounters"/>), in one place for
/// every store: the changes of a batch are summed and written once before its commit (one upsert per counter instead
/// of several per request). A journal, so a request rolled back to its savepoint takes its own deltas with it.
/// </summary>
internal sealed class CounterDeltas
{
    private readonly List<(long Campaign, string Name, double Delta)> _counters = [];
    private readonly List<(long Campaign, string Hour, bool Answered, double Talk)> _hours = [];

    public (int Counters, int Hours) Mark => (_counters.Count, _hours.Count);

    public void Undo((int Counters, int Hours) mark)
    {
        _counters.RemoveRange(mark.Counters, _counters.Count - mark.Counters);
        _hours.RemoveRange(mark.Hours, _hours.Count - mark.Hours);
    }

    /// <summary>A lead was claimed for a call: in progress from <paramref name="from"/>, with one more attempt.</summary>
    public void Claimed(long campaignId, LeadState from)
    {
        MoveLead(campaignId, from, LeadState.InProgress);
        Add(campaignId, CampaignCounters.Attempts, 1);
    }

    /// <summary>A lead found on the do-not-call list when claimed.</summary>
    public void Blocked(long campaignId, LeadState from) => MoveLead(campaignId, from, LeadState.Blocked);

    /// <summary>
    /// An attempt ended: its lead moved from <paramref name="leadWas"/> to the ending's state (its final outcome
    /// counted once, the first time it has one), the attempt's outcome and talk time counted, and its creation
    /// <paramref name="hour"/> (<see cref="CampaignCounters.HourKey"/>) given one more attempt.
    /// </summary>
    public void Ended(long campaignId, LeadState leadWas, bool leadWasFinal, AttemptEnding ending, string hour)
    {
        MoveLead(campaignId, leadWas, ending.LeadState);
        if (ending.LeadFinalOutcome is { } final && !leadWasFinal)
        {
            Add(campaignId, CampaignCounters.Outcome(final), 1);
        }

        Add(campaignId, CampaignCounters.AttemptOutcome(ending.Outcome), 1);
        var talk = ending.TalkSeconds ?? 0;
        if (ending.TalkSeconds is not null)
        {
            Add(campaignId, CampaignCounters.TalkSeconds, talk);
            Add(campaignId, CampaignCounters.TalkedAttempts, 1);
        }

        _hours.Add((campaignId, hour, ending.Outcome == CallOutcome.Answered, talk));
    }

    /// <summary>Writes the sums: each counter that changed once, each hour once.</summary>
    public void Write(ICounterSink sink)
    {
        var sums = new Dictionary<(long, string), double>();
        foreach (var (campaign, name, delta) in _counters)
        {
            sums[(campaign, name)] = sums.GetValueOrDefault((campaign, name)) + delta;
        }

        foreach (var ((campaign, name), delta) in sums)
        {
            if (delta != 0)
            {
                sink.AddCounter(campaign, name, delta);
            }
        }

        var hours = new Dictionary<(long, string), (long Attempts, long Answered, double Talk)>();
        foreach (var (campaign, hour, answered, talk) in _hours)
        {
            var sum = hours.GetValueOrDefault((campaign, hour));
            hours[(campaign, hour)] = (sum.Attempts + 1, sum.Answered + (answered ? 1 : 0), sum.Talk + talk);
        }

        foreach (var ((campaign, hour), sum) in hours)
        {
            sink.AddHour(campaign, hour, sum.Attempts, sum.Answered, sum.Talk);
        }
    }

    private void Add(long campaignId, string name, double delta) => _counters.Add((campaignId, name, delta));

    private void MoveLead(long campaignId, LeadState from, LeadState to)
    {
        if (from != to)
        {
            Add(campaignId, CampaignCounters.State(from), -1);
            Add(campaignId, CampaignCounters.State(to), 1);
        }
    }
}
