using System.Globalization;
using System.Net;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Core.Retries;
using AmiDialer.Tests.Cli;
using AmiDialer.Testing.Postgres;
using Npgsql;
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
        // A dialer told its claim or ending was committed must find it after the restart (or a call is made twice, an
        // attempt stays open for ever): a production server keeps acknowledged commits, the fixture's must too.
        await postgres.KeepCommitsAcrossStopsAsync(cluster.ConnectionString);

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
        try
        {
            await DialThroughARestartAsync(cluster, pbx, node, campaignId);
        }
        finally
        {
            // Kept beside the tests' output, whole (a failure's message has only its tail): what the node said through the outage.
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "pgdown-serve.log"), node.Process.Error);
        }
    }

    private async Task DialThroughARestartAsync(ChaosCluster cluster, SimulatorProcess pbx, ChaosCluster.Node node, long campaignId)
    {
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
            await CheckAnswersWhileDownAsync(cluster, url, campaignId);
            var left = Outage - (DateTime.UtcNow - down);
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left);
            }
        }
        finally
        {
            await postgres.StartAgainAsync();
            // The test's own pooled connections died with the server; the node must get over that by itself.
            using var pooled = new NpgsqlConnection(cluster.ConnectionString);
            NpgsqlConnection.ClearPool(pooled);
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

    [PostgresFact]
    public async Task Serve_refuses_to_start_on_a_wrong_password_an_unknown_database_or_a_bad_connection_string_naming_the_setting_never_the_password()
    {
        const string Secret = "wrong-hunter2";
        var database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync("secured"));
        await RequirePasswordAsync("secured", "right-password");
        var where = $"127.0.0.1:{postgres.Port.ToString(CultureInfo.InvariantCulture)}";

        var wrongPassword = await ServeAsync($"Host=127.0.0.1;Port={database.Port};Username=secured;Password={Secret};Database={database.Database}");
        Assert.True(wrongPassword.Code == AmiDialerCli.Failure, wrongPassword.ToString());
        Assert.StartsWith($"PostgreSQL at {where} refused user 'secured' (Database:ConnectionString): password authentication failed for user \"secured\".", wrongPassword.Error, StringComparison.Ordinal);

        var unknown = await ServeAsync($"postgres://{database.Username}:{Secret}@127.0.0.1:{database.Port}/no_such_db");
        Assert.True(unknown.Code == AmiDialerCli.Failure, unknown.ToString());
        Assert.StartsWith($"There is no database 'no_such_db' on PostgreSQL at {where} (Database:ConnectionString).", unknown.Error, StringComparison.Ordinal);

        var bad = await ServeAsync($"Host=127.0.0.1;Prot={database.Port};Password={Secret};Database={database.Database}");
        Assert.True(bad.Code != AmiDialerCli.Success, bad.ToString());
        Assert.Contains("Database:ConnectionString is not an Npgsql connection string", bad.Error, StringComparison.Ordinal);

        foreach (var run in new[] { wrongPassword, unknown, bad })
        {
            Assert.DoesNotContain(Secret, run.Output + run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>serve on <paramref name="connectionString"/>, to its end: it must refuse to start, not serve.</summary>
    private Task<CliResult> ServeAsync(string connectionString) =>
        AmiDialerProcess.RunAsync(folder, new Dictionary<string, string>
        {
            ["AMIDIALER_Database__Provider"] = "Postgres",
            ["AMIDIALER_Database__ConnectionString"] = connectionString,
        }, AmiDialerProcess.CommandLimit, "serve", "--simulate", "--urls", $"http://127.0.0.1:{ChildServe.FreePort().ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// A role that must give its password (the fixture's cluster trusts every local connection): a pg_hba.conf line for
    /// it alone, ahead of the trust lines, then a reload, waited for until a wrong password is refused.
    /// </summary>
    private async Task RequirePasswordAsync(string role, string password)
    {
        await using (var admin = new NpgsqlConnection(postgres.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN PASSWORD '{password}'", admin);
            await create.ExecuteNonQueryAsync();
            var hba = Path.Combine(postgres.Folder!, "data", "pg_hba.conf");
            await File.WriteAllTextAsync(hba, $"host all {role} 127.0.0.1/32 scram-sha-256\n" + await File.ReadAllTextAsync(hba));
            await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", admin);
            await reload.ExecuteNonQueryAsync();
        }

        var probe = new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString) { Username = role, Password = "not-" + password, Pooling = false }.ConnectionString;
        await ChildServe.WaitUntilAsync(
            async () =>
            {
                try
                {
                    await using var connection = new NpgsqlConnection(probe);
                    await connection.OpenAsync();
                    return false;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
                {
                    return true;
                }
            },
            TimeSpan.FromSeconds(30), () => "PostgreSQL never asked for the password after the reload");
    }

    /// <summary>/health, the API, a page and the CLI while the database is down: each says so, none with a stack trace.</summary>
    private async Task CheckAnswersWhileDownAsync(ChaosCluster cluster, Uri url, long campaignId)
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
            Assert.Contains(where, database.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Contains("Database:ConnectionString", database.GetProperty("error").GetString(), StringComparison.Ordinal);
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

        var path = "/campaigns/" + campaignId.ToString(CultureInfo.InvariantCulture);
        using (var page = await http.GetAsync(new Uri(path, UriKind.Relative)))
        {
            var body = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == HttpStatusCode.ServiceUnavailable, $"{path}: {(int)page.StatusCode} {body}");
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
