using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Tests.Web;

namespace AmiDialer.Tests.Cli;

/// <summary>A campaign's queue, pacing mode and ratio (issue #26) through the CLI, the API and the form.</summary>
public sealed class CampaignPacingTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>, IDisposable
{
    private readonly CliRunner cli = new();
    private readonly WebTestHost host = fixture.Host;

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task Cli_create_defaults_to_fixed_without_a_queue_and_update_sets_queue_pacing_and_ratio()
    {
        Assert.Equal(AmiDialerCli.Success, (await cli.Db("campaign", "create", "paced")).Code);
        var json = JsonDocument.Parse((await cli.Db("campaign", "show", "paced", "--format", "json")).Output).RootElement;
        Assert.Equal("fixed", json.GetProperty("pacing").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("queue").ValueKind);
        Assert.Equal(1.0, json.GetProperty("pacingRatio").GetDouble());

        var updated = await cli.Db("campaign", "update", "paced", "--queue", "sales", "--pacing", "progressive", "--pacing-ratio", "1.5");
        Assert.True(updated.Code == AmiDialerCli.Success, updated.ToString());
        var shown = (await cli.Db("campaign", "show", "paced")).Output;
        Assert.Matches(@"(?m)^queue\s+sales\s*$", shown);
        Assert.Matches(@"(?m)^pacing\s+progressive: 1\.5 call\(s\) per free agent", shown);
        json = JsonDocument.Parse((await cli.Db("campaign", "show", "paced", "--format", "json")).Output).RootElement;
        Assert.Equal("sales", json.GetProperty("queue").GetString());
        Assert.Equal("progressive", json.GetProperty("pacing").GetString());
        Assert.Equal(1.5, json.GetProperty("pacingRatio").GetDouble());

        // Taking the queue away from an agent-paced campaign would leave it nobody to count.
        var orphaned = await cli.Db("campaign", "update", "paced", "--queue", "");
        Assert.Equal(AmiDialerCli.Usage, orphaned.Code);
        Assert.Contains("--queue: progressive pacing follows the free agents of a queue", orphaned.Error, StringComparison.Ordinal);

        var back = await cli.Db("campaign", "update", "paced", "--queue", "", "--pacing", "fixed");
        Assert.True(back.Code == AmiDialerCli.Success, back.ToString());
        Assert.Matches(@"(?m)^queue\s+none\s*$", (await cli.Db("campaign", "show", "paced")).Output);
    }

    [Theory]
    [InlineData(new[] { "--pacing", "predictive" }, "--queue: predictive pacing follows the free agents of a queue")]
    [InlineData(new[] { "--pacing", "adaptive" }, "'adaptive' is not a pacing mode: fixed, progressive, predictive.")]
    [InlineData(new[] { "--queue", "sales;Action: Originate" }, "is not a queue name: letters, digits, '_', '-' and '.' only.")]
    [InlineData(new[] { "--queue", "sales", "--pacing", "progressive", "--pacing-ratio", "0" }, "--pacing-ratio")]
    public async Task Cli_refuses_bad_pacing_settings_naming_the_option(string[] options, string expected)
    {
        var result = await cli.Db(["campaign", "create", "bad-" + Guid.NewGuid().ToString("N")[..8], .. options]);
        Assert.Equal(AmiDialerCli.Usage, result.Code);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Contains("No campaigns yet", (await cli.Db("campaign", "list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_takes_queue_and_pacing_and_names_the_field_it_refuses()
    {
        using var api = host.WithApiKey();
        using var missing = await api.PostAsJsonAsync("/api/campaigns", new { name = "pacing " + Guid.NewGuid(), pacing = "predictive" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("predictive pacing follows the free agents of a queue", problem.GetProperty("errors").GetProperty("queue")[0].GetString(), StringComparison.Ordinal);

        using var created = await api.PostAsJsonAsync("/api/campaigns", new { name = "pacing " + Guid.NewGuid(), queue = "sales", pacing = "predictive" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sales", body.GetProperty("queue").GetString());
        Assert.Equal("predictive", body.GetProperty("pacing").GetString());
        Assert.Equal(1.0, body.GetProperty("pacingRatio").GetDouble());
        var id = body.GetProperty("id").GetInt64();

        using var bad = await api.PutAsJsonAsync($"/api/campaigns/{id}", new { pacing = "sideways", pacingRatio = 50.0, queue = "a b" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("'sideways' is not a pacing mode: fixed, progressive, predictive.", errors.GetProperty("pacing")[0].GetString());
        Assert.Equal("Must be from 0.1 to 10 (was 50).", errors.GetProperty("pacingRatio")[0].GetString());
        Assert.Equal("'a b' is not a queue name: letters, digits, '_', '-' and '.' only.", errors.GetProperty("queue")[0].GetString());

        using var changed = await api.PutAsJsonAsync($"/api/campaigns/{id}", new { pacing = "progressive", pacingRatio = 2.0 });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var got = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
        Assert.Equal("progressive", got.GetProperty("pacing").GetString());
        Assert.Equal(2.0, got.GetProperty("pacingRatio").GetDouble());
        Assert.Equal("sales", got.GetProperty("queue").GetString());
    }

    [Fact]
    public async Task Form_shows_and_saves_the_fields_and_the_page_shows_them()
    {
        using var api = host.WithApiKey();
        using var created = await api.PostAsJsonAsync("/api/campaigns", new { name = "form pacing " + Guid.NewGuid(), queue = "sales", pacing = "progressive", pacingRatio = 1.25 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var form = await client.GetStringAsync($"/campaigns/{id}/edit");
            Assert.Contains("<input id=\"f-queue\" name=\"queue\" type=\"text\" value=\"sales\">", form, StringComparison.Ordinal);
            Assert.Contains("<option value=\"progressive\" selected>progressive</option>", form, StringComparison.Ordinal);
            Assert.Contains("<input id=\"f-pacingRatio\" name=\"pacingRatio\" type=\"text\" value=\"1.25\">", form, StringComparison.Ordinal);
            var page = await client.GetStringAsync($"/campaigns/{id}");
            Assert.Contains("<th>Agent queue</th><td>sales</td>", page, StringComparison.Ordinal);
            Assert.Contains("<th>Pacing</th><td>progressive: 1.25 call(s) per free agent, within the caps</td>", page, StringComparison.Ordinal);
        }
    }
}
