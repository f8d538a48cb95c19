using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Live;

/// <summary>Where a campaign's dialer is.</summary>
public enum DialerStatus
{
    /// <summary>Before its start time, or outside its schedule's days/windows.</summary>
    Waiting,
    Dialing,
    /// <summary>No new Originates; live calls finish.</summary>
    Paused,
    /// <summary>Stopping: no new Originates, live calls finish, then the dialer ends.</summary>
    Draining,
    /// <summary>Nothing in progress and nothing can become due before the campaign's end.</summary>
    Finished,
    Stopped,
    /// <summary>Another process holds the campaign's lease.</summary>
    Refused,
}

/// <summary>One call in progress.</summary>
public sealed record ActiveCall(
    long AttemptId,
    long LeadId,
    long CampaignId,
    string PhoneE164,
    string Server,
    string ChannelId,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt);

/// <summary>A campaign's live figures in this engine. Lead counts by state come from the store: <see cref="Data.Repositories.ReportRepository.GetSummaryAsync"/>, whichever process dials.</summary>
public sealed record CampaignLiveState
{
    public required long CampaignId { get; init; }
    public required string Name { get; init; }
    public required DialerStatus Status { get; init; }
    public int ActiveCalls { get; init; }

    /// <summary>Attempts ended by this engine since it started, by outcome.</summary>
    public IReadOnlyDictionary<CallOutcome, int> AttemptsByOutcome { get; init; } = new Dictionary<CallOutcome, int>();

    /// <summary>Originates per second over the last 10 seconds.</summary>
    public double DialRate { get; init; }
    public long OriginatesSent { get; init; }

    /// <summary>When the next waiting lead becomes due, when known.</summary>
    public DateTimeOffset? NextDueAt { get; init; }

    /// <summary>Why the dialer is in its status (lease refused, schedule, finished...).</summary>
    public string? Message { get; init; }

    /// <summary>
    /// How an agent-paced campaign decided its last look (mode and figures: "predictive throttled: abandon rate ...",
    /// "progressive: 3 free agents × 1, 0 ringing", "waiting for queue sales: ..."); null for fixed pacing.
    /// </summary>
    public string? Pacing { get; init; }

    /// <summary>Predictive pacing runs as progressive now (warming up, or throttled by the abandon rate).</summary>
    public bool PacingFallback { get; init; }

    /// <summary>The campaign's abandon rate over <c>Dialing:AbandonWindow</c> as this dialer measures it; null without a queue.</summary>
    public double? AbandonRate { get; init; }
}

/// <summary>One AMI server as the engine sees it; <paramref name="Status"/> says whether it is still connecting or lost.</summary>
/// <param name="ActiveCalls">This node's calls on it (its tracker's); the cluster's are in the store (<see cref="Data.Repositories.ServerSlots.OpenByServerAsync"/>).</param>
/// <param name="MaxConcurrentCalls">The cap this node claims with: its own, or the smaller one another live node gives the server.</param>
/// <param name="NotDialedBecause">Why a connected server takes no call (its ledger dialplan is missing); null when it may.</param>
public sealed record ServerLiveState(string Name, bool Connected, int ActiveCalls, int MaxConcurrentCalls, AmiDialer.Ami.AmiConnectionStatus Status = AmiDialer.Ami.AmiConnectionStatus.Disconnected, string? NotDialedBecause = null)
{
    /// <summary>This node's own <c>MaxConcurrentCalls</c> setting (above <see cref="MaxConcurrentCalls"/> while a live node gives a smaller one).</summary>
    public int ConfiguredMaxConcurrentCalls { get; init; }

    /// <summary>Calls other processes had on it when this node last counted the store (a guide for its choice of server; may lag).</summary>
    public int OthersCalls { get; init; }
}

/// <summary>Everything the CLI and the web show live, taken at one instant.</summary>
public sealed record EngineSnapshot(
    DateTimeOffset At,
    IReadOnlyList<CampaignLiveState> Campaigns,
    IReadOnlyList<ServerLiveState> Servers,
    IReadOnlyList<ActiveCall> ActiveCalls);
