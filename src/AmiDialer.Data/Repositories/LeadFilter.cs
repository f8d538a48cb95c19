using AmiDialer.Core.Model;

namespace AmiDialer.Data.Repositories;

/// <summary>Which leads a report listing keeps: every part is optional and all given parts must hold.</summary>
public sealed record LeadFilter
{
    public static LeadFilter None { get; } = new();

    public LeadState? State { get; init; }

    public CallOutcome? Outcome { get; init; }

    /// <summary>The E.164 number starts with this ("+1212555"): read off the (campaign, phone) index.</summary>
    public string? PhonePrefix { get; init; }

    /// <summary>The E.164 number contains these digits anywhere.</summary>
    public string? PhoneDigits { get; init; }

    /// <summary>The lead's last attempt started at or after this instant.</summary>
    public DateTimeOffset? LastAttemptFrom { get; init; }

    /// <summary>The lead's last attempt started before this instant (exclusive, so consecutive ranges do not overlap).</summary>
    public DateTimeOffset? LastAttemptTo { get; init; }

    public bool IsEmpty => this == None;
}
