using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;

namespace AmiDialer.Tests.Executable;

/// <summary>One attempt of a lead as the store has it.</summary>
internal sealed record StoredAttempt(long Id, string ChannelId, string Server, string? Outcome, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt);

/// <summary>
/// "Every lead has exactly the attempts its outcomes call for": each lead's attempts, in order, replayed through the
/// campaign's retry policy and maximum (Core's <see cref="RetryRules"/>, the rule the engine must have applied whatever
/// node wrote them): every attempt but the last asked for another, not sooner than its delay; the last asked for none
/// (the lead's state is what it decided), or for another that the campaign's end cut off (the lead expired).
/// </summary>
internal static class LeadHistories
{
    /// <summary>Store timestamps are rounded (microseconds on PostgreSQL): a retry exactly on time may read a hair early.</summary>
    private static readonly TimeSpan Rounding = TimeSpan.FromMilliseconds(5);

    public static List<string> Check(IReadOnlyDictionary<(long Lead, string Phone, string State), List<StoredAttempt>> leads, RetryPolicy policy, int maxAttempts)
    {
        var violations = new List<string>();
        foreach (var ((lead, phone, state), attempts) in leads)
        {
            var who = $"lead {lead} ({phone}, {state})";
            if (attempts.Count == 0)
            {
                violations.Add($"{who}: never dialed");
                continue;
            }

            var earlier = new List<CallOutcome>();
            for (var i = 0; i < attempts.Count; i++)
            {
                var attempt = attempts[i];
                if (attempt.EndedAt is not { } ended || !CallOutcomeNames.TryParse(attempt.Outcome, out var outcome))
                {
                    violations.Add($"{who}: attempt {attempt.ChannelId} is not ended with an outcome ({attempt.Outcome ?? "none"})");
                    break;
                }

                var decision = RetryRules.AfterAttempt(earlier, outcome, ended, policy, maxAttempts);
                earlier.Add(outcome);
                if (i < attempts.Count - 1)
                {
                    var next = attempts[i + 1];
                    if (decision.State != LeadState.WaitingRetry)
                    {
                        violations.Add($"{who}: dialed again as {next.ChannelId} after {attempt.ChannelId} ended {outcome.ToWireName()}, which is final ({decision.Why})");
                        break;
                    }

                    if (next.CreatedAt + Rounding < decision.RetryAt)
                    {
                        violations.Add(string.Create(CultureInfo.InvariantCulture,
                            $"{who}: {next.ChannelId} at {next.CreatedAt:HH:mm:ss.fff}, before the retry of {attempt.ChannelId} ({outcome.ToWireName()}) was due at {decision.RetryAt:HH:mm:ss.fff}"));
                        break;
                    }

                    continue;
                }

                var expected = decision.State == LeadState.WaitingRetry ? LeadState.Expired : decision.State;
                if (Data.Database.DbNames.Of(expected) != state)
                {
                    violations.Add($"{who}: its last attempt {attempt.ChannelId} ended {outcome.ToWireName()} after {attempts.Count} attempt(s), which makes it {Data.Database.DbNames.Of(expected)} ({decision.Why})");
                }
            }
        }

        return violations;
    }
}
