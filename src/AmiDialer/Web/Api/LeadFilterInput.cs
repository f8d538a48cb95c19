using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Data.Phones;
using AmiDialer.Data.Repositories;
using AmiDialer.Reports;

namespace AmiDialer.Web.Api;

/// <summary>A bad filter value: the query parameter it came from and what to send instead.</summary>
internal sealed record FilterError(string Parameter, string Message);

/// <summary>
/// The lead filters of the report (state, outcome, q, from, to), read the same way by the API, the CSV export and the
/// report page; only the page reads from/to as wall-clock times of the campaign's zone.
/// </summary>
internal static class LeadFilterInput
{
    /// <summary>The state names the API writes, so a state read from a lead can be passed back.</summary>
    public static IReadOnlyDictionary<string, LeadState> States { get; } =
        Enum.GetValues<LeadState>().ToDictionary(s => s.ToWireName(), StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<string> Outcomes { get; } = [.. Enum.GetValues<CallOutcome>().Select(o => o.ToWireName())];

    /// <summary>The filter the parameters describe, with instants read as the API takes them (an explicit Z or offset).</summary>
    public static LeadFilter Parse(string? state, string? outcome, string? q, string? from, string? to, string region, out FilterError? error)
    {
        var filter = ParseCommon(state, outcome, q, region, out error);
        if (error is not null)
        {
            return filter;
        }

        if (!TryInstant(from, "from", out var start, out error) || !TryInstant(to, "to", out var end, out error))
        {
            return filter;
        }

        return WithRange(filter with { LastAttemptFrom = start, LastAttemptTo = end }, out error);
    }

    /// <summary>State, outcome and number; the caller reads the date range its own way.</summary>
    public static LeadFilter ParseCommon(string? state, string? outcome, string? q, string region, out FilterError? error)
    {
        error = null;
        var filter = LeadFilter.None;
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (!States.TryGetValue(state.Trim(), out var parsed))
            {
                error = new FilterError("state", $"'{state}' is not a lead state; use one of {string.Join(", ", States.Keys)}.");
                return filter;
            }

            filter = filter with { State = parsed };
        }

        if (!string.IsNullOrWhiteSpace(outcome))
        {
            if (!CallOutcomeNames.TryParse(outcome.Trim(), out var parsed))
            {
                error = new FilterError("outcome", $"'{outcome}' is not an outcome; use one of {string.Join(", ", Outcomes)}.");
                return filter;
            }

            filter = filter with { Outcome = parsed };
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            if (!PhoneSearch.TryParse(q, region, out var term, out var message))
            {
                error = new FilterError("q", message!);
                return filter;
            }

            filter = filter with { PhonePrefix = term.Prefix, PhoneDigits = term.Digits };
        }

        return filter;
    }

    /// <summary>Checks that the range is not reversed.</summary>
    public static LeadFilter WithRange(LeadFilter filter, out FilterError? error)
    {
        error = filter is { LastAttemptFrom: { } f, LastAttemptTo: { } t } && t <= f
            ? new FilterError("to", "Must be after from.")
            : null;
        return filter;
    }

    /// <summary>An instant as the API writes them: ISO 8601 with Z (or an explicit offset); a time without a zone would be a guess.</summary>
    private static bool TryInstant(string? text, string parameter, out DateTimeOffset? value, out FilterError? error)
    {
        value = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var t = text.Trim();
        var zoned = t.EndsWith('Z') || t.EndsWith('z') || (t.Length > 6 && t[^6] is '+' or '-' && t[^3] == ':');
        if (!zoned || !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            error = new FilterError(parameter, $"'{text}' is not a UTC time; use ISO 8601 with Z, e.g. 2026-12-07T09:00:00Z.");
            return false;
        }

        value = parsed.ToUniversalTime();
        return true;
    }
}
