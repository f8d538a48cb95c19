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

    /// <summary>
    /// What reports and pages say of a lead whose final outcome is <c>unknown</c>: its call ended while no dialer was
    /// connected and nothing tells how (the callee may have answered), so it is never re-dialed automatically.
    /// </summary>
    public const string UnknownNote = "ended while the dialer was down: outcome unknown";

    /// <summary>Outcomes whose leads are left out of the answer rate: nobody knows whether they were answered.</summary>
    public static readonly IReadOnlyList<string> OutsideAnswerRate = ["unknown", "not-sent"];

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

    /// <summary>
    /// Leads not final yet: in state pending, in progress or waiting to retry (the sum of those three states). Shown
    /// as "not final" everywhere, so it is never mistaken for the lead state pending alone.
    /// </summary>
    public long Pending { get; init; }

    /// <summary>
    /// Answer rate by leads: answered leads over leads with a final outcome other than unknown and not-sent
    /// (<see cref="OutsideAnswerRate"/>); 0 when there is none. Mid-run it covers finished leads only.
    /// </summary>
    public double AnswerRate { get; init; }

    /// <summary>
    /// Answer rate by attempts: answered attempts over ended attempts other than unknown and not-sent; 0 when there
    /// is none. Lower than the rate by leads when leads are retried (a lead busy twice then answered is 1 of 3 here).
    /// </summary>
    public double AttemptAnswerRate { get; init; }

    /// <summary>Leads whose final outcome is unknown (<see cref="UnknownNote"/>): left out of the answer rate, requeued only by an operator.</summary>
    public long OutcomeUnknown { get; init; }

    /// <summary>Mean talk time of answered attempts, in seconds; 0 when none was answered.</summary>
    public double AvgTalkSeconds { get; init; }

    /// <summary>Attempts started in each UTC hour, oldest first.</summary>
    public IReadOnlyList<HourCount> ByHour { get; init; } = [];

    /// <summary>A queue campaign's abandon rate over the operator's window; null for other campaigns.</summary>
    public AbandonReport? Abandon { get; init; }
}

/// <summary>Attempts started in one UTC hour, and how many of them were answered.</summary>
public sealed record HourCount(DateTimeOffset Hour, long Attempts, long Answered);
