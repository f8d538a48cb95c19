using System.Diagnostics.CodeAnalysis;
using System.Text;
using AmiDialer.Core.Phone;

namespace AmiDialer.Core.Dialing;

/// <summary>
/// A text with <c>{e164}</c>, <c>{number}</c> and <c>{national}</c> placeholders, parsed once so a typo such as
/// <c>{nationl}</c> is refused when the campaign is saved rather than dialed as literal text.
/// </summary>
public sealed class NumberTemplate
{
    public static readonly IReadOnlyList<string> Placeholders = ["e164", "number", "national"];

    // Literal text and placeholder names, in order; a placeholder is stored as null text + its name.
    private readonly IReadOnlyList<(string? Literal, string? Placeholder)> _parts;

    private NumberTemplate(string text, IReadOnlyList<(string?, string?)> parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; the error names the bad part.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out NumberTemplate? template, out string? error)
    {
        template = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "the template is empty";
            return false;
        }

        var parts = new List<(string?, string?)>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '}')
            {
                error = $"'}}' at position {i + 1} closes no placeholder";
                return false;
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var close = text.IndexOf('}', i + 1);
            if (close < 0)
            {
                error = $"'{{' at position {i + 1} is never closed";
                return false;
            }

            var name = text[(i + 1)..close];
            if (!Placeholders.Contains(name))
            {
                error = $"unknown placeholder '{{{name}}}' (use {{e164}}, {{number}} or {{national}})";
                return false;
            }

            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), null));
                literal.Clear();
            }

            parts.Add((null, name));
            i = close;
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), null));
        }

        if (!parts.Any(p => p.Item2 is not null))
        {
            error = "the template has no {e164}, {number} or {national} placeholder, so every call would go to the same place";
            return false;
        }

        template = new NumberTemplate(text, parts);
        return true;
    }

    public static NumberTemplate Parse(string text) =>
        TryParse(text, out var template, out var error) ? template : throw new FormatException($"Template '{text}': {error}.");

    /// <summary>Fills the placeholders; the caller validates the result for where it goes (dial string, extension).</summary>
    public string Render(PhoneNumberInfo number)
    {
        var sb = new StringBuilder();
        foreach (var (literal, placeholder) in _parts)
        {
            sb.Append(placeholder switch
            {
                null => literal,
                "e164" => number.E164,
                "number" => number.Number,
                _ => number.National,
            });
        }

        return sb.ToString();
    }

    public override string ToString() => Text;
}
