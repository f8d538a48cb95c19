using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;
using AmiDialer.Data;

namespace AmiDialer.Engine;

/// <summary>
/// The engine's instruments, on the application's meter (<see cref="DataMetrics.MeterName"/>). Tags are made once
/// here, so counting a call on the hot path allocates nothing; with no listener each update is a cheap no-op.
/// </summary>
internal static class EngineMetrics
{
    private static readonly Meter Meter = new(DataMetrics.MeterName);

    private static readonly Counter<long> Originates = Meter.CreateCounter<long>(
        "amidialer.originates", unit: "{call}", description: "Originate actions sent, by kind (campaign, click-to-call).");

    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>(
        "amidialer.outcomes", unit: "{call}", description: "Attempts ended, by outcome and kind.");

    // Observed rather than counted up and down, so a provider started after the engine (serve) sees calls already live.
    private static readonly ConcurrentDictionary<Dialing.EngineServices, byte> Engines = new();

    private static readonly ObservableGauge<long> LiveCalls = Meter.CreateObservableGauge(
        "amidialer.calls.live", () => Engines.Keys.Sum(e => (long)e.Calls.Count), unit: "{call}", description: "Calls this process placed that have not ended yet.");

    private static readonly Histogram<double> DueLag = Meter.CreateHistogram<double>(
        "amidialer.dial.lag", unit: "s", description: "From the moment a lead became due to its Originate being sent.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    private static readonly KeyValuePair<string, object?>[] KindTags =
        [.. Enum.GetValues<CallKind>().Select(k => new KeyValuePair<string, object?>("kind", k == CallKind.ClickToCall ? "click-to-call" : "campaign"))];

    private static readonly KeyValuePair<string, object?>[] OutcomeTags =
        [.. Enum.GetValues<CallOutcome>().Select(o => new KeyValuePair<string, object?>("outcome", o.ToWireName()))];

    public static void Track(Dialing.EngineServices engine) => Engines[engine] = 0;

    public static void Untrack(Dialing.EngineServices engine) => Engines.TryRemove(engine, out _);

    /// <summary>An Originate is about to go out.</summary>
    public static void CallPlaced(CallKind kind) => Originates.Add(1, KindTags[(int)kind]);

    public static void Ended(CallOutcome outcome, CallKind kind) => Outcomes.Add(1, OutcomeTags[(int)outcome], KindTags[(int)kind]);

    public static void Lag(TimeSpan lag) => DueLag.Record(Math.Max(0, lag.TotalSeconds));
}
