using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>The built-in click-to-call campaign refuses start, stop and delete from the pages too, and cannot be renamed.</summary>
public sealed class BuiltInCampaignPagesTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    private async Task<long> BuiltInAsync()
    {
        var existing = await host.Services.Campaigns.GetByNameAsync("click-to-call");
        return existing?.Id ?? await CampaignsApiTests.CreateAsync(host.WithApiKey(), "click-to-call");
    }

    [Fact]
    public async Task Page_buttons_are_refused_with_the_reason_and_the_campaign_stays()
    {
        var id = await BuiltInAsync();
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            foreach (var verb in new[] { "start", "stop", "delete" })
            {
                // Post/redirect/get: the refusal is said on the page the POST redirects to.
                using var response = await client.PostAsync($"/campaigns/{id}/{verb}", new FormUrlEncodedContent(PagesTests.Form(token)));
                Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
                var refusedAt = response.Headers.Location!.OriginalString;
                Assert.StartsWith($"/campaigns/{id}?notice=", refusedAt, StringComparison.Ordinal);
                var html = WebUtility.HtmlDecode(await client.GetStringAsync(refusedAt));
                Assert.Matches("id=\"notice\">Campaign 'click-to-call' is built in: it records the click-to-call calls and is never dialed, so it cannot be (started|stopped|deleted)", html);
            }
        }

        var after = (await host.Services.Campaigns.GetAsync(id))!;
        Assert.Equal(AmiDialer.Core.Model.CampaignState.Draft, after.State);
    }

    [Fact]
    public async Task Renaming_it_is_refused_in_the_api_and_the_form()
    {
        var id = await BuiltInAsync();
        using var api = host.WithApiKey();
        using var put = await api.PutAsJsonAsync($"/api/campaigns/{id}", new { name = "c2c" });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("cannot be renamed", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);

        // Its other settings may still change: only the name is what click-to-call finds it by.
        using var ring = await api.PutAsJsonAsync($"/api/campaigns/{id}", new { name = "click-to-call", ringTimeoutSeconds = 40 });
        Assert.Equal(HttpStatusCode.OK, ring.StatusCode);

        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            using var edit = await client.PostAsync($"/campaigns/{id}/edit", new FormUrlEncodedContent(PagesTests.Form(token, ("name", "c2c"))));
            Assert.Equal(HttpStatusCode.BadRequest, edit.StatusCode);
            Assert.Contains("cannot be renamed", WebUtility.HtmlDecode(await edit.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        Assert.Equal("click-to-call", (await host.Services.Campaigns.GetAsync(id))!.Name);
    }
}
