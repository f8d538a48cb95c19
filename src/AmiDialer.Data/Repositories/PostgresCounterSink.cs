using System.Globalization;
using Npgsql;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Writes a transaction's summed counter changes (<see cref="CounterDeltas"/>) on PostgreSQL: one upsert for the
/// counters and one for the hours, from arrays, added to the batch that ends the transaction. Rows in key order, so
/// two transactions of one campaign lock its counter rows in the same order and never deadlock each other.
/// </summary>
internal sealed class PostgresCounterSink : ICounterSink
{
    private const string CountersSql = """
        INSERT INTO campaign_counters (campaign_id, name, value)
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::double precision[])
        ON CONFLICT (campaign_id, name) DO UPDATE SET value = campaign_counters.value + excluded.value
        """;

    private const string HoursSql = """
        INSERT INTO campaign_hourly (campaign_id, hour_utc, attempts, answered, talk_seconds)
        SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::double precision[])
        ON CONFLICT (campaign_id, hour_utc) DO UPDATE SET attempts = campaign_hourly.attempts + excluded.attempts,
            answered = campaign_hourly.answered + excluded.answered, talk_seconds = campaign_hourly.talk_seconds + excluded.talk_seconds
        """;

    private readonly List<(long Campaign, string Name, double Delta)> _counters = [];
    private readonly List<(long Campaign, DateTime Hour, long Attempts, long Answered, double Talk)> _hours = [];

    public void AddCounter(long campaignId, string name, double delta) => _counters.Add((campaignId, name, delta));

    public void AddHour(long campaignId, string hour, long attempts, long answered, double talkSeconds) =>
        _hours.Add((campaignId, DateTime.Parse(hour, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), attempts, answered, talkSeconds));

    /// <summary>Adds one upsert of counter changes (one per counter; zeros left out) to <paramref name="batch"/>.</summary>
    public static void AddCounters(NpgsqlBatch batch, IEnumerable<(long Campaign, string Name, double Delta)> changes)
    {
        var rows = changes.Where(c => c.Delta != 0).OrderBy(c => c.Campaign).ThenBy(c => c.Name, StringComparer.Ordinal).ToArray();
        if (rows.Length > 0)
        {
            batch.BatchCommands.Add(PostgresAttemptWriter.Command(CountersSql,
                PostgresAttemptWriter.Param(rows.Select(r => r.Campaign).ToArray()),
                PostgresAttemptWriter.Param(rows.Select(r => r.Name).ToArray()),
                PostgresAttemptWriter.Param(rows.Select(r => r.Delta).ToArray())));
        }
    }

    /// <summary>Adds the upserts of <paramref name="counters"/> to <paramref name="batch"/> (nothing when nothing changed).</summary>
    public static void AddTo(NpgsqlBatch batch, CounterDeltas counters)
    {
        var sink = new PostgresCounterSink();
        counters.Write(sink);
        AddCounters(batch, sink._counters);

        if (sink._hours.Count > 0)
        {
            var rows = sink._hours.OrderBy(h => h.Campaign).ThenBy(h => h.Hour).ToArray();
            batch.BatchCommands.Add(PostgresAttemptWriter.Command(HoursSql,
                PostgresAttemptWriter.Param(rows.Select(r => r.Campaign).ToArray()),
                PostgresAttemptWriter.Param(rows.Select(r => r.Hour).ToArray()),
                PostgresAttemptWriter.Param(rows.Select(r => r.Attempts).ToArray()),
                PostgresAttemptWriter.Param(rows.Select(r => r.Answered).ToArray()),
                PostgresAttemptWriter.Param(rows.Select(r => r.Talk).ToArray())));
        }
    }
}
