using System.Globalization;
using System.Text;
using AmiDialer.Data.Repositories;
using AmiDialer.Web.Api;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// The report page's lead filters as the query string carries them: from and to are wall-clock times of the
/// campaign's zone (what a datetime-local input sends), turned into UTC for the query; links to other pages, to a
/// lead and to the CSV keep them.
/// </summary>
internal sealed record LeadView(string? State, string? Outcome, string? Q, string? From, string? To, int Page, LeadFilter Filter, FilterError? Error, TimeZoneInfo Zone)
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd"];

    public static LeadView Read(IQueryCollection query, TimeZoneInfo zone, string region)
    {
        string? Text(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        var (state, outcome, q, from, to) = (Text("state"), Text("outcome"), Text("q"), Text("from"), Text("to"));
        var filter = LeadFilterInput.ParseCommon(state, outcome, q, region, out var error);
        var page = 1;
        if (error is null && Text("page") is { } p && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            error = new FilterError("page", $"'{p}' is not a page number (1, 2, ...).");
            page = 1;
        }

        DateTimeOffset? start = null;
        if (error is null)
        {
            TryLocal(from, "from", zone, out start, out error);
        }

        DateTimeOffset? end = null;
        if (error is null && TryLocal(to, "to", zone, out end, out error) && end is { } e)
        {
            // The page's to is inclusive (to 17:00 means through that minute; a date alone, through that day): the API's is exclusive.
            end = to!.Length switch { 10 => e.AddDays(1), 16 => e.AddMinutes(1), 19 => e.AddSeconds(1), _ => e };
        }

        if (error is null)
        {
            filter = LeadFilterInput.WithRange(filter with { LastAttemptFrom = start, LastAttemptTo = end }, out error);
        }

        return new LeadView(state, outcome, q, from, to, page, filter, error, zone);
    }

    /// <summary>The same filters for the API and the CSV, from and to in UTC with Z; "" when none.</summary>
    public string ApiQuery() => Query(
        ("state", State), ("outcome", Outcome), ("q", Q),
        ("from", Filter.LastAttemptFrom is { } f ? Utc(f) : null), ("to", Filter.LastAttemptTo is { } t ? Utc(t) : null));

    /// <summary>This page's filters with another page number (page 1 left out).</summary>
    public string PageQuery(long page) => Query(
        ("state", State), ("outcome", Outcome), ("q", Q), ("from", From), ("to", To), ("page", page > 1 ? page.ToString(CultureInfo.InvariantCulture) : null));

    private static string Query(params (string Name, string? Value)[] parts)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in parts.Where(p => p.Value is not null))
        {
            sb.Append(sb.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Url(value));
        }

        return sb.ToString();
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static bool TryLocal(string? text, string parameter, TimeZoneInfo zone, out DateTimeOffset? value, out FilterError? error)
    {
        value = null;
        error = null;
        if (text is null)
        {
            return true;
        }

        if (!DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            error = new FilterError(parameter, $"'{text}' is not a date and time such as 2026-12-07T09:00 ({zone.Id}).");
            return false;
        }

        // A wall-clock time in the campaign's zone; in a DST gap or overlap the zone's standard offset decides, which
        // moves the bound by at most an hour on two nights a year.
        value = new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
        return true;
    }
}
