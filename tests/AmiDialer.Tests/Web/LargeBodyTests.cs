using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AmiDialer.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AmiDialer.Tests.Web;

/// <summary>The real host with its default upload limit (200 MB).</summary>
public sealed class LargeBodyHostFixture : IAsyncLifetime
{
    public WebTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await WebTestHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Every endpoint that streams a body, with a body far past Kestrel's buffers, through the real host with its default
/// <c>AllowSynchronousIO = false</c>: one synchronous read or write anywhere on the way fails these.
/// </summary>
public sealed class LargeBodyTests(LargeBodyHostFixture fixture) : IClassFixture<LargeBodyHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public void The_host_keeps_kestrels_ban_on_synchronous_io()
    {
        Assert.False(host.App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AllowSynchronousIO);
    }

    [Fact]
    public async Task A_50_MB_upload_imports_every_row_and_leaves_no_spool_file()
    {
        using var client = LongClient();
        var id = await CampaignsApiTests.CreateAsync(client);
        var path = Path.Combine(host.Directory, "fifty.csv");
        int rows;
        await using (var file = File.Create(path))
        {
            // Wide rows: 50 MB without millions of rows to validate on a shared test machine.
            var padding = new string('p', 200);
            rows = TestCsv.WriteLeads(file, 50L << 20, i => $"Lead {i} {padding}");
        }

        Assert.True(new FileInfo(path).Length >= 50L << 20);
        var summary = await UploadFileAsync(client, id, path, HttpStatusCode.OK, uploadId: "fifty");

        Assert.Equal(rows, summary.GetProperty("imported").GetInt64());
        Assert.Equal(0, summary.GetProperty("rejected").GetInt64() + summary.GetProperty("duplicates").GetInt64());
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        Assert.Equal(rows, status.GetProperty("leads").GetInt64());
        var progress = await client.GetFromJsonAsync<JsonElement>("/api/imports/progress/fifty");
        Assert.True(progress.GetProperty("done").GetBoolean());
        Assert.Equal(100, progress.GetProperty("percent").GetDouble());
        Assert.Empty(SpoolFiles());
    }

