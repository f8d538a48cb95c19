using AmiDialer.Core.Phone;

namespace AmiDialer.Core.Dialing;

/// <summary>
/// Renders and checks the Originate <c>Channel</c> value (<c>PJSIP/{number}@trunk</c>, <c>Local/{national}@outbound</c>).
/// </summary>
/// <remarks>
/// What must never reach a dial string, and why:
/// CR, LF and NUL end the AMI header and would let the rest be read as more headers or another action;
/// <c>&amp;</c> makes Dial ring a second device (any channel on the PBX);
/// <c>,</c> and <c>|</c> separate Dial's arguments, so they would smuggle in a timeout or options such as
/// <c>U()</c>/<c>G()</c> that run dialplan; <c>(</c> <c>)</c> carry those options' arguments;
/// <c>$</c> <c>{</c> <c>}</c> <c>[</c> <c>]</c> are variable, function and expression expansion if the string ever
/// passes through the dialplan; quotes and whitespace have no business in a channel name.
/// So the result must be <c>Tech/resource</c> built only from letters, digits and <c>+ - _ . @ / : # *</c>.
/// </remarks>
public static class DialString
{
    private const string ResourceChars = "+-_.@/:#*";

    /// <summary>Fills the template and checks the result; throws <see cref="FormatException"/> naming the offending character.</summary>
    public static string Render(NumberTemplate template, PhoneNumberInfo number)
    {
        var result = template.Render(number);
        var error = Check(result);
        return error is null ? result : throw new FormatException($"Dial string '{Printable(result)}' from template '{template.Text}': {error}.");
    }

    /// <summary>Null when <paramref name="dialString"/> is a safe <c>Tech/resource</c>, else why not.</summary>
    public static string? Check(string? dialString)
    {
        if (string.IsNullOrEmpty(dialString))
        {
            return "it is empty";
        }

        for (var i = 0; i < dialString.Length; i++)
        {
            var c = dialString[i];
            if (!char.IsAsciiLetterOrDigit(c) && !ResourceChars.Contains(c, StringComparison.Ordinal))
            {
                return $"character {Describe(c)} at position {i + 1} is not allowed (only letters, digits and {ResourceChars})";
            }
        }

        var slash = dialString.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == dialString.Length - 1)
        {
            return "it must look like Tech/resource, e.g. PJSIP/{number}@trunk";
        }

        if (!char.IsAsciiLetter(dialString[0]) || !dialString.AsSpan(0, slash).ContainsOnlyLettersDigitsOrUnderscore())
        {
            return $"'{dialString[..slash]}' is not a channel technology name";
        }

        return null;
    }

    internal static string Describe(char c) => c switch
    {
        '\r' => "CR",
        '\n' => "LF",
        '\0' => "NUL",
        ' ' => "' ' (space)",
        _ when char.IsControl(c) => $"U+{(int)c:X4}",
        _ => $"'{c}'",
    };

    internal static string Printable(string s) => string.Concat(s.Select(c => char.IsControl(c) ? $"<{Describe(c)}>" : c.ToString()));

    private static bool ContainsOnlyLettersDigitsOrUnderscore(this ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
