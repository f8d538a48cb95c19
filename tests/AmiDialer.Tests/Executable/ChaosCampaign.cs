using System.Globalization;
using System.Text;
using AmiDialer.Core.Retries;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// The chaos test's campaign: 3,000 leads of the fictional 555-01xx range over thirty area codes, dialed at 100 calls a
/// second. One number in a hundred (those ending 0199) never answers and is tried again every few seconds, so the
/// campaign is still running, with nothing else left, when the test ends it by its end time.
/// </summary>
internal static class ChaosCampaign
{
    public const string Name = "chaos";
    public const int Leads = 3000;
    public const int CallsPerSecond = 100;
    public const int MaxConcurrent = 300;
    public const int MaxAttempts = 100;

    /// <summary>The numbers that never answer: retried until the campaign's end expires them.</summary>
    public const string NeverAnswers = "0199";

    public static readonly RetryPolicy Retries = RetryPolicy.Parse("busy=1s:1,no-answer=3s:100");

    /// <summary>Real US area codes, a hundred fictional numbers (555-0100..0199) each.</summary>
    private static readonly string[] Areas =
    [
        "201", "202", "203", "205", "206", "207", "208", "209", "210", "212", "213", "214", "215", "216", "217",
        "218", "219", "224", "225", "228", "229", "231", "234", "239", "240", "248", "251", "252", "253", "254",
    ];

    public static string Csv()
    {
        var csv = new StringBuilder("phone,name\n");
        for (var i = 0; i < Leads; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"+1 {Areas[i / 100]} 555 {100 + (i % 100):0000},Lead {i}\n");
        }

        return csv.ToString();
    }

    /// <summary>
    /// Calls of a second or two at <paramref name="timeScale"/> (PBX seconds as in the kill tests), every failure the
    /// dialer tells apart, and the never-answering numbers ringing briefly.
    /// </summary>
    public static string Scenario(double timeScale, int seed) => string.Create(CultureInfo.InvariantCulture, $$"""
        {
          "timeScale": {{timeScale}},
          "seed": {{seed}},
          "rules": [ { "pattern": "{{NeverAnswers}}$", "outcome": "noAnswer", "ringSeconds": 2 } ],
          "mix": [
            { "outcome": "answered", "weight": 45, "ringSeconds": [2, 6], "talkSeconds": [4, 16] },
            { "outcome": "noAnswer", "weight": 20, "ringSeconds": [4, 10] },
            { "outcome": "busy", "weight": 12, "ringSeconds": [0, 2] },
            { "outcome": "rejected", "weight": 6, "ringSeconds": [2, 8] },
            { "outcome": "congestion", "weight": 6, "ringSeconds": [0, 1] },
            { "outcome": "unallocated", "weight": 6, "ringSeconds": [0, 1] },
            { "outcome": "channelUnavailable", "weight": 5 }
          ]
        }
        """);

    public static string[] CreateArguments() =>
    [
        "campaign", "create", Name, "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00",
        "--cps", CallsPerSecond.ToString(CultureInfo.InvariantCulture), "--max-concurrent", MaxConcurrent.ToString(CultureInfo.InvariantCulture),
        "--ring-timeout", "15", "--retry", Retries.ToString(), "--max-attempts", MaxAttempts.ToString(CultureInfo.InvariantCulture),
    ];
}
