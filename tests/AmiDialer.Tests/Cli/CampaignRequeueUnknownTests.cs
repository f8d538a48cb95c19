using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing;
using AmiDialer.Tests.Reports;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// Leads whose call ended while the dialer was down: what the reports say of them, and
/// <c>campaign requeue NAME --outcome unknown</c> giving them back to the dialer, on a real SQLite file.
/// </summary>
public sealed class CampaignRequeueUnknownTests : IDisposable
{
    private const string Note = "ended while the dialer was down: outcome unknown";
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Reports_name_the_unknown_leads_and_the_requeue_returns_them_with_their_history()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "spring", "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--max-attempts", "3")).Code);
        Assert.Equal(0, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "spring")).Code);
        var db = await AmiDialerDatabase.OpenAsync(cli.DatabasePath);
        var campaign = (await new CampaignRepository(db, TimeProvider.System).GetByNameAsync("spring"))!;
        var ids = await EndedAttempts.EndAsync(db, campaign.Id, DateTimeOffset.UtcNow,
            CallOutcome.Unknown, CallOutcome.Unknown, CallOutcome.Unknown, CallOutcome.Answered, CallOutcome.Answered, CallOutcome.Busy, CallOutcome.NotSent);

        using (var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "spring", "--format", "json")).Output))
        {
            var root = doc.RootElement;
            Assert.Equal(3, root.GetProperty("outcomeUnknown").GetInt64());
            Assert.Equal(3, root.GetProperty("outcomes").GetProperty("unknown").GetInt64());
            Assert.Equal(1, root.GetProperty("attemptOutcomes").GetProperty("not-sent").GetInt64());
            // 2 answered of the 3 leads whose result is known (busy is final with no retry policy); not 2 of 6.
            Assert.Equal(0.6667, root.GetProperty("answerRate").GetDouble());
            Assert.Equal(14, root.GetProperty("pending").GetInt64()); // 13 never dialed + the not-sent one, due again
        }

        var table = await cli.Db("report", "--campaign", "spring");
        Assert.Contains("Ended while the dialer was down: outcome unknown: 3 lead(s)", table.Output, StringComparison.Ordinal);
        Assert.Contains("amidialer campaign requeue spring --outcome unknown", table.Output, StringComparison.Ordinal);
        Assert.Contains("answer rate by leads: 66.7 %", table.Output, StringComparison.Ordinal);
        var csv = await cli.Db("report", "--campaign", "spring", "--format", "csv");
        Assert.Contains("outcome_unknown,3", csv.Output, StringComparison.Ordinal);

        var leads = cli.File("leads.csv", "");
        Assert.Equal(0, (await cli.Db("report", "--campaign", "spring", "--leads", "--format", "csv", "--out", leads)).Code);
        var rows = File.ReadAllLines(leads);
        Assert.EndsWith(",outcome_note", rows[0], StringComparison.Ordinal);
        Assert.Equal(3, rows.Count(r => r.Contains(",done,unknown,1,", StringComparison.Ordinal) && r.EndsWith("," + Note, StringComparison.Ordinal)));
        Assert.Equal(3, rows.Count(r => r.EndsWith(Note, StringComparison.Ordinal)));
        using (var json = JsonDocument.Parse((await cli.Db("report", "--campaign", "spring", "--leads", "--format", "json")).Output))
        {
            var notes = json.RootElement.EnumerateArray().Where(l => l.GetProperty("outcomeNote").ValueKind == JsonValueKind.String).ToList();
            Assert.Equal(3, notes.Count);
            Assert.All(notes, l => Assert.Equal(("unknown", Note), (l.GetProperty("outcome").GetString(), l.GetProperty("outcomeNote").GetString())));
        }

        // Misuse is refused before anything changes.
        var busy = await cli.Db("campaign", "requeue", "spring", "--outcome", "busy");
        Assert.True(busy.Code == AmiDialerCli.Usage, busy.ToString());
        Assert.Contains("only 'unknown' can be requeued (was 'busy')", busy.Error, StringComparison.Ordinal);
        var both = await cli.Db("campaign", "requeue", "spring", "--outcome", "unknown", "--simulated");
        Assert.True(both.Code == AmiDialerCli.Usage, both.ToString());
        Assert.Contains("not both", both.Error, StringComparison.Ordinal);
        var bare = await cli.Db("campaign", "requeue", "spring");
        Assert.Contains("--simulated or --outcome unknown", bare.Error, StringComparison.Ordinal);

        var requeue = await cli.Db("campaign", "requeue", "spring", "--outcome", "unknown");
        Assert.True(requeue.Code == AmiDialerCli.Success, requeue.ToString());
        Assert.Contains("3 lead(s) whose call ended while the dialer was down (outcome unknown) are pending again", requeue.Output, StringComparison.Ordinal);
        Assert.Contains("It is draft. Start it to dial: amidialer campaign start spring", requeue.Output, StringComparison.Ordinal);

        var leadRepo = new LeadRepository(db);
        var attempts = new AttemptRepository(db);
        foreach (var id in ids.Take(3))
        {
            var lead = (await leadRepo.GetAsync(id))!;
            Assert.Equal((LeadState.Pending, (CallOutcome?)null, 1), (lead.State, lead.FinalOutcome, lead.AttemptCount));
            Assert.Equal([CallOutcome.Unknown], (await attempts.ListByLeadAsync(id)).Select(a => a.Outcome!.Value));
        }

        Assert.Equal(LeadState.Done, (await leadRepo.GetAsync(ids[3]))!.State);
        var audit = Assert.Single(await new AuditLog(db).ListAsync(subject: $"campaign:{campaign.Id}"), a => a.Action == "campaign.requeue");
        Assert.Equal(("cli", "outcome unknown: 3 lead(s) back to pending; draft -> draft"), (audit.Actor.Split(':')[0], audit.Details));

        using (var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "spring", "--format", "json")).Output))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("outcomeUnknown").GetInt64());
            Assert.Equal(17, doc.RootElement.GetProperty("pending").GetInt64());
            Assert.Equal(3, doc.RootElement.GetProperty("attemptOutcomes").GetProperty("unknown").GetInt64());
        }

        Assert.DoesNotContain("outcome unknown", (await cli.Db("report", "--campaign", "spring")).Output, StringComparison.Ordinal);
        var again = await cli.Db("campaign", "requeue", "spring", "--outcome", "unknown");
        Assert.True(again.Code == AmiDialerCli.Success, again.ToString());
        Assert.Contains("nothing to requeue", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lead_abandoned_within_the_delay_is_refused_naming_its_time_unless_forced_and_the_audit_row_says_so()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "autumn", "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--max-attempts", "3")).Code);
        Assert.Equal(0, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "autumn")).Code);
        var db = await AmiDialerDatabase.OpenAsync(cli.DatabasePath);
        var campaign = (await new CampaignRepository(db, TimeProvider.System).GetByNameAsync("autumn"))!;
        var answeredAt = DateTimeOffset.UtcNow;
        var leadId = await EndedAttempts.AbandonedThenUnknownAsync(db, campaign.Id, answeredAt);
        var phone = (await new LeadRepository(db).GetAsync(leadId))!.PhoneE164;
        // The default delay: 72 h after the abandoned answer.
        var utc = (answeredAt + TimeSpan.FromHours(72)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "Z";

        var refused = await cli.Db("campaign", "requeue", "autumn", "--outcome", "unknown");
        Assert.True(refused.Code == AmiDialerCli.Failure, refused.ToString());
        Assert.Contains($"{phone} not before {utc}", refused.Error, StringComparison.Ordinal);
        Assert.Contains("less than 72 h ago (Dialing:AbandonRetryDelay)", refused.Error, StringComparison.Ordinal);
        Assert.Contains("To requeue them now: amidialer campaign requeue autumn --outcome unknown --force", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Error, StringComparison.Ordinal);
        Assert.Equal(LeadState.Done, (await new LeadRepository(db).GetAsync(leadId))!.State);
        var misplaced = await cli.Db("campaign", "requeue", "autumn", "--simulated", "--force");
        Assert.True(misplaced.Code == AmiDialerCli.Usage, misplaced.ToString());

        var forced = await cli.Db("campaign", "requeue", "autumn", "--outcome", "unknown", "--force");
        Assert.True(forced.Code == AmiDialerCli.Success, forced.ToString());
        Assert.Equal(LeadState.Pending, (await new LeadRepository(db).GetAsync(leadId))!.State);
        var audit = Assert.Single(await new AuditLog(db).ListAsync(subject: $"campaign:{campaign.Id}"), a => a.Action == "campaign.requeue");
        Assert.EndsWith($"; forced: 1 lead(s) inside the abandon retry delay (72 h), called before {utc}", audit.Details, StringComparison.Ordinal);
    }
}
