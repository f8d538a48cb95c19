using AmiDialer.Core.Model;

namespace AmiDialer.Data.Repositories;

public sealed partial class AttemptWriter
{
    /// <summary>
    /// The counter changes of one batch, summed and written once before its commit (one upsert per counter instead of
    /// several per request). A journal, so a request rolled back to its savepoint takes its own deltas with it.
    /// </summary>
    private sealed class CounterDeltas
    {
        private readonly List<(long Campaign, string Name, double Delta)> _counters = [];
        private readonly List<(long Campaign, string Hour, bool Answered, double Talk)> _hours = [];

        public (int Counters, int Hours) Mark => (_counters.Count, _hours.Count);

        public void Undo((int Counters, int Hours) mark)
        {
            _counters.RemoveRange(mark.Counters, _counters.Count - mark.Counters);
            _hours.RemoveRange(mark.Hours, _hours.Count - mark.Hours);
        }

        public void Add(long campaignId, string name, double delta) => _counters.Add((campaignId, name, delta));

        public void MoveLead(long campaignId, LeadState from, LeadState to)
        {
            if (from != to)
            {
                Add(campaignId, CampaignCounters.State(from), -1);
                Add(campaignId, CampaignCounters.State(to), 1);
            }
        }

        public void AddHour(long campaignId, string hour, bool answered, double talk) => _hours.Add((campaignId, hour, answered, talk));

        public void Write(Statements statements)
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
                    statements.AddCounter(campaign, name, delta);
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
                statements.AddHour(campaign, hour, sum.Attempts, sum.Answered, sum.Talk);
            }
        }
    }
}
