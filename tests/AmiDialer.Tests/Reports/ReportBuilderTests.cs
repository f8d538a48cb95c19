using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Reports;

namespace AmiDialer.Tests.Reports;

public sealed class ReportBuilderTests
{
    private static readonly ReportCounts Counts = new()
    {
        Campaign = "reminders",
        CampaignState = "running",
        LeadsByState = new Dictionary<LeadState, long>
        {
            [LeadState.Pending] = 3,
            [LeadState.InProgress] = 1,
            [LeadState.WaitingRetry] = 2,
            [LeadState.Done] = 10,
            [LeadState.Exhausted] = 4,
            [LeadState.Blocked] = 5,
        },
        LeadsByFinalOutcome = new Dictionary<CallOutcome, long>
        {
            [CallOutcome.Answered] = 7,
            [CallOutcome.Busy] = 4,
            [CallOutcome.InvalidNumber] = 3,
        },
        AttemptsByOutcome = new Dictionary<CallOutcome, long>
        {
            [CallOutcome.Answered] = 7,
            [CallOutcome.Busy] = 9,
            [CallOutcome.NoAnswer] = 2,
            [CallOutcome.InvalidNumber] = 3,
            [CallOutcome.Interrupted] = 1,
        },
        Attempts = 22,
        Simulated = true,
        AverageTalkSeconds = 31.4999,
        ByHour =
        [
            new HourCount(new DateTimeOffset(2026, 11, 26, 15, 0, 0, TimeSpan.Zero), 2, 1),
            new HourCount(new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.Zero), 20, 6),
        ],
    };

    [Fact]
    public void Derived_figures_follow_the_documented_definitions()
    {
        var report = ReportBuilder.Build(Counts);
        Assert.Equal(25, report.Leads);
        Assert.Equal(5, report.Blocked);
        Assert.Equal(20, report.Dialable);
        Assert.Equal(6, report.Pending); // pending + in progress + waiting to retry
        Assert.Equal(0.5, report.AnswerRate); // 7 answered of 14 leads with a final outcome
        Assert.Equal(0.3182, report.AttemptAnswerRate); // 7 answered of 22 ended attempts
        Assert.Equal(31.5, report.AvgTalkSeconds);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.Zero), report.ByHour[0].Hour);
    }

    [Fact]
    public void Json_has_the_documented_shape_with_every_standard_key()
    {
        using var doc = JsonDocument.Parse(ReportJson.ToJson(ReportBuilder.Build(Counts)));
        var root = doc.RootElement;
        Assert.Equal(
            ["campaign", "leads", "dialable", "blocked", "attempts", "simulated", "outcomes", "attemptOutcomes", "states", "notFinal", "pending", "answerRate", "attemptAnswerRate", "outcomeUnknown", "avgTalkSeconds", "byHour"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("reminders", root.GetProperty("campaign").GetString());
        Assert.Equal(25, root.GetProperty("leads").GetInt64());
        var outcomes = root.GetProperty("outcomes");
        Assert.Equal(["answered", "busy", "no-answer", "congestion", "rejected", "invalid-number", "failed"], outcomes.EnumerateObject().Select(p => p.Name));
        Assert.Equal(7, outcomes.GetProperty("answered").GetInt64());
        Assert.Equal(0, outcomes.GetProperty("failed").GetInt64());
        Assert.Equal(1, root.GetProperty("attemptOutcomes").GetProperty("interrupted").GetInt64());
        Assert.Equal(["pending", "in-progress", "waiting-retry", "done", "exhausted", "blocked", "expired"], root.GetProperty("states").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, root.GetProperty("states").GetProperty("waiting-retry").GetInt64());
        Assert.Equal(6, root.GetProperty("notFinal").GetInt64());
        Assert.Equal(6, root.GetProperty("pending").GetInt64());
        Assert.Equal(0.5, root.GetProperty("answerRate").GetDouble());
        Assert.Equal(0.3182, root.GetProperty("attemptAnswerRate").GetDouble());
        Assert.Equal(0, root.GetProperty("outcomeUnknown").GetInt64());
        Assert.Equal(31.5, root.GetProperty("avgTalkSeconds").GetDouble());
        var hour = root.GetProperty("byHour")[0];
        Assert.Equal("2026-11-26T14:00:00Z", hour.GetProperty("hour").GetString());
        Assert.Equal(20, hour.GetProperty("attempts").GetInt64());
        Assert.Equal(6, hour.GetProperty("answered").GetInt64());
    }

    [Fact]
    public void An_empty_campaign_has_zero_rates_not_NaN()
    {
        var report = ReportBuilder.Build(new ReportCounts { Campaign = "empty" });
        Assert.Equal(0, report.AnswerRate);
        Assert.Equal(0, report.AttemptAnswerRate);
        Assert.Equal(0, report.AvgTalkSeconds);
        using var doc = JsonDocument.Parse(ReportJson.ToJson(report));
        Assert.Equal(0, doc.RootElement.GetProperty("states").GetProperty("pending").GetInt64());
    }

    [Fact]
    public void Table_shows_figures_outcomes_states_and_the_simulated_banner()
    {
        var table = ReportTable.Format(ReportBuilder.Build(Counts));
        Assert.Contains("Campaign: reminders (running)", table, StringComparison.Ordinal);
        Assert.Contains("SIMULATED", table, StringComparison.Ordinal);
        Assert.Contains("answer rate by leads: 50.0 %  by attempts: 31.8 %", table, StringComparison.Ordinal);
        // The header's figure is named "not final" and shows its parts, which are the state table's rows.
        Assert.Contains("not final: 6 (pending 3, in progress 1, waiting retry 2)", table, StringComparison.Ordinal);
        Assert.DoesNotContain("pending: ", table, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^pending\s+3$", table);
        Assert.Matches(@"(?m)^busy\s+4\s+9$", table);
        Assert.Matches(@"(?m)^waiting-retry\s+2$", table);
        Assert.Matches(@"(?m)^2026-11-26 14:00\s+20\s+6$", table);
    }

    [Fact]
    public void On_a_terminal_the_report_tables_are_boxed_and_hold_the_same_figures()
    {
        var table = ReportTable.Format(ReportBuilder.Build(Counts), new TableStyle(Terminal: true, Width: 100));
        Assert.Contains("Campaign: reminders (running)", table, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^│ busy\s+│\s+4 │\s+9 │$", table);
        Assert.Matches(@"(?m)^│ waiting-retry\s+│\s+2 │$", table);
        Assert.Matches(@"(?m)^│ 2026-11-26 14:00 │\s+20 │\s+6 │$", table);
    }

    [Fact]
    public void Table_cells_cannot_carry_terminal_control_characters()
    {
        var text = new TextTable("name").Add("evil\u001b[2Jname\r").ToString();
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\r', text);
    }

    [Fact]
    public void Unknown_and_not_sent_leads_are_left_out_of_the_answer_rate_and_unknown_is_named()
    {
        var counts = Counts with
        {
            LeadsByFinalOutcome = new Dictionary<CallOutcome, long>
            {
                [CallOutcome.Answered] = 7,
                [CallOutcome.Busy] = 4,
                [CallOutcome.InvalidNumber] = 3,
                [CallOutcome.Unknown] = 6,
                [CallOutcome.NotSent] = 1, // expired before it could be sent again
            },
        };
        var report = ReportBuilder.Build(counts);
        Assert.Equal(0.5, report.AnswerRate); // still 7 of 14: the 6 unknown and the not-sent one may or may not have answered
        Assert.Equal(6, report.OutcomeUnknown);
        Assert.Equal(6, report.Outcomes["unknown"]);

        using var doc = JsonDocument.Parse(ReportJson.ToJson(report));
        Assert.Equal(6, doc.RootElement.GetProperty("outcomeUnknown").GetInt64());
        Assert.Equal(6, doc.RootElement.GetProperty("outcomes").GetProperty("unknown").GetInt64());
        Assert.Equal(0.5, doc.RootElement.GetProperty("answerRate").GetDouble());

        // Unknown and not-sent attempts are left out of the rate by attempts the same way.
        var attempts = ReportBuilder.Build(counts with { AttemptsByOutcome = new Dictionary<CallOutcome, long> { [CallOutcome.Answered] = 1, [CallOutcome.Busy] = 3, [CallOutcome.Unknown] = 4, [CallOutcome.NotSent] = 2 } });
        Assert.Equal(0.25, attempts.AttemptAnswerRate);

        var table = ReportTable.Format(report);
        Assert.Contains("Ended while the dialer was down: outcome unknown: 6 lead(s), not in the answer rate and never re-dialed automatically. To call them again: amidialer campaign requeue reminders --outcome unknown", table, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome unknown", ReportTable.Format(ReportBuilder.Build(Counts)), StringComparison.Ordinal);

        // Only unknown leads: no lead with a known result, so no rate (0, not NaN or a negative).
        Assert.Equal(0, ReportBuilder.Build(counts with { LeadsByFinalOutcome = new Dictionary<CallOutcome, long> { [CallOutcome.Unknown] = 3 } }).AnswerRate);
    }
}
