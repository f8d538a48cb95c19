namespace AmiDialer.Core.Model;

/// <summary>One phone number in one campaign.</summary>
public sealed record Lead
{
    public long Id { get; init; }
    public long CampaignId { get; init; }

    /// <summary>E.164, with the leading <c>+</c>.</summary>
    public required string PhoneE164 { get; init; }

    /// <summary>The CSV's other columns, by header name.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>IANA zones the number may be in (libphonenumber's mapper); empty when unknown.</summary>
    public IReadOnlyList<string> TimeZones { get; init; } = [];

    public LeadState State { get; init; } = LeadState.Pending;
    public CallOutcome? FinalOutcome { get; init; }
    public int AttemptCount { get; init; }

    /// <summary>UTC instant from which the lead may be dialed; null when it never will be.</summary>
    public DateTimeOffset? NextEligibleAt { get; init; }
}
