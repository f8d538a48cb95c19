using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>A name another campaign holds is a 409 naming the field, whether creating or renaming, in the API and the form.</summary>
public sealed class CampaignNameConflictTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Renaming_to_a_taken_name_through_the_api_is_409_on_name_and_changes_nothing()
    {
        using var client = host.WithApiKey();
        var taken = "taken " + Guid.NewGuid();
        var mine = "mine " + Guid.NewGuid();
        await CampaignsApiTests.CreateAsync(client, taken);
        var id = await CampaignsApiTests.CreateAsync(client, mine);

        using var rename = await client.PutAsJsonAsync($"/api/campaigns/{id}", new { name = taken, maxConcurrentCalls = 9 });
        Assert.Equal(HttpStatusCode.Conflict, rename.StatusCode);
        Assert.Equal("application/problem+json", rename.Content.Headers.ContentType?.MediaType);
        var problem = await rename.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Contains(taken, problem.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);

        var after = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
        Assert.Equal(mine, after.GetProperty("name").GetString());
        Assert.NotEqual(9, after.GetProperty("maxConcurrentCalls").GetInt32());

        // Saving a campaign under its own name is no conflict.
        using var same = await client.PutAsJsonAsync($"/api/campaigns/{id}", new { name = mine, maxConcurrentCalls = 9 });
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
    }

    [Fact]
    public async Task Create_and_rename_answer_the_same_problem()
    {
        using var client = host.WithApiKey();
        var taken = "same " + Guid.NewGuid();
        await CampaignsApiTests.CreateAsync(client, taken);
        var other = await CampaignsApiTests.CreateAsync(client);

        using var create = await client.PostAsJsonAsync("/api/campaigns", new { name = taken });
        using var rename = await client.PutAsJsonAsync($"/api/campaigns/{other}", new { name = taken });
        Assert.Equal(HttpStatusCode.Conflict, create.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, rename.StatusCode);
        var a = await create.Content.ReadFromJsonAsync<JsonElement>();
        var b = await rename.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("title").GetString(), b.GetProperty("title").GetString());
        Assert.Equal(a.GetProperty("errors").GetProperty("name")[0].GetString(), b.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [Fact]
    public async Task The_edit_form_shows_a_taken_name_next_to_the_field_with_409()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            using var api = host.WithApiKey();
            var taken = "form taken " + Guid.NewGuid();
            await CampaignsApiTests.CreateAsync(api, taken);
            var id = await CampaignsApiTests.CreateAsync(api);

            using var edit = await client.PostAsync($"/campaigns/{id}/edit", new FormUrlEncodedContent(PagesTests.Form(token, ("name", taken))));
            Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
            Assert.Equal("text/html", edit.Content.Headers.ContentType?.MediaType);
            var html = WebUtility.HtmlDecode(await edit.Content.ReadAsStringAsync());
            Assert.Matches("id=\"f-name\"[^>]*aria-invalid=\"true\"[^>]*><span class=\"field-error\" id=\"err-name\"[^>]*>A campaign named '" + taken + "' already exists", html);

            using var create = await client.PostAsync("/campaigns/new", new FormUrlEncodedContent(PagesTests.Form(token, ("name", taken))));
            Assert.Equal(HttpStatusCode.Conflict, create.StatusCode);
            Assert.Contains("id=\"err-name\"", await create.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
