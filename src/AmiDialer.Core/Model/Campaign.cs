using AmiDialer.Core.Pacing;

namespace AmiDialer.Core.Model;

/// <summary>A campaign's settings and state. Leads and attempts live beside it, not inside it.</summary>
public sealed record Campaign
{
    public long Id { get; init; }
    public required string Name { get; init; }
    public CampaignState State { get; init; } = CampaignState.Draft;

    /// <summary>IANA zone: the schedule is read in it, and it stands in for a callee whose zone is unknown.</summary>
    public string TimeZoneId { get; init; } = "America/New_York";

    /// <summary>Dial string template with <c>{e164}</c>, <c>{number}</c> and <c>{national}</c> placeholders.</summary>
    public string DialTemplate { get; init; } = "Local/{number}@outbound";

    /// <summary>Where answered calls go.</summary>
    public DialplanTarget Destination { get; init; } = new("agents", "100", 1);

    /// <summary>Optional: where the dialer redirects a call when it is answered.</summary>
    public DialplanTarget? OnAnswerRedirect { get; init; }

    public string? CallerId { get; init; }
    public TimeSpan RingTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<ChannelVariable> Variables { get; init; } = [];
    public int MaxConcurrentCalls { get; init; } = 10;
    public double CallsPerSecond { get; init; } = 2;

    /// <summary>Due retries or fresh leads first, when more leads are due than the campaign has room for.</summary>
    public LeadOrder Order { get; init; } = LeadOrder.RetriesFirst;

    /// <summary>The Asterisk queue whose agents take the answered calls and pace an agent-aware campaign; null for none.</summary>
    public string? Queue { get; init; }

    /// <summary>How many calls to place: fixed caps, or by the free agents of <see cref="Queue"/>.</summary>
    public PacingMode Pacing { get; init; } = PacingMode.Fixed;

    /// <summary>Progressive pacing's calls in flight per free agent.</summary>
    public double PacingRatio { get; init; } = 1.0;

    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>Days the campaign dials on, in its own zone. Empty means every day.</summary>
    public IReadOnlyList<DayOfWeek> Days { get; init; } = [];

    /// <summary>Daily windows in the campaign's zone. Empty means all day.</summary>
    public IReadOnlyList<DailyWindow> Windows { get; init; } = [];

    /// <summary>Calling hours in the callee's own zone.</summary>
    public DailyWindow CallingHours { get; init; } = new(TimeSpan.FromHours(8), TimeSpan.FromHours(21));

    /// <summary>Retry policy text, e.g. <c>busy=5m:3,no-answer=1h:2</c>.</summary>
    public string RetryPolicy { get; init; } = "";

    public int MaxAttempts { get; init; } = 3;

    /// <summary>Calls of this campaign go to the built-in simulator, not to a real PBX.</summary>
    public bool IsSimulated { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
