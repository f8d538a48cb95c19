using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Core.Phone;
using AmiDialer.Core.Retries;

namespace AmiDialer.Core.Validation;

/// <summary>
/// Checks a campaign's settings before it is saved or started, and names every bad field at once (the CLI, the HTTP
/// API and the store all show the same messages).
/// </summary>
public static class CampaignValidator
{
    public static readonly TimeSpan MinRingTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MaxRingTimeout = TimeSpan.FromMinutes(10);
    public const int MaxConcurrentLimit = 10_000;
    public const double MaxCallsPerSecond = 1_000;
    public const int MaxAttemptsLimit = 100;

    // Rendered through the dial template to catch literal text that is not allowed in a dial string.
    private static readonly PhoneNumberInfo SampleNumber = new("+14155550123", "14155550123", "4155550123");

    /// <param name="campaign">The settings to check.</param>
    /// <param name="allowedContexts">When given, the on-answer redirect must go to one of them (config <c>Dialing:AllowedContexts</c>).</param>
    /// <param name="leadFields">When given (the CSV's headers), every variable taken from a lead field must name one of them.</param>
    public static IReadOnlyList<ValidationError> Validate(
        Campaign campaign,
        IReadOnlyCollection<string>? allowedContexts = null,
        IReadOnlyCollection<string>? leadFields = null)
    {
        var errors = new List<ValidationError>();
        void Add(string field, string? message)
        {
            if (message is not null)
            {
                errors.Add(new(field, message));
            }
        }

        Add(nameof(Campaign.Name), string.IsNullOrWhiteSpace(campaign.Name) ? "must not be empty"
            : campaign.Name.Length > 200 ? "must be at most 200 characters"
            : campaign.Name.Any(char.IsControl) ? "must not contain control characters (line breaks, tabs, NUL)"
            : null);

        Add(nameof(Campaign.TimeZoneId), CheckZone(campaign.TimeZoneId));

        if (!NumberTemplate.TryParse(campaign.DialTemplate, out var template, out var templateError))
        {
            Add(nameof(Campaign.DialTemplate), templateError);
        }
        else if (DialString.Check(template.Render(SampleNumber)) is { } dialError)
        {
            Add(nameof(Campaign.DialTemplate), dialError);
        }

        Add(nameof(Campaign.Destination), campaign.Destination is null ? "must be set" : DialplanNames.CheckTarget(campaign.Destination));
        if (campaign.OnAnswerRedirect is { } redirect)
        {
            Add(nameof(Campaign.OnAnswerRedirect), allowedContexts is null ? DialplanNames.CheckTarget(redirect) : DialplanNames.CheckAllowed(redirect, allowedContexts));
        }

        if (campaign.CallerId is not null && !CallerId.TryParse(campaign.CallerId, out _, out var callerIdError))
        {
            Add(nameof(Campaign.CallerId), callerIdError);
        }

        Add(nameof(Campaign.RingTimeout), campaign.RingTimeout < MinRingTimeout ? $"must be at least 15 s (was {campaign.RingTimeout.TotalSeconds:0.###} s)"
            : campaign.RingTimeout > MaxRingTimeout ? $"must be at most 10 min (was {campaign.RingTimeout})"
            : null);

        CheckVariables(campaign.Variables, leadFields, errors);

        Add(nameof(Campaign.MaxConcurrentCalls), campaign.MaxConcurrentCalls is < 1 or > MaxConcurrentLimit
            ? $"must be from 1 to {MaxConcurrentLimit} (was {campaign.MaxConcurrentCalls})" : null);

        Add(nameof(Campaign.CallsPerSecond), !(campaign.CallsPerSecond > 0) || campaign.CallsPerSecond > MaxCallsPerSecond
            ? $"must be more than 0 and at most {MaxCallsPerSecond} (was {campaign.CallsPerSecond})" : null);

        if (campaign.StartAt is { } start && campaign.EndAt is { } end && end <= start)
        {
            Add(nameof(Campaign.EndAt), $"must be after StartAt ({start:O}); was {end:O}");
        }

        for (var i = 0; i < campaign.Days.Count; i++)
        {
            Add($"{nameof(Campaign.Days)}[{i}]", Enum.IsDefined(campaign.Days[i]) ? null : $"{(int)campaign.Days[i]} is not a day of the week");
        }

        for (var i = 0; i < campaign.Windows.Count; i++)
        {
            Add($"{nameof(Campaign.Windows)}[{i}]", CheckWindow(campaign.Windows[i]));
        }

        Add(nameof(Campaign.CallingHours), CheckWindow(campaign.CallingHours));

        if (!RetryPolicy.TryParse(campaign.RetryPolicy, out _, out var retryError))
        {
            Add(nameof(Campaign.RetryPolicy), retryError);
        }

        Add(nameof(Campaign.MaxAttempts), campaign.MaxAttempts is < 1 or > MaxAttemptsLimit
            ? $"must be from 1 to {MaxAttemptsLimit} (was {campaign.MaxAttempts})" : null);

        return errors;
    }

    /// <summary>Null when <paramref name="zoneId"/> is an IANA zone this machine knows (<c>Europe/Paris</c>), else why not.</summary>
    public static string? CheckZone(string? zoneId) =>
        string.IsNullOrWhiteSpace(zoneId) ? "must not be empty"
        : !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) ? $"'{zoneId}' is not a known IANA time zone (e.g. America/New_York)"
        : !zone.HasIanaId ? $"'{zoneId}' is a Windows zone name; use its IANA name (e.g. America/New_York)"
        : null;

    /// <summary>Null for a window inside one day with its start before its end (00:00-24:00 is any time).</summary>
    public static string? CheckWindow(DailyWindow w) =>
        w.Start < TimeSpan.Zero || w.End > TimeSpan.FromHours(24) ? $"{w} must lie within 00:00-24:00"
        : w.End <= w.Start ? $"{w} must end after it starts (split an overnight window in two)"
        : w.Start.Ticks % TimeSpan.TicksPerMinute != 0 || w.End.Ticks % TimeSpan.TicksPerMinute != 0 ? $"{w} must be on whole minutes"
        : null;

    private static void CheckVariables(IReadOnlyList<ChannelVariable> variables, IReadOnlyCollection<string>? leadFields, List<ValidationError> errors)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < variables.Count; i++)
        {
            var v = variables[i];
            var field = $"{nameof(Campaign.Variables)}[{i}]";
            if (ChannelVariables.CheckName(v.Name) is { } nameError)
            {
                errors.Add(new($"{field}.Name", nameError));
            }
            else if (!seen.Add(v.Name))
            {
                errors.Add(new($"{field}.Name", $"'{v.Name}' is set twice"));
            }

            if ((v.Value is null) == (v.Field is null))
            {
                errors.Add(new(field, "set either a constant Value or a lead Field, not both or neither"));
            }
            else if (v.Value is not null && ChannelVariables.CheckValue(v.Value) is { } valueError)
            {
                errors.Add(new($"{field}.Value", valueError));
            }
            else if (v.Field is not null && leadFields is not null && !leadFields.Contains(v.Field, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new($"{field}.Field", $"the leads have no field '{v.Field}' (they have: {string.Join(", ", leadFields)})"));
            }
        }
    }
}