    [Fact]
    public async Task A_windows_1252_upload_whose_only_accent_is_near_the_end_keeps_the_letter()
    {
        using var client = LongClient();
        var id = await CampaignsApiTests.CreateAsync(client);
        var bytes = TestCsv.LateAccentWindows1252(1 << 20, out var rows);

        var summary = await ImportsApiTests.UploadAsync(client, id, bytes, "late.csv", HttpStatusCode.OK);

        Assert.Equal(rows, summary.GetProperty("imported").GetInt64());
        Assert.Equal("windows-1252", summary.GetProperty("encoding").GetString());
        var csv = await client.GetStringAsync($"/api/campaigns/{id}/leads.csv");
        Assert.Contains($"{TestCsv.Phone(rows - 1)},{TestCsv.LateAccentName},", csv, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', csv);
    }

    [Fact]
    public async Task The_leads_csv_export_of_100_000_leads_streams_every_row()
    {
        using var client = LongClient();
        var id = await CampaignsApiTests.CreateAsync(client);
        const int Rows = 100_000;
        var path = Path.Combine(host.Directory, "hundred-thousand.csv");
        await File.WriteAllLinesAsync(path, ["phone,name,city", .. Enumerable.Range(0, Rows).Select(i => $"{TestCsv.Phone(i)},Lead {i},Springfield")]);
        var summary = await UploadFileAsync(client, id, path, HttpStatusCode.OK);
        Assert.Equal(Rows, summary.GetProperty("imported").GetInt64());

        using var response = await client.GetAsync($"/api/campaigns/{id}/leads.csv", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("phone,name,city,state", await reader.ReadLineAsync(), StringComparison.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadLineAsync() is { } line)
        {
            var cells = line.Split(',');
            Assert.True(seen.Add(cells[0]), "a row came twice: " + line);
            Assert.Equal("Springfield", cells[2]);
        }

        Assert.Equal(Rows, seen.Count);
        Assert.All(Enumerable.Range(0, Rows), i => Assert.Contains(TestCsv.Phone(i), seen));
    }

    [Fact]
    public async Task A_large_error_csv_downloads_whole()
    {
        using var client = LongClient();
        var id = await CampaignsApiTests.CreateAsync(client);
        const int Bad = 20_000;
        var text = "phone,name\n" + string.Concat(Enumerable.Range(0, Bad).Select(i => $"not a number {i},Row {i}\n")) + "+12125550100,Good\n";

        var summary = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes(text), "bad.csv", HttpStatusCode.OK);
        Assert.Equal(Bad, summary.GetProperty("rejected").GetInt64());

        var errors = await client.GetStringAsync(summary.GetProperty("errorCsv").GetString());
        Assert.True(errors.Length > 256 * 1024, $"{errors.Length} chars");
        var lines = errors.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Bad + 1, lines.Length);
        Assert.StartsWith($"not a number {Bad - 1},Row {Bad - 1},{Bad + 1},", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preview_of_a_large_body_reads_its_start()
    {
        using var client = LongClient();
        var bytes = TestCsv.LateAccentWindows1252(4 << 20, out _);
        using var response = await client.PostAsync("/api/imports/preview", new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("phone", preview.GetProperty("phoneColumn").GetString());
        Assert.Equal(TestCsv.Phone(0), preview.GetProperty("rows")[0][0].GetString());
    }

    [Fact]
    public async Task A_large_do_not_call_import_adds_every_number()
    {
        // A host of its own: adding a number checks the leads already stored (issue 21's do-not-call item), and
        // this fixture's other tests store hundreds of thousands.
        await using var own = await WebTestHost.StartAsync();
        using var client = own.WithApiKey();
        client.Timeout = TimeSpan.FromMinutes(5);
        const int Numbers = 8_000;
        var text = "number\n" + string.Concat(Enumerable.Range(3_000_000, Numbers).Select(i => TestCsv.Phone(i) + "\n"));
        Assert.True(text.Length > 64 * 1024);

        using var response = await client.PostAsync("/api/dnc/import", new StringContent(text, Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal(Numbers, result.GetProperty("added").GetInt32());
        Assert.Equal(0, result.GetProperty("rejected").GetArrayLength());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_ten_megabyte_cell_is_a_400_naming_its_line(bool late)
    {
        using var client = LongClient();
        var id = await CampaignsApiTests.CreateAsync(client);
        var good = late ? string.Concat(Enumerable.Range(0, 5_000).Select(i => $"{TestCsv.Phone(i)},ok\n")) : "";
        var line = late ? 5_002 : 2;
        var text = "phone,note\n" + good + $"{TestCsv.Phone(9_999)},{new string('x', 10 << 20)}\n{TestCsv.Phone(9_998)},after\n";

        var problem = await ImportsApiTests.UploadAsync(client, id, Encoding.ASCII.GetBytes(text), "huge-cell.csv", HttpStatusCode.BadRequest);

        var message = problem.GetProperty("errors").GetProperty("file")[0].GetString();
        Assert.Contains($"line {line}", message, StringComparison.Ordinal);
        Assert.Contains("huge-cell.csv", message, StringComparison.Ordinal);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        Assert.Equal(late ? 5_000 : 0, status.GetProperty("leads").GetInt64());
        Assert.Empty(SpoolFiles());
    }

    private HttpClient LongClient()
    {
        var client = host.WithApiKey();
        client.Timeout = TimeSpan.FromMinutes(5);
        return client;
    }

    private string[] SpoolFiles()
    {
        var dir = Path.Combine(host.Directory, "imports", "uploads");
        return Directory.Exists(dir) ? Directory.GetFiles(dir) : [];
    }

    private static async Task<JsonElement> UploadFileAsync(HttpClient client, long campaignId, string path, HttpStatusCode expected, string? uploadId = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(path), 1 << 16);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", Path.GetFileName(path));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/campaigns/{campaignId}/imports") { Content = form };
        if (uploadId is not null)
        {
            request.Headers.Add("X-Upload-Id", uploadId);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
