using System.Globalization;

namespace AmiDialer.Configuration;

/// <summary>
/// Converts a text (a setting, an option) to the scalar type it is for, and says in words what was expected when it
/// does not convert: "'abc' is not a whole number" rather than a type name such as <c>System.Nullable`1[System.Int32]</c>.
/// </summary>
public static class ValueText
{
    /// <summary>What a value of <paramref name="type"/> looks like, in words; null for a type that is not a single value.</summary>
    public static string? Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return type switch
        {
            _ when type == typeof(string) => "a text",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number such as 2.5",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(TimeSpan) => "a duration such as 00:00:30",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time such as 2026-01-31T09:00:00+01:00",
            _ when type == typeof(Uri) => "a URL",
            _ => null,
        };
    }

    /// <summary>Converts <paramref name="text"/> to <paramref name="type"/>; on failure, <paramref name="problem"/> says what was expected.</summary>
    public static bool TryConvert(string text, Type type, out object? value, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(type);
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var invariant = CultureInfo.InvariantCulture;
        var trimmed = text.Trim();
        value = null;
        problem = null;
        var ok = target switch
        {
            _ when target == typeof(string) => Set(text, out value),
            _ when target == typeof(int) => Parse<int>(int.TryParse(trimmed, NumberStyles.Integer, invariant, out var v), v, out value),
            _ when target == typeof(long) => Parse<long>(long.TryParse(trimmed, NumberStyles.Integer, invariant, out var v), v, out value),
            _ when target == typeof(short) => Parse<short>(short.TryParse(trimmed, NumberStyles.Integer, invariant, out var v), v, out value),
            _ when target == typeof(double) => Parse<double>(double.TryParse(trimmed, NumberStyles.Float, invariant, out var v) && double.IsFinite(v), v, out value),
            _ when target == typeof(float) => Parse<float>(float.TryParse(trimmed, NumberStyles.Float, invariant, out var v) && float.IsFinite(v), v, out value),
            _ when target == typeof(decimal) => Parse<decimal>(decimal.TryParse(trimmed, NumberStyles.Number, invariant, out var v), v, out value),
            _ when target == typeof(bool) => Parse<bool>(bool.TryParse(trimmed, out var v), v, out value),
            _ when target == typeof(TimeSpan) => Parse<TimeSpan>(TimeSpan.TryParse(trimmed, invariant, out var v), v, out value),
            _ when target == typeof(DateTimeOffset) => Parse<DateTimeOffset>(DateTimeOffset.TryParse(trimmed, invariant, DateTimeStyles.AssumeLocal, out var v), v, out value),
            _ when target == typeof(DateTime) => Parse<DateTime>(DateTime.TryParse(trimmed, invariant, DateTimeStyles.None, out var v), v, out value),
            _ when target == typeof(Uri) => Parse<Uri?>(Uri.TryCreate(trimmed, UriKind.Absolute, out var v), v, out value),
            // Names only: a number would be accepted by Enum.TryParse and mean whatever member has that value.
            _ when target.IsEnum => Enum.TryParse(target, trimmed, ignoreCase: true, out value) && Enum.IsDefined(target, value!) && !char.IsAsciiDigit(trimmed.FirstOrDefault()) && trimmed.FirstOrDefault() != '-',
            _ => throw new ArgumentException($"{type} is not a single value.", nameof(type)),
        };

        if (!ok)
        {
            value = null;
            problem = $"'{text}' is not {Describe(target)}";
        }

        return ok;
    }

    private static bool Set(string text, out object? value)
    {
        value = text;
        return true;
    }

    private static bool Parse<T>(bool parsed, T result, out object? value)
    {
        value = result;
        return parsed;
    }
}
