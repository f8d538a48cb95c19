using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Testing;
using AmiDialer.Tests.Reports;

namespace AmiDialer.Tests.Web;

/// <summary>
/// One definition of each figure through the real host: the report JSON, the live status, the campaign page and the
/// report page give the same answer rates (by leads and by attempts, both named) and the same "not final" count.
/// </summary>
public sealed class FiguresTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Answer_rates_by_leads_and_by_attempts_and_not_final_agree_in_json_status_and_pages()
    {
        using var api = host.WithApiKey();
        using var created = await api.PostAsJsonAsync("/api/campaigns", new { name = "figures " + Guid.NewGuid(), callingHours = "00:00-24:00", retryPolicy = "busy=2m:2", maxAttempts = 3 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await ImportsApiTests.UploadAsync(api, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        // Two busy leads wait to retry: 1 answered of 2 final leads (50 %), 1 answered of 4 attempts (25 %).
        await EndedAttempts.EndAsync(host.Services.Database, id, DateTimeOffset.UtcNow, CallOutcome.Answered, CallOutcome.Busy, CallOutcome.Busy, CallOutcome.NoAnswer);

        var report = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/report");
        Assert.Equal(0.5, report.GetProperty("answerRate").GetDouble());
        Assert.Equal(0.25, report.GetProperty("attemptAnswerRate").GetDouble());
        Assert.Equal(18, report.GetProperty("notFinal").GetInt64()); // 16 never dialed + 2 waiting to retry
        Assert.Equal(18, report.GetProperty("pending").GetInt64());
        Assert.Equal(16, report.GetProperty("states").GetProperty("pending").GetInt64());
        Assert.Equal(2, report.GetProperty("states").GetProperty("waiting-retry").GetInt64());

        var status = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        Assert.Equal(0.5, status.GetProperty("answerRate").GetDouble());
        Assert.Equal(0.25, status.GetProperty("attemptAnswerRate").GetDouble());
        Assert.Equal(18, status.GetProperty("pending").GetInt64());
        Assert.Equal(2, status.GetProperty("attemptOutcomes").GetProperty("busy").GetInt64());
        Assert.Equal(0, status.GetProperty("outcomes").GetProperty("busy").GetInt64()); // no busy lead is final yet

        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var page = await client.GetStringAsync($"/campaigns/{id}");
            Assert.Contains("Answer rate (leads)</div><div class=\"stat\" id=\"answerRate\">50.0 %<", page, StringComparison.Ordinal);
            Assert.Contains("Answer rate (attempts)</div><div class=\"stat\" id=\"attemptAnswerRate\">25.0 %<", page, StringComparison.Ordinal);
            Assert.Contains("Not final yet</div><div class=\"stat\" id=\"pending\">18<", page, StringComparison.Ordinal);
            var reportPage = await client.GetStringAsync($"/campaigns/{id}/report");
            Assert.Contains("Answer rate (leads)</div><div class=\"stat\" id=\"r-answer-rate\">50.0 %<", reportPage, StringComparison.Ordinal);
            Assert.Contains("Answer rate (attempts)</div><div class=\"stat\" id=\"r-attempt-answer-rate\">25.0 %<", reportPage, StringComparison.Ordinal);
            Assert.Contains("id=\"r-pending\">18<", reportPage, StringComparison.Ordinal);
        }
    }
}
