using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Live;

public enum EngineChangeKind
{
    CallStarted,
    CallAnswered,
    CallEnded,
    CampaignStatusChanged,
    ServerStatusChanged,
}

/// <summary>A notification that something changed; read <see cref="DialerEngine.GetSnapshot"/> for the full picture.</summary>
public sealed record EngineChange(
    EngineChangeKind Kind,
    DateTimeOffset At,
    long? CampaignId = null,
    long? AttemptId = null,
    CallOutcome? Outcome = null,
    string? Detail = null);
