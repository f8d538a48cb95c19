using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Tests.Web;

namespace AmiDialer.Tests.Cli;

/// <summary>The campaign's lead order (retries-first, the default, or fresh-first) through the CLI, the API and the form.</summary>
public sealed class LeadOrderTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>, IDisposable
{
    private readonly CliRunner cli = new();
    private readonly WebTestHost host = fixture.Host;

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Cli_create_defaults_to_retries_first_update_changes_it_and_a_bad_value_is_named()
    {
        Assert.Equal(AmiDialerCli.Success, (await cli.Db("campaign", "create", "ordered")).Code);
        Assert.Equal("retries-first", JsonDocument.Parse((await cli.Db("campaign", "show", "ordered", "--format", "json")).Output).RootElement.GetProperty("order").GetString());
        var updated = await cli.Db("campaign", "update", "ordered", "--order", "fresh-first");
        Assert.True(updated.Code == AmiDialerCli.Success, updated.ToString());
        Assert.Matches(@"(?m)^order\s+fresh-first", (await cli.Db("campaign", "show", "ordered")).Output);

        var bad = await cli.Db("campaign", "create", "bad-order", "--order", "oldest");
        Assert.Equal(AmiDialerCli.Usage, bad.Code);
        Assert.Contains("--order", bad.Error, StringComparison.Ordinal);
        Assert.Contains("'oldest' is not an order: use retries-first or fresh-first.", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_and_form_take_the_order_and_the_page_shows_it()
    {
        using var api = host.WithApiKey();
        using var created = await api.PostAsJsonAsync("/api/campaigns", new { name = "order " + Guid.NewGuid(), order = "fresh-first" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("fresh-first", body.GetProperty("order").GetString());
        var id = body.GetProperty("id").GetInt64();

        using var bad = await api.PutAsJsonAsync($"/api/campaigns/{id}", new { order = "sideways" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("'sideways' is not an order: use retries-first or fresh-first.", problem.GetProperty("errors").GetProperty("order")[0].GetString());

        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var form = await client.GetStringAsync($"/campaigns/{id}/edit");
            Assert.Contains("<select id=\"f-order\" name=\"order\"><option value=\"retries-first\">retries-first</option><option value=\"fresh-first\" selected>fresh-first</option></select>", form, StringComparison.Ordinal);
            var page = await client.GetStringAsync($"/campaigns/{id}");
            Assert.Contains("<th>Lead order</th><td>fresh-first: fresh leads before due retries</td>", page, StringComparison.Ordinal);
        }
    }
}
