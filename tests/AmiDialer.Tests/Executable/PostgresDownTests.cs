using System.Globalization;
using System.Net;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Core.Retries;
using AmiDialer.Testing.Postgres;
using Xunit.Abstractions;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// PostgreSQL going away under a running <c>amidialer serve</c> (stopped for real with <c>pg_ctl -m immediate stop</c>,
/// as a crash or a failover does, then started again on the same port and data): the node keeps running, says the store
/// is unavailable (health 503, the API and pages a 503 problem, the CLI one line naming the server and the key), and when
/// the database is back it resumes by itself; the campaign finishes with every lead exactly right and every outcome the
/// PBX's, those of the calls that ended while the database was down included.
/// </summary>
public sealed class PostgresDownTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IDisposable
{
    private const string Key = "pgdown-test-key-0123456789";
    private const string Campaign = "outage";
    private const int Leads = 400;
    private const int MaxAttempts = 3;

    /// <summary>Long enough for calls to be placed, answered and ended while it is down, as in a restart or failover.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    private static readonly RetryPolicy Retries = RetryPolicy.Parse("busy=1s:1,no-answer=3s:2");

    /// <summary>Generous: on two loaded cores the campaign takes a minute or two; this only bounds a hang.</summary>
    private static readonly TimeSpan CampaignLimit = TimeSpan.FromMinutes(10);

