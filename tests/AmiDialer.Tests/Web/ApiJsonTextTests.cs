using System.Net.Http.Json;

namespace AmiDialer.Tests.Web;

/// <summary>The API's JSON writes "+" as "+": numbers in E.164 stay readable in a terminal or a log.</summary>
public sealed class ApiJsonTextTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Numbers_and_names_keep_their_plus_signs()
    {
        using var client = host.WithApiKey();
        (await client.PostAsJsonAsync("/api/dnc", new { number = "+1 303 555 0166" })).Dispose();
        using (var created = await client.PostAsJsonAsync("/api/campaigns", new { name = "C+D json", dialTemplate = "Local/{number}@pstn" }))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            Assert.Contains("\"C+D json\"", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var dnc = await client.GetStringAsync(new Uri("/api/dnc", UriKind.Relative));
        Assert.Contains("\"+13035550166\"", dnc, StringComparison.Ordinal);
        var campaigns = await client.GetStringAsync(new Uri("/api/campaigns", UriKind.Relative));
        Assert.Contains("\"C+D json\"", campaigns, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", dnc + campaigns, StringComparison.Ordinal);
    }
}
