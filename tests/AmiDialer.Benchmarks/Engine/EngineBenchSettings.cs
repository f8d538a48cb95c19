using System.Globalization;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// <c>engine [leads=100000] [cps=500] [timeScale=20] [warmup=3000] [arrival=cps] [events=on]</c>; each argument is
/// optional and named. <c>arrival</c> is how fast leads become due (leads per second, <c>cps</c> for the campaign's
/// rate, or <c>all</c> for every lead due at the start); <c>events</c> is the AMI login's event mask. For experiments:
/// <c>batchMs</c> (the dialer's <c>DialBatchInterval</c>), <c>allocs=on</c> (where allocations come from).
/// Issue 25: <c>store=sqlite|postgres|both</c> (both: SQLite, then PostgreSQL, in one run); <c>nodes=N</c> (engines in
/// this process, each with its own store connections and AMI logins: PostgreSQL only), <c>servers=N</c> (simulators,
/// each its own process; every node logs in to every one), <c>campaigns=N</c> (the leads and the rate split evenly,
/// campaign i dialed by node i mod nodes); a list (<c>nodes=1,3</c>) runs each in turn for a side-by-side summary.
/// </summary>
internal sealed record EngineBenchSettings(int Leads, double Cps, double TimeScale, int Warmup, double? Arrival, string Events, bool Allocations = false, int? BatchMs = null)
{
    public IReadOnlyList<string> Stores { get; init; } = ["sqlite"];

    public IReadOnlyList<int> Nodes { get; init; } = [1];

    public int? Servers { get; init; }

    public int? Campaigns { get; init; }

    public static EngineBenchSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"'{arg}': expected name=value (leads, cps, timeScale, warmup, arrival, events).");
            }

            values[arg[..eq]] = arg[(eq + 1)..];
        }

        var unknown = values.Keys.Except(["leads", "cps", "timeScale", "warmup", "arrival", "events", "allocs", "batchMs", "store", "nodes", "servers", "campaigns"], StringComparer.OrdinalIgnoreCase).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown argument(s): {string.Join(", ", unknown)}.");
        }

        var leads = int.Parse(values.GetValueOrDefault("leads", "100000"), CultureInfo.InvariantCulture);
        var cps = double.Parse(values.GetValueOrDefault("cps", "500"), CultureInfo.InvariantCulture);
        var arrivalText = values.GetValueOrDefault("arrival", "cps");
        double? arrival = arrivalText switch
        {
            "cps" => cps,
            "all" => null,
            _ => double.Parse(arrivalText, CultureInfo.InvariantCulture),
        };
        var warmup = int.Parse(values.GetValueOrDefault("warmup", "3000"), CultureInfo.InvariantCulture);
        if (leads <= warmup)
        {
            throw new ArgumentException($"leads ({leads}) must be more than warmup ({warmup}).");
        }

        return new EngineBenchSettings(
            leads,
            cps,
            double.Parse(values.GetValueOrDefault("timeScale", "20"), CultureInfo.InvariantCulture),
            warmup,
            arrival,
            values.GetValueOrDefault("events", "on"),
            values.GetValueOrDefault("allocs", "off") == "on",
            values.TryGetValue("batchMs", out var batch) ? int.Parse(batch, CultureInfo.InvariantCulture) : null)
        {
            Stores = values.GetValueOrDefault("store", "sqlite") switch
            {
                "sqlite" => ["sqlite"],
                "postgres" => ["postgres"],
                "both" => ["sqlite", "postgres"],
                var other => throw new ArgumentException($"store={other}: expected sqlite, postgres or both."),
            },
            Nodes = [.. values.GetValueOrDefault("nodes", "1").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))],
            Servers = values.TryGetValue("servers", out var servers) ? int.Parse(servers, CultureInfo.InvariantCulture) : null,
            Campaigns = values.TryGetValue("campaigns", out var campaigns) ? int.Parse(campaigns, CultureInfo.InvariantCulture) : null,
        };
    }

    public string ArrivalText => Arrival is { } a ? $"{a:0.#} leads/s" : "all due at once";
}
