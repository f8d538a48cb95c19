using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary>
/// Value checks attached to options, so a bad value is a parse error (exit 2) whose message names the option and
/// the value, before anything is opened or written.
/// </summary>
internal static class OptionValidation
{
    /// <summary>Adds a check; <paramref name="problem"/> returns why the value is bad, or null.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0)
            {
                return;
            }

            T? value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                // Not convertible to T: the parser reports that itself, naming the option.
                return;
            }

            if (value is null)
            {
                return;
            }

            var why = problem(value);
            if (why is not null)
            {
                result.AddError($"{option.Name}: {why}");
            }
        });
        return option;
    }

    /// <summary>Adds a check to a text option; <paramref name="problem"/> sees only given values.</summary>
    public static Option<string?> CheckText(this Option<string?> option, Func<string, string?> problem) =>
        option.Check<string?>(text => problem(text!));

    /// <summary>Adds a check to every value of a repeatable option.</summary>
    public static Option<string[]> CheckEach(this Option<string[]> option, Func<string, string?> problem)
    {
        option.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                var why = problem(value);
                if (why is not null)
                {
                    result.AddError($"{option.Name} '{value}': {why}");
                }
            }
        });
        return option;
    }

    public static Argument<T> Check<T>(this Argument<T> argument, Func<T, string?> problem)
    {
        argument.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (value is null)
            {
                return;
            }

            var why = problem(value);
            if (why is not null)
            {
                result.AddError($"<{argument.Name}> '{value}': {why}");
            }
        });
        return argument;
    }

    /// <summary>Accepts only these values (case-insensitive), and says which ones when another is given.</summary>
    public static Option<string> OneOf(this Option<string> option, params string[] allowed) =>
        option.Check(value => allowed.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"'{value}' is not one of {string.Join(", ", allowed)}.");

    public static string? Positive(int value) => value >= 1 ? null : $"must be at least 1 (was {value}).";

    public static string? Positive(double value) => value > 0 && double.IsFinite(value) ? null : $"must be greater than 0 (was {value}).";

    /// <summary>Campaign names appear in tables, URLs and file names: printable, trimmed, at most 100 characters.</summary>
    public static string? CampaignName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "a campaign name must not be empty.";
        }

        if (name.Length > 100)
        {
            return "a campaign name has at most 100 characters.";
        }

        if (name.Any(char.IsControl))
        {
            return "a campaign name must not contain control characters.";
        }

        return name.Trim() != name ? "a campaign name must not start or end with spaces." : null;
    }
}
