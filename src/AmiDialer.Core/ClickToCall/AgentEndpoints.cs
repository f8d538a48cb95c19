using AmiDialer.Core.Dialing;

namespace AmiDialer.Core.ClickToCall;

/// <summary>
/// Which endpoints click-to-call may ring first. An API key alone must not be enough to ring any channel on the PBX,
/// so the endpoint has to be a plain dial string AND match one configured glob.
/// </summary>
public static class AgentEndpoints
{
    /// <summary>Null when <paramref name="endpoint"/> is allowed, else why not.</summary>
    public static string? Check(string? endpoint, IReadOnlyCollection<string> allowedPatterns)
    {
        // Checked before matching: `PJSIP/*` must not accept `PJSIP/1&DAHDI/g1/900...` (a second device).
        if (DialString.Check(endpoint) is { } shapeError)
        {
            return $"agent endpoint '{DialString.Printable(endpoint ?? "")}': {shapeError}";
        }

        return allowedPatterns.Any(p => GlobMatches(endpoint!, p))
            ? null
            : $"agent endpoint '{endpoint}' matches none of the allowed patterns ({(allowedPatterns.Count == 0 ? "none configured" : string.Join(", ", allowedPatterns))})";
    }

    /// <summary>
    /// Case-sensitive glob: <c>?</c> is one character and <c>*</c> any run of characters, but neither crosses <c>/</c>
    /// or <c>@</c>, so <c>Local/*@agentphone</c> cannot be stretched to <c>Local/1@other/n@agentphone</c> (another
    /// context). Every other character matches itself.
    /// </summary>
    public static bool GlobMatches(string text, string pattern) => Match(text, 0, pattern, 0);

    private static bool Match(string text, int t, string pattern, int p)
    {
        while (p < pattern.Length)
        {
            var pc = pattern[p];
            if (pc == '*')
            {
                // Try every split of the run the star may cover, shortest first.
                for (var end = t; ; end++)
                {
                    if (Match(text, end, pattern, p + 1))
                    {
                        return true;
                    }

                    if (end == text.Length || IsSeparator(text[end]))
                    {
                        return false;
                    }
                }
            }

            if (t == text.Length)
            {
                return false;
            }

            if (pc == '?' ? IsSeparator(text[t]) : pc != text[t])
            {
                return false;
            }

            t++;
            p++;
        }

        return t == text.Length;
    }

    private static bool IsSeparator(char c) => c is '/' or '@';
}
