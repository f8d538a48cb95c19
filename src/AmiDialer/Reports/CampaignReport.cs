namespace AmiDialer.Reports;

/// <summary>
/// The outcome summary of one campaign, in the documented JSON shape (see <see cref="ReportJson"/>). Lead counts
/// unless the name says attempts: <see cref="Outcomes"/> counts leads by final outcome; a lead with none yet is in
/// <see cref="Pending"/>.
/// </summary>
public sealed record CampaignReport
{
    /// <summary>Outcome keys always present in <c>outcomes</c>, in this order; others (machine, abandoned...) follow.</summary>
    public static readonly IReadOnlyList<string> StandardOutcomes =
        ["answered", "busy", "no-answer", "congestion", "rejected", "invalid-number", "failed"];

    /// <summary>Lead state keys always present in <c>states</c>, in this order.</summary>
    public static readonly IReadOnlyList<string> StandardStates =
        ["pending", "in-progress", "waiting-retry", "done", "exhausted", "blocked", "expired"];

    public required string Campaign { get; init; }

    /// <summary>Campaign state (draft, running, ...), shown in the table; not part of the documented JSON keys' contract.</summary>
    public string? CampaignState { get; init; }

    public long Leads { get; init; }
    public long Dialable { get; init; }
    public long Blocked { get; init; }
    public long Attempts { get; init; }

    /// <summary>The campaign's calls go to the built-in simulator, not a real PBX.</summary>
    public bool Simulated { get; init; }

    /// <summary>Leads by final outcome (wire names).</summary>
    public required IReadOnlyDictionary<string, long> Outcomes { get; init; }

    /// <summary>Attempts by outcome (wire names), beside the lead counts.</summary>
    public IReadOnlyDictionary<string, long> AttemptOutcomes { get; init; } = new Dictionary<string, long>();

    /// <summary>Leads by state (wire names).</summary>
    public required IReadOnlyDictionary<string, long> States { get; init; }

    /// <summary>Leads not yet final: pending, in progress or waiting to retry.</summary>
    public long Pending { get; init; }

    /// <summary>Answered leads over leads with a final outcome; 0 when none has one.</summary>
    public double AnswerRate { get; init; }

    /// <summary>Mean talk time of answered attempts, in seconds; 0 when none was answered.</summary>
    public double AvgTalkSeconds { get; init; }

    /// <summary>Attempts started in each UTC hour, oldest first.</summary>
    public IReadOnlyList<HourCount> ByHour { get; init; } = [];
}

/// <summary>Attempts started in one UTC hour, and how many of them were answered.</summary>
public sealed record HourCount(DateTimeOffset Hour, long Attempts, long Answered);
