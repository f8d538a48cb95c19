using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>A host whose Dialing:AllowedContexts is set, so the rule is seen to follow the configuration.</summary>
public sealed class SalesContextHostFixture : IAsyncLifetime
{
    public WebTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await WebTestHost.StartAsync(configure: s => s.Dialing.AllowedContexts = ["sales", "ivr"]);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Where answered calls go and the on-answer redirect are checked against Dialing:AllowedContexts when saved.</summary>
public sealed class CampaignDestinationTests(SalesContextHostFixture fixture) : IClassFixture<SalesContextHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Api_create_refuses_a_destination_and_a_redirect_outside_the_allowed_contexts()
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsJsonAsync("/api/campaigns", new
        {
            name = "dest " + Guid.NewGuid(),
            destination = "from-internal,100,1",
            onAnswerRedirect = "agents,200,1",
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var destination = errors.GetProperty("destination")[0].GetString()!;
        Assert.Contains("'from-internal'", destination, StringComparison.Ordinal);
        Assert.Contains("sales, ivr", destination, StringComparison.Ordinal);
        Assert.Contains("'agents'", errors.GetProperty("onAnswerRedirect")[0].GetString(), StringComparison.Ordinal);

        using var ok = await client.PostAsJsonAsync("/api/campaigns", new { name = "dest ok " + Guid.NewGuid(), destination = "sales,100,1", onAnswerRedirect = "ivr,s,1" });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var created = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sales,100,1", created.GetProperty("destination").GetString());
        Assert.Equal("ivr,s,1", created.GetProperty("onAnswerRedirect").GetString());
    }

    [Fact]
    public async Task Api_update_refuses_a_destination_outside_the_allowed_contexts_and_keeps_the_old_one()
    {
        using var client = host.WithApiKey();
        using var created = await client.PostAsJsonAsync("/api/campaigns", new { name = "upd " + Guid.NewGuid(), destination = "sales,100,1" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        foreach (var body in new object[] { new { destination = "from-internal,100,1" }, new { onAnswerRedirect = "from-internal,100,1" } })
        {
            using var put = await client.PutAsJsonAsync($"/api/campaigns/{id}", body);
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            var errors = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Contains("from-internal", errors.EnumerateObject().Single().Value[0].GetString(), StringComparison.Ordinal);
        }

        var after = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
        Assert.Equal("sales,100,1", after.GetProperty("destination").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("onAnswerRedirect").ValueKind);
    }

    [Fact]
    public async Task The_form_shows_the_refused_destination_next_to_its_field()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var fields = PagesTests.Form(token, ("name", "form dest " + Guid.NewGuid()), ("destination", "from-internal,100,1"), ("onAnswerRedirect", "agents,1,1"));
            using var bad = await client.PostAsync("/campaigns/new", new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var html = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
            Assert.Matches("id=\"err-destination\"[^>]*>Context 'from-internal' is not in the allowed contexts \\(sales, ivr\\)", html);
            Assert.Matches("id=\"err-onAnswerRedirect\"[^>]*>Context 'agents' is not in the allowed contexts", html);

            fields["destination"] = "sales,100,1";
            fields["onAnswerRedirect"] = "";
            using var ok = await client.PostAsync("/campaigns/new", new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
            var edit = ok.Headers.Location!.OriginalString.Split('?')[0] + "/edit"; // the rest is the "saved" notice

            fields["destination"] = "from-internal,100,1";
            using var badEdit = await client.PostAsync(edit, new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.BadRequest, badEdit.StatusCode);
            Assert.Contains("id=\"err-destination\"", await badEdit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
