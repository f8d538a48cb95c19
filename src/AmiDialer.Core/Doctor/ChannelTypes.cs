namespace AmiDialer.Core.Doctor;

/// <summary>The channel technologies a PBX has loaded, and the one a dial string or endpoint pattern uses.</summary>
public static class ChannelTypes
{
    /// <summary>
    /// The driver names in <c>core show channeltypes</c> output (k3): a header line, a dashed line, one line per driver
    /// starting with its name, then <c>----------</c> and <c>N channel drivers registered.</c>
    /// </summary>
    public static IReadOnlySet<string> Parse(IEnumerable<string> outputLines)
    {
        ArgumentNullException.ThrowIfNull(outputLines);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in outputLines)
        {
            var name = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (name is null || name == "Type" || name.StartsWith('-') || line.Contains("channel drivers registered", StringComparison.Ordinal))
            {
                continue;
            }

            names.Add(name);
        }

        return names;
    }

    /// <summary>
    /// The technology of a dial string, template or endpoint pattern (<c>PJSIP/{number}@trunk</c>, <c>PJSIP/1??</c>):
    /// what comes before the first '/', or null when there is none or it holds a pattern character.
    /// </summary>
    public static string? TechnologyOf(string? dialString)
    {
        var slash = dialString?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0)
        {
            return null;
        }

        var tech = dialString![..slash];
        return tech.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? tech : null;
    }
}
