using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>
/// A lead whose field, sent as a channel variable, holds a line break is never dialed (that would inject AMI headers),
/// and says so: counted by the import, its reason in the API, the leads CSV and the report page.
/// </summary>
public sealed class UnsendableLeadTests
{
    private const string Reason = "field ACCOUNT (channel variable ACCT): the value contains a line break (LF): not dialed";

    [Fact]
    public async Task The_import_counts_it_and_the_lead_carries_the_reason_everywhere()
    {
        await using var host = await WebTestHost.StartAsync(simulate: true, timeScale: 20);
        var engine = await host.Services.StartEngineAsync(useScheduler: true, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await engine.WaitForServersAsync(timeout.Token);
        }

        using var client = host.WithApiKey();
        using var created = await client.PostAsJsonAsync("/api/campaigns", new
        {
            name = "inject " + Guid.NewGuid(),
            dialTemplate = "Local/{national}@pstn",
            callingHours = "00:00-24:00",
            callsPerSecond = 50,
            maxAttempts = 1,
            variables = new[] { new { name = "ACCT", field = "ACCOUNT" } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var csv = "phone,ACCOUNT\n+14158137401,\"12\n34\"\n+14158137402,5678\n";
        var summary = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes(csv), "accounts.csv", HttpStatusCode.OK);
        Assert.Equal(2, summary.GetProperty("imported").GetInt64());
        Assert.Equal(1, summary.GetProperty("notDialable").GetInt64());
        Assert.Equal(Reason, summary.GetProperty("notDialableReason").GetString());

        using (var start = await client.PostAsync($"/api/campaigns/{id}/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while ((await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("state").GetString() != "completed")
        {
            Assert.True(DateTime.UtcNow < deadline, "the campaign never completed");
            await Task.Delay(200);
        }

        var leads = (await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads")).GetProperty("leads").EnumerateArray().ToList();
        var refused = leads.Single(l => l.GetProperty("phone").GetString() == "+14158137401");
        Assert.Equal(0, refused.GetProperty("attempts").GetInt32());
        Assert.Equal("failed", refused.GetProperty("outcome").GetString());
        Assert.Equal(Reason, refused.GetProperty("outcomeNote").GetString());
        var dialed = leads.Single(l => l.GetProperty("phone").GetString() == "+14158137402");
        Assert.Equal(1, dialed.GetProperty("attempts").GetInt32());
        Assert.NotEqual(Reason, dialed.GetProperty("outcomeNote").GetString());

        var export = await client.GetStringAsync($"/api/campaigns/{id}/leads.csv");
        Assert.Contains(Reason, export, StringComparison.Ordinal);

        var (cookie, _) = await host.LoggedInAsync();
        using (cookie)
        {
            var report = WebUtility.HtmlDecode(await cookie.GetStringAsync($"/campaigns/{id}/report"));
            Assert.Contains("(" + Reason + ")", report, StringComparison.Ordinal);
        }
    }
}
