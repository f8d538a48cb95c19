using System.Globalization;
using System.Text;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Retries;

/// <summary>
/// What a retry policy and a maximum of attempts do to one number, in a plain sentence, as <see cref="RetryRules"/>
/// applies them: each listed outcome is retried up to its count over the lead's life, other outcomes are final, a call
/// cut off by Asterisk going down before an answer (interrupted) is re-dialed whatever the policy, and the maximum
/// caps every call that reached Asterisk.
/// </summary>
public static class RetryExplanation
{
    public static string Describe(RetryPolicy policy, int maxAttempts)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        var sb = new StringBuilder();
        if (policy.Rules.Count == 0)
        {
            sb.Append("Each number is called once: with no retry rule, no outcome is tried again. ");
            return (maxAttempts == 1
                ? sb.Append("Max attempts 1 also keeps a call cut off by Asterisk going down (before an answer) from being re-dialed.")
                : sb.Append(Invariant($"Max attempts {maxAttempts} only limits the re-dials of calls cut off by Asterisk going down before an answer: at most {maxAttempts} calls to a number then."))).ToString();
        }

        sb.Append(string.Join("; ", policy.Rules.Select(Rule))).Append("; any other outcome is final. ");
        // The first call plus every retry the rules allow: reached only when each outcome uses all its retries.
        var rulesAllow = 1 + policy.Rules.Sum(r => r.Retries);
        if (maxAttempts < rulesAllow)
        {
            sb.Append(Invariant($"Max attempts {maxAttempts} stops a number sooner: at most {maxAttempts} {Calls(maxAttempts)} in all (the rules alone would allow {rulesAllow}), re-dials of calls cut off by Asterisk going down included."));
        }
        else
        {
            sb.Append(Invariant($"The rules allow at most {rulesAllow} {Calls(rulesAllow)} to a number; max attempts {maxAttempts} "))
              .Append(maxAttempts == rulesAllow ? "is the same" : "is more than they can use")
              .Append(Invariant($", so it only limits the re-dials of calls cut off by Asterisk going down before an answer (at most {maxAttempts} calls then)."));
        }

        return sb.ToString();
    }

    private static string Rule(RetryRule rule) =>
        Invariant($"{rule.Outcome.ToWireName()} is tried again after {Delay(rule.Delay)}, up to {rule.Retries} {(rule.Retries == 1 ? "time" : "times")}");

    private static string Calls(int n) => n == 1 ? "call" : "calls";

    private static string Delay(TimeSpan d) =>
        d.Ticks % TimeSpan.TicksPerDay == 0 ? Unit((long)d.TotalDays, "day")
        : d.Ticks % TimeSpan.TicksPerHour == 0 ? Unit((long)d.TotalHours, "hour")
        : d.Ticks % TimeSpan.TicksPerMinute == 0 ? Unit((long)d.TotalMinutes, "minute")
        : Unit((long)d.TotalSeconds, "second");

    private static string Unit(long n, string unit) => Invariant($"{n} {unit}{(n == 1 ? "" : "s")}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