    private readonly string folder = Directory.CreateTempSubdirectory("amidialer-pgdown-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A child still writing its record; the OS cleans temp folders.
        }
    }

    [PostgresFact]
    public async Task A_campaign_dialing_through_a_postgres_restart_finishes_with_every_lead_exactly_right_and_says_503_meanwhile()
    {
        await using var cluster = await ChaosCluster.CreateAsync(postgres, folder, "pgdown");
        // No ledger: what the node saw of the calls that ended while the store was down is all there is to write.
        var pbx = await cluster.AddPbxAsync("pbx1", ChaosCampaign.Scenario(timeScale: 4, seed: 321), ledger: false, maxConcurrentCalls: 60);
        await cluster.CliAsync("campaign", "create", Campaign, "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--cps", "20",
            "--max-concurrent", "50", "--ring-timeout", "15", "--retry", Retries.ToString(), "--max-attempts", MaxAttempts.ToString(CultureInfo.InvariantCulture));
        var csv = Path.Combine(folder, "leads.csv");
        string[] areas = ["312", "415", "617", "720"];
        await File.WriteAllTextAsync(csv, "phone\n" + string.Concat(Enumerable.Range(0, Leads).Select(i => string.Create(CultureInfo.InvariantCulture, $"+1 {areas[i / 100]} 555 {100 + (i % 100):0000}\n"))));
        await cluster.CliAsync("import", csv, "--campaign", Campaign);
        var campaignId = await cluster.ScalarAsync<long>("SELECT id FROM campaigns WHERE name = @p", Campaign);

        var node = await cluster.StartNodeAsync("a", new Dictionary<string, string> { ["AMIDIALER_Web__ApiKeys__0"] = Key });
        var url = node.Url;
        await cluster.CliAsync("campaign", "start", Campaign, "--force");
        await ChildServe.WaitUntilAsync(
            async () => await cluster.ScalarAsync<long>("SELECT COUNT(*) FROM attempts WHERE campaign_id = @p", campaignId) >= 100,
            CampaignLimit, () => "the campaign never dialed 100 calls:\n" + cluster.Describe());

        var callsBefore = pbx.Read().Dials.Count;
        await postgres.StopAsync();
        var down = DateTime.UtcNow;
        try
        {
            await CheckAnswersWhileDownAsync(cluster, url);
            var left = Outage - (DateTime.UtcNow - down);
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left);
            }
        }
        finally
        {
            await postgres.StartAgainAsync();
        }

        var outage = DateTime.UtcNow - down;
        var endedWhileDown = pbx.Read().Calls.Values.Count(c => c.EndedAt.UtcDateTime >= down && c.EndedAt.UtcDateTime <= down + outage);
        Assert.False(node.Process.HasExited, "serve exited while PostgreSQL was down:\n" + node.Process);
        await ChildServe.WaitUntilAsync(
            async () => await cluster.ScalarAsync<string>("SELECT state FROM campaigns WHERE id = @p", campaignId) == "completed",
            CampaignLimit, () => "the campaign never completed after PostgreSQL came back:\n" + cluster.Describe());
        await ChildServe.WaitForHealthAsync(node.Process, url);

        var truth = await CampaignChecks.SettledTruthAsync([pbx]);
        var record = truth.Values.Single();
        var violations = new List<string>();
        violations.AddRange(record.OverlappingCalls().Select(o => "two live calls at once: " + o));
        violations.AddRange(record.RedialsOfAnswered().Select(r => "answered callee dialed again: " + r));
        var attempts = await CampaignChecks.StoredAttemptsAsync(cluster, campaignId);
        violations.AddRange(LeadHistories.Check(attempts, Retries, MaxAttempts));
        var (right, unknown, noCall) = CampaignChecks.CompareOutcomes(attempts.Values.SelectMany(a => a), truth, violations);
        if (unknown > 0)
        {
            violations.Add($"{unknown} unknown outcome(s), though the node followed every call to its end");
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"pgdown: {attempts.Count} leads, {attempts.Values.Sum(a => a.Count)} attempts ({right} outcomes as the PBX recorded, {noCall} refused), {record.Calls.Count} calls, {callsBefore} sent before the stop, {endedWhileDown} ended while PostgreSQL was down for {outage.TotalSeconds:0.0} s");
        output.WriteLine(summary);
        Assert.True(violations.Count == 0, $"{violations.Count} violation(s):\n{string.Join("\n", violations.Take(40))}\n\n{summary}\n{cluster.Describe()}");
        Assert.True(endedWhileDown > 0, "no call ended while PostgreSQL was down: the test proved nothing about holding their outcomes\n" + summary);
        Assert.False(node.Process.HasExited, "serve exited:\n" + node.Process);
    }

    /// <summary>/health, the API, a page and the CLI while the database is down: each says so, none with a stack trace.</summary>
    private async Task CheckAnswersWhileDownAsync(ChaosCluster cluster, Uri url)
    {
        var where = $"127.0.0.1:{postgres.Port.ToString(CultureInfo.InvariantCulture)}";
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);

        using (var health = await http.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            var body = await health.Content.ReadAsStringAsync();
            Assert.True(health.StatusCode == HttpStatusCode.ServiceUnavailable, $"/health: {(int)health.StatusCode} {body}");
            var database = JsonDocument.Parse(body).RootElement.GetProperty("database");
            Assert.False(database.GetProperty("ok").GetBoolean(), body);
        }

        using (var api = await http.GetAsync(new Uri("/api/campaigns", UriKind.Relative)))
        {
            var body = await api.Content.ReadAsStringAsync();
            Assert.True(api.StatusCode == HttpStatusCode.ServiceUnavailable, $"/api/campaigns: {(int)api.StatusCode} {body}");
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Contains(where, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.NotNull(api.Headers.RetryAfter);
        }

        using (var page = await http.GetAsync(new Uri("/campaigns", UriKind.Relative)))
        {
            var body = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == HttpStatusCode.ServiceUnavailable, $"/campaigns: {(int)page.StatusCode} {body}");
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains(where, body, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        }

        var list = await AmiDialerProcess.RunAsync(folder, cluster.Environment(), AmiDialerProcess.CommandLimit, "campaign", "list");
        Assert.True(list.Code == AmiDialerCli.Failure, "campaign list with PostgreSQL down: " + list);
        Assert.StartsWith($"Cannot reach PostgreSQL at {where} (Database:ConnectionString): ", list.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", list.Error, StringComparison.Ordinal);
    }
}
