using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The upload's rejected rows as the operator needs them, through the real host: the bad value with its line and
/// column, every cell of a row that had too many kept in the error CSV, the preview saying when a file cannot be
/// imported, and the campaign's import history (API and pages).
/// </summary>
public sealed class UploadRejectsAndHistoryTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private const string Broken = "phone,name,city\n(212) 555-0100,Ada,NYC\n12,Bob,LA\n(212) 555-0102,Cy,SF,EXTRA1,\"EXTRA,2\"\n(212) 555-0103,Di,Rome\n";

    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Rejected_rows_show_the_value_as_uploaded_and_the_error_csv_keeps_every_cell()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        var summary = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes(Broken), "broken.csv", HttpStatusCode.OK);
        Assert.Equal(2, summary.GetProperty("imported").GetInt64());
        var errors = summary.GetProperty("firstErrors").EnumerateArray().ToDictionary(e => e.GetProperty("line").GetInt64());
        Assert.Equal(("phone", "12"), (errors[3].GetProperty("column").GetString(), errors[3].GetProperty("value").GetString()));
        Assert.Equal(("4", "EXTRA1 | EXTRA,2"), (errors[4].GetProperty("column").GetString(), errors[4].GetProperty("value").GetString()));
        Assert.Contains("5 cells but the header has 3", errors[4].GetProperty("reason").GetString(), StringComparison.Ordinal);

        var csv = await client.GetStringAsync(summary.GetProperty("errorCsv").GetString());
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("phone,name,city,import_error_line,import_error_column,import_error_reason", lines[0]);
        Assert.Equal("12,Bob,LA,3,phone,too short", lines[1]);
        // The extra cells follow the error columns, so those stay under their header and nothing is dropped.
        Assert.Equal("(212) 555-0102,Cy,SF,4,4,5 cells but the header has 3,EXTRA1,\"EXTRA,2\"", lines[2]);

        // The error CSV uploaded again as it is: its error columns are dropped, its cells line up, the long row is refused again.
        var again = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes(csv), "broken-errors.csv", HttpStatusCode.OK);
        Assert.Equal(0, again.GetProperty("imported").GetInt64());
        var csvAgain = (await client.GetStringAsync(again.GetProperty("errorCsv").GetString())).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[0], csvAgain[0]);
        Assert.Equal("12,Bob,LA,2,phone,too short", csvAgain[1]);
        Assert.StartsWith("(212) 555-0102,Cy,SF,3,7,8 cells but the header has 6,", csvAgain[2], StringComparison.Ordinal);
        Assert.EndsWith(",EXTRA1,\"EXTRA,2\"", csvAgain[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true, "empty")]
    [InlineData("phone,name\n", true, "header but no rows")]
    [InlineData("name,city\nAda,NYC\n", false, "choose one")]
    public async Task The_preview_says_when_the_import_would_refuse_the_file(string body, bool refused, string problem)
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/imports/preview", new ByteArrayContent(Encoding.UTF8.GetBytes(body)));
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(refused, preview.GetProperty("refused").GetBoolean());
        Assert.Contains(problem, preview.GetProperty("problem").GetString(), StringComparison.Ordinal);

        // What the preview calls refused, the import refuses.
        if (refused && body.Length > 0)
        {
            var id = await CampaignsApiTests.CreateAsync(client);
            await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes(body), "x.csv", HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task A_good_file_has_no_problem_in_its_preview()
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/imports/preview", new ByteArrayContent(Encoding.UTF8.GetBytes(Broken)));
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(preview.GetProperty("refused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, preview.GetProperty("problem").ValueKind);
    }

    [Fact]
    public async Task The_import_history_lists_each_import_newest_first_on_the_api_and_the_pages()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        using (var none = await client.GetAsync($"/api/campaigns/{id}/imports"))
        {
            Assert.Equal("[]", await none.Content.ReadAsStringAsync());
        }

        var first = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes(Broken), "first.csv", HttpStatusCode.OK);
        var second = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes("phone\n(212) 555-0100\n(212) 555-0199\n"), "second.csv", HttpStatusCode.OK);

        var history = (await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/imports")).EnumerateArray().ToList();
        Assert.Equal(["second.csv", "first.csv"], history.Select(h => h.GetProperty("fileName").GetString()));
        var (newest, oldest) = (history[0], history[1]);
        Assert.Equal(second.GetProperty("importId").GetInt64(), newest.GetProperty("id").GetInt64());
        Assert.Equal((2L, 1L, 0L, 1L), (newest.GetProperty("rowsRead").GetInt64(), newest.GetProperty("imported").GetInt64(), newest.GetProperty("rejected").GetInt64(), newest.GetProperty("duplicates").GetInt64()));
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("errorCsv").ValueKind);
        Assert.Equal((4L, 2L, 2L), (oldest.GetProperty("rowsRead").GetInt64(), oldest.GetProperty("imported").GetInt64(), oldest.GetProperty("rejected").GetInt64()));
        Assert.Equal(first.GetProperty("errorCsv").GetString(), oldest.GetProperty("errorCsv").GetString());
        Assert.All(history, h => Assert.Equal("completed", h.GetProperty("status").GetString()));
        Assert.All(history, h => Assert.False(string.IsNullOrEmpty(h.GetProperty("actor").GetString())));
        Assert.All(history, h => Assert.EndsWith("Z", h.GetProperty("startedAt").GetString(), StringComparison.Ordinal));
        using (var csv = await client.GetAsync(oldest.GetProperty("errorCsv").GetString()))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        }

        using (var missing = await client.GetAsync("/api/campaigns/999999/imports"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        var (cookie, _) = await host.LoggedInAsync();
        using (cookie)
        {
            var upload = WebUtility.HtmlDecode(await cookie.GetStringAsync($"/campaigns/{id}/upload"));
            var table = upload[upload.IndexOf("id=\"import-history\"", StringComparison.Ordinal)..];
            Assert.True(table.IndexOf("second.csv", StringComparison.Ordinal) < table.IndexOf("first.csv", StringComparison.Ordinal));
            Assert.Contains($"href=\"{oldest.GetProperty("errorCsv").GetString()}\">error CSV</a>", table, StringComparison.Ordinal);
            var campaign = WebUtility.HtmlDecode(await cookie.GetStringAsync($"/campaigns/{id}"));
            Assert.Contains($"href=\"/campaigns/{id}/upload#imports\"", campaign, StringComparison.Ordinal);
        }
    }
}
