using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Web;

public sealed class ImportsApiTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Uploading_sample_csv_imports_every_row()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        var summary = await UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        Assert.Equal(20, summary.GetProperty("imported").GetInt64());
        Assert.Equal(0, summary.GetProperty("rejected").GetInt64());
        Assert.Equal("phone", summary.GetProperty("phoneColumn").GetString());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("errorCsv").ValueKind);
    }

    [Fact]
    public async Task Uploading_broken_csv_imports_the_good_rows_and_offers_the_error_csv()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        var summary = await UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("broken.csv")), "broken.csv", HttpStatusCode.OK);
        Assert.True(summary.GetProperty("imported").GetInt64() >= 5, summary.ToString());
        Assert.Equal(2, summary.GetProperty("duplicates").GetInt64());
        Assert.True(summary.GetProperty("rejected").GetInt64() >= 6, summary.ToString());
        var lines = summary.GetProperty("firstErrors").EnumerateArray().Select(e => e.GetProperty("line").GetInt64()).ToList();
        Assert.Contains(3L, lines);
        Assert.Contains(14L, lines);

        var errorUrl = summary.GetProperty("errorCsv").GetString()!;
        using var download = await client.GetAsync(errorUrl);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        var csv = await download.Content.ReadAsStringAsync();
        Assert.Contains("import_error_line", csv, StringComparison.Ordinal);
        Assert.Contains("not a number", csv, StringComparison.OrdinalIgnoreCase);
        // The formula from line 14 comes back neutralised, never as a live formula.
        Assert.Contains("'=1+2", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("\n=1+2", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=1+2", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binary_file_is_refused_naming_the_file_field()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        var problem = await UploadAsync(client, id, [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0x0D, 1, 2, 3], "image.png", HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("file", out _), problem.ToString());
    }

    [Fact]
    public async Task A_file_over_the_limit_is_413()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        var big = Encoding.UTF8.GetBytes("phone\n" + string.Concat(Enumerable.Repeat("+12125550100\n", 600)));
        var problem = await UploadAsync(client, id, big, "big.csv", HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("Web:MaxUploadBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_region_is_400_naming_region()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        var problem = await UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.BadRequest, region: "USA");
        Assert.True(problem.GetProperty("errors").TryGetProperty("region", out _), problem.ToString());

        // Two letters that name no region used to pass this check and crash the importer: a 500.
        var unknown = await UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.BadRequest, region: "XX");
        Assert.True(unknown.GetProperty("errors").TryGetProperty("region", out var why), unknown.ToString());
        Assert.Contains("'XX'", why.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_region_that_names_no_region_is_400_naming_region_on_the_do_not_call_api()
    {
        using var client = host.WithApiKey();
        using var added = await client.PostAsJsonAsync("/api/dnc", new { number = "4155550100", region = "XX" });
        Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        Assert.Contains("region", await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var import = await client.PostAsync("/api/dnc/import?region=XX", new StringContent("phone\n4155550100\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, import.StatusCode);
        Assert.Contains("region", await import.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_to_a_missing_campaign_is_404()
    {
        using var client = host.WithApiKey();
        await UploadAsync(client, 987_654, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Preview_detects_columns_phone_column_and_rows()
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/imports/preview", new ByteArrayContent(File.ReadAllBytes(RepoPaths.Campaign("sample.csv"))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(",", preview.GetProperty("delimiter").GetString());
        Assert.Equal("phone", preview.GetProperty("phoneColumn").GetString());
        Assert.Equal(["phone", "name", "appointment"], preview.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!));
        Assert.Equal(5, preview.GetProperty("rows").GetArrayLength());
        Assert.Equal("(212) 555-0100", preview.GetProperty("rows")[0][0].GetString());
        Assert.Equal("US", preview.GetProperty("region").GetString());
    }

    [Fact]
    public async Task Preview_reads_a_windows_1252_semicolon_file_as_the_importer_will()
    {
        // "Müller" and "Café" in Windows-1252 bytes: not valid UTF-8, so a UTF-8 preview would garble them.
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var bytes = System.Text.Encoding.GetEncoding(1252).GetBytes("Mobile;Name;Note\r\n+12125550100;M\u00fcller;Caf\u00e9\r\n");
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/imports/preview", new ByteArrayContent(bytes));
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(";", preview.GetProperty("delimiter").GetString());
        Assert.Equal("Mobile", preview.GetProperty("phoneColumn").GetString());
        Assert.Equal("M\u00fcller", preview.GetProperty("rows")[0][1].GetString());
    }

    [Fact]
    public async Task Preview_of_a_binary_file_says_why_it_is_not_a_csv()
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/imports/preview", new ByteArrayContent([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x01]));
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("binary", preview.GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_with_cookie_needs_the_antiforgery_header()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var id = await CampaignsApiTests.CreateAsync(host.WithApiKey());
            var problem = await UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.BadRequest);
            Assert.Contains("Antiforgery", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
            client.DefaultRequestHeaders.Add("X-CSRF-TOKEN", token);
            var ok = await UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
            Assert.Equal(20, ok.GetProperty("imported").GetInt64());
        }
    }

    internal static async Task<JsonElement> UploadAsync(HttpClient client, long campaignId, byte[] bytes, string fileName, HttpStatusCode expected, string? region = null)
    {
        using var form = new MultipartFormDataContent();
        if (region is not null)
        {
            form.Add(new StringContent(region), "region");
        }

        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        using var response = await client.PostAsync($"/api/campaigns/{campaignId}/imports", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
