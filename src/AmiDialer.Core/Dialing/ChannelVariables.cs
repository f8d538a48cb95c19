using System.Text;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Dialing;

/// <summary>Rules for the channel variables set on each Originate, and their safe spelling in a <c>Variable:</c> header.</summary>
public static class ChannelVariables
{
    /// <summary>
    /// Null when <paramref name="name"/> is a plain variable name (<c>[A-Za-z_][A-Za-z0-9_]*</c>). Anything else could
    /// name a dialplan function: Asterisk treats a name ending in <c>)</c> as a function write, e.g. <c>FILE(...)</c>.
    /// </summary>
    public static string? CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the name is empty";
        }

        if (name.Length > 80)
        {
            return $"'{name[..20]}...' is longer than 80 characters";
        }

        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_') || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '_'))
        {
            return $"'{DialString.Printable(name)}' must match [A-Za-z_][A-Za-z0-9_]* (letters, digits, underscore; no dialplan function)";
        }

        return null;
    }

    /// <summary>Null when <paramref name="value"/> can travel in one AMI header: no CR, LF, NUL or other control character.</summary>
    public static string? CheckValue(string? value)
    {
        foreach (var c in value ?? "")
        {
            if (char.IsControl(c))
            {
                return c is '\r' or '\n' ? $"the value contains a line break ({DialString.Describe(c)})" : $"the value contains {DialString.Describe(c)}";
            }
        }

        return null;
    }

    /// <summary>
    /// The name/value pairs for one lead: constants as written, fields from the lead's CSV columns (an exact header
    /// match first, then ignoring case; a column the lead lacks gives an empty value, as an empty CSV cell would).
    /// Fails, naming the variable, when a name or value is unsafe.
    /// </summary>
    /// <param name="escapeForHeader">
    /// True (the default): values come back escaped as <see cref="ToHeaderValue"/> does, ready to be written as
    /// <c>Variable: name=value</c> by a layer that does not escape (Asterisk splits that header on commas). Pass false
    /// for the raw values (display, reports).
    /// </param>
    public static bool TryResolve(
        IReadOnlyList<ChannelVariable> variables,
        IReadOnlyDictionary<string, string> leadFields,
        out IReadOnlyList<KeyValuePair<string, string>> resolved,
        out string? error,
        bool escapeForHeader = true)
    {
        var list = new List<KeyValuePair<string, string>>(variables.Count);
        resolved = list;
        foreach (var v in variables)
        {
            var value = v.Field is null ? v.Value ?? "" : FieldValue(leadFields, v.Field);
            error = CheckName(v.Name) is { } nameError
                ? $"channel variable '{DialString.Printable(v.Name)}': {nameError}"
                : CheckValue(value) is { } valueError
                    ? v.Field is null ? $"channel variable {v.Name}: {valueError}" : $"field {v.Field} (channel variable {v.Name}): {valueError}"
                    : null;
            if (error is not null)
            {
                return false;
            }

            list.Add(new(v.Name, escapeForHeader ? ToHeaderValue(v.Name, value)[(v.Name.Length + 1)..] : value));
        }

        error = null;
        return true;
    }

    /// <summary>
    /// The text of one <c>Variable:</c> header, <c>NAME=value</c>. Asterisk splits that header's value on commas into
    /// several variables (honouring quotes, brackets and parentheses, and dropping a backslash before any character),
    /// so a CSV value such as <c>Smith, FILE(/etc/x)=y</c> would write a dialplan function. A backslash before each of
    /// <c>\ , " ( ) [ ]</c> keeps the value exactly as it was.
    /// </summary>
    public static string ToHeaderValue(string name, string value)
    {
        if (CheckName(name) is { } nameError)
        {
            throw new ArgumentException(nameError, nameof(name));
        }

        if (CheckValue(value) is { } valueError)
        {
            throw new ArgumentException($"{name}: {valueError}", nameof(value));
        }

        var sb = new StringBuilder(name.Length + value.Length + 8).Append(name).Append('=');
        foreach (var c in value)
        {
            if (c is '\\' or ',' or '"' or '(' or ')' or '[' or ']')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static string FieldValue(IReadOnlyDictionary<string, string> fields, string field)
    {
        if (fields.TryGetValue(field, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in fields)
        {
            if (string.Equals(key, field, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return "";
    }
}
