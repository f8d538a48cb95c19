using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Retries;

/// <summary>
/// Which outcomes are tried again, how soon and how often: <c>busy=5m:3,no-answer=1h:2</c>. An outcome the policy does
/// not list is final. <c>answered</c> and <c>unknown</c> are always final, <c>interrupted</c> and <c>not-sent</c> are
/// always tried again, so none of them may be listed.
/// </summary>
public sealed class RetryPolicy
{
    public const int MaxRetries = 100;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(365);

    private RetryPolicy(IReadOnlyList<RetryRule> rules) => Rules = rules;

    /// <summary>Nothing is retried except interrupted and not-sent attempts.</summary>
    public static RetryPolicy None { get; } = new([]);

    public IReadOnlyList<RetryRule> Rules { get; }

    public RetryRule? RuleFor(CallOutcome outcome) => Rules.FirstOrDefault(r => r.Outcome == outcome);

    /// <summary>
    /// Parses <c>outcome=delay:retries</c> entries separated by commas; delay is a whole number with <c>s</c>, <c>m</c>,
    /// <c>h</c> or <c>d</c>; outcome is a wire name (<c>busy</c>, <c>no-answer</c>, <c>congestion</c>, ...). Empty text
    /// is <see cref="None"/>. The error names the entry and the part that is wrong.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out RetryPolicy? policy, out string? error)
    {
        policy = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            policy = None;
            return true;
        }

        var rules = new List<RetryRule>();
        var entries = text.Split(',');
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i].Trim();
            error = ParseEntry(entry, rules, out var rule);
            if (error is not null)
            {
                error = $"retry policy entry {i + 1} '{entry}': {error}";
                return false;
            }

            rules.Add(rule!);
        }

        policy = new RetryPolicy(rules);
        return true;
    }

    public static RetryPolicy Parse(string? text) =>
        TryParse(text, out var policy, out var error) ? policy : throw new FormatException(error);

    /// <summary>The canonical text, which parses back to the same policy.</summary>
    public override string ToString() => string.Join(',', Rules);

    private static string? ParseEntry(string entry, List<RetryRule> earlier, out RetryRule? rule)
    {
        rule = null;
        var eq = entry.IndexOf('=', StringComparison.Ordinal);
        var colon = entry.LastIndexOf(':');
        if (eq <= 0 || colon < eq)
        {
            return "must look like outcome=delay:retries, e.g. busy=5m:3";
        }

        var name = entry[..eq].Trim();
        if (!CallOutcomeNames.TryParse(name, out var outcome))
        {
            return $"unknown outcome '{name}' (use {string.Join(", ", Enum.GetValues<CallOutcome>().Select(o => o.ToWireName()))})";
        }

        if (outcome == CallOutcome.Answered)
        {
            return "answered is final and cannot be retried";
        }

        if (outcome == CallOutcome.Interrupted)
        {
            return "interrupted attempts are always retried at once; leave them out";
        }

        if (outcome == CallOutcome.Unknown)
        {
            // Its callee may have answered: re-dialing it has to be an operator's decision, never a policy's.
            return "unknown is final and never retried automatically; requeue such leads with: amidialer campaign requeue <name> --outcome unknown";
        }

        if (outcome == CallOutcome.NotSent)
        {
            return "not-sent attempts (the Originate never reached Asterisk) are always due again at once; leave them out";
        }

        if (earlier.Any(r => r.Outcome == outcome))
        {
            return $"'{name}' is listed twice";
        }

        var delayText = entry[(eq + 1)..colon].Trim();
        if (!TryParseDelay(delayText, out var delay))
        {
            return $"delay '{delayText}' must be a whole number followed by s, m, h or d (e.g. 90s, 5m, 1h, 2d)";
        }

        if (delay > MaxDelay)
        {
            return $"delay '{delayText}' is longer than {MaxDelay.TotalDays:0} days";
        }

        var retriesText = entry[(colon + 1)..].Trim();
        if (!int.TryParse(retriesText, NumberStyles.None, CultureInfo.InvariantCulture, out var retries) || retries < 1 || retries > MaxRetries)
        {
            return $"retries '{retriesText}' must be a whole number from 1 to {MaxRetries}";
        }

        rule = new RetryRule(outcome, delay, retries);
        return null;
    }

    private static bool TryParseDelay(string text, out TimeSpan delay)
    {
        delay = default;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1_000_000_000)
        {
            return false;
        }

        TimeSpan? result = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
        delay = result ?? default;
        return result is not null;
    }
}
