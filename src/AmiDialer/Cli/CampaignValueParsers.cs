using System.Globalization;
using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Core.Phone;
using AmiDialer.Core.Scheduling;
using AmiDialer.Core.Validation;

namespace AmiDialer.Cli;

/// <summary>
/// Command-line spellings of campaign settings, checked by the Core rules. Each returns null on success or the
/// reason the text is refused (the caller prefixes the option's name).
/// </summary>
internal static class CampaignValueParsers
{
    /// <summary>Rendering a template against this number shows whether its dial strings would be safe.</summary>
    private static readonly PhoneNumberInfo SampleNumber = new("+14155550123", "14155550123", "4155550123");

    public static string? Window(string text, out DailyWindow window) =>
        ScheduleText.TryParseWindow(text, out window, out var error) ? null : error + ".";

    public static string? Days(string text, out IReadOnlyList<DayOfWeek> days) =>
        ScheduleText.TryParseDays(text, out days, out var error) ? null : error + ".";

    public static string? Destination(string text, out DialplanTarget target)
    {
        target = new DialplanTarget("", "", 1);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var priority))
        {
            return "expected context,extension,priority, e.g. agents,100,1.";
        }

        var candidate = new DialplanTarget(parts[0], parts[1], priority);
        if (DialplanNames.CheckTarget(candidate) is { } error)
        {
            return error + ".";
        }

        target = candidate;
        return null;
    }

    /// <summary>
    /// Where a campaign sends answered calls is checked when it is saved, by the rule transfers follow at call time,
    /// so a destination Asterisk would refuse is not found only when the first customer answers.
    /// </summary>
    public static string? AllowedDestination(DialplanTarget target, IReadOnlyCollection<string> allowedContexts) =>
        DialplanNames.CheckAllowed(target, allowedContexts) is { } problem ? problem + " (config Dialing:AllowedContexts)." : null;

    public static string? DialTemplate(string text)
    {
        if (!NumberTemplate.TryParse(text, out var template, out var error))
        {
            return error + ".";
        }

        return DialString.Check(template!.Render(SampleNumber)) is { } problem ? problem + "." : null;
    }

    public static string? CallerId(string text) =>
        text.Length == 0 || Core.Dialing.CallerId.TryParse(text, out _, out var error) ? null : error + ".";

    /// <summary><c>NAME=value</c> (a constant) or, for <c>--var-field</c>, <c>NAME=column</c>.</summary>
    public static string? Variable(string text, bool field, out ChannelVariable variable)
    {
        variable = new ChannelVariable("", null, null);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return field ? "expected NAME=column." : "expected NAME=value.";
        }

        var name = text[..equals];
        var value = text[(equals + 1)..];
        if ((ChannelVariables.CheckName(name) ?? ChannelVariables.CheckValue(value)) is { } error)
        {
            return error + ".";
        }

        if (field && value.Length == 0)
        {
            return "the column name must not be empty.";
        }

        variable = field ? new ChannelVariable(name, null, value) : new ChannelVariable(name, value, null);
        return null;
    }

    public static string? TimeZone(string text) => CampaignValidator.CheckZone(text) is { } error ? error + "." : null;

    public static string? RingTimeout(int seconds) =>
        seconds >= 15 ? null : $"must be at least 15 seconds (was {seconds}).";

    /// <summary>
    /// A queue name as queues.conf spells a section and AMI's <c>Queue:</c> header carries it; anything else could
    /// not be the name of a queue, and a name with separators could smuggle text into the AMI action.
    /// </summary>
    public static string? QueueName(string text)
    {
        if (text.Length == 0)
        {
            return "the queue name must not be empty.";
        }

        if (text.Length > MaxQueueName)
        {
            return $"at most {MaxQueueName} characters (was {text.Length}).";
        }

        return text.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.')
            ? null
            : $"'{text}' is not a queue name: letters, digits, '_', '-' and '.' only.";
    }

    public const int MaxQueueName = 80;

    /// <summary>Calls in flight per free agent: below 0.1 a queue would hardly be dialed, above 10 most answers would wait.</summary>
    public static string? PacingRatio(double ratio) =>
        ratio is >= MinPacingRatio and <= MaxPacingRatio
            ? null
            : $"must be from {MinPacingRatio.ToString(CultureInfo.InvariantCulture)} to {MaxPacingRatio.ToString(CultureInfo.InvariantCulture)} (was {ratio.ToString(CultureInfo.InvariantCulture)}).";

    public const double MinPacingRatio = 0.1;
    public const double MaxPacingRatio = 10;

    public static string? Pacing(string text) =>
        PacingModeNames.TryParse(text, out _) ? null : $"'{text}' is not a pacing mode: {string.Join(", ", PacingModeNames.WireNames)}.";

    /// <summary>
    /// Agent pacing counts the free agents of the campaign's queue: without a queue there is nobody to count, so the
    /// campaign would never dial. Null when the combination is fine.
    /// </summary>
    public static string? QueueForPacing(Campaign campaign) =>
        campaign.Pacing != PacingMode.Fixed && string.IsNullOrEmpty(campaign.Queue)
            ? $"{campaign.Pacing.ToWireName()} pacing follows the free agents of a queue: name the queue whose agents take the answered calls."
            : null;

    public static string? Region(string text) => PhoneRegions.Check(text) is { } error ? error + "." : null;
}
