using System.Diagnostics.CodeAnalysis;

namespace AmiDialer.Core.Dialing;

/// <summary>A caller ID as Originate's <c>CallerID</c> header takes it: <c>"Name" &lt;number&gt;</c>.</summary>
public sealed record CallerId(string Name, string Number)
{
    private const string NumberChars = "+*#";

    /// <summary>
    /// Accepts <c>"Name" &lt;number&gt;</c>, <c>Name &lt;number&gt;</c>, <c>&lt;number&gt;</c> and a bare number.
    /// The name may not hold quotes, angle brackets or control characters; the number is digits and <c>+ * #</c>.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CallerId? callerId, out string? error)
    {
        callerId = null;
        error = null;
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "the caller ID is empty";
            return false;
        }

        string name, number;
        var open = s.IndexOf('<', StringComparison.Ordinal);
        if (open < 0)
        {
            name = "";
            number = s;
        }
        else
        {
            if (!s.EndsWith('>') || s.IndexOf('>', StringComparison.Ordinal) != s.Length - 1)
            {
                error = $"'{DialString.Printable(s)}' must end with the number in angle brackets, like \"Name\" <5551234>";
                return false;
            }

            number = s[(open + 1)..^1].Trim();
            name = s[..open].Trim();
            if (name.Length >= 2 && name[0] == '"' && name[^1] == '"')
            {
                name = name[1..^1];
            }
        }

        var badName = name.FirstOrDefault(c => c is '"' or '<' or '>' || char.IsControl(c));
        if (badName != default)
        {
            error = $"the name may not contain {DialString.Describe(badName)}";
            return false;
        }

        if (number.Length is 0 or > 32 || number.Any(c => !char.IsAsciiDigit(c) && !NumberChars.Contains(c, StringComparison.Ordinal)))
        {
            error = $"the number '{DialString.Printable(number)}' must be 1 to 32 digits (and + * #)";
            return false;
        }

        callerId = new CallerId(name, number);
        return true;
    }

    public static CallerId Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException($"Caller ID: {error}.");

    public override string ToString() => Name.Length == 0 ? $"<{Number}>" : $"\"{Name}\" <{Number}>";
}
