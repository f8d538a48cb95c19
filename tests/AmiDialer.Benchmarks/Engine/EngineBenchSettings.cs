using System.Globalization;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// <c>engine [leads=100000] [cps=500] [timeScale=20] [warmup=3000] [arrival=cps] [events=on]</c>; each argument is
/// optional and named. <c>arrival</c> is how fast leads become due (leads per second, <c>cps</c> for the campaign's
/// rate, or <c>all</c> for every lead due at the start); <c>events</c> is the AMI login's event mask. For experiments:
/// <c>batchMs</c> (the dialer's <c>DialBatchInterval</c>), <c>allocs=on</c> (where allocations come from).
/// </summary>
internal sealed record EngineBenchSettings(int Leads, double Cps, double TimeScale, int Warmup, double? Arrival, string Events, bool Allocations = false, int? BatchMs = null)
{
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

        var unknown = values.Keys.Except(["leads", "cps", "timeScale", "warmup", "arrival", "events", "allocs", "batchMs"], StringComparer.OrdinalIgnoreCase).ToList();
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
            values.TryGetValue("batchMs", out var batch) ? int.Parse(batch, CultureInfo.InvariantCulture) : null);
    }

    public string ArrivalText => Arrival is { } a ? $"{a:0.#} leads/s" : "all due at once";
}
