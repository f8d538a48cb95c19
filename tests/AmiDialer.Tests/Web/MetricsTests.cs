using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Hosting;
using AmiDialer.Web;

namespace AmiDialer.Tests.Web;

/// <summary>/metrics on the real host while a simulated campaign dials: Prometheus text, behind the API's auth.</summary>
public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_need_the_api_key_or_the_login_cookie()
    {
        await using var host = await WebTestHost.StartAsync();
        using var anonymous = host.Anonymous();
        using var refused = await anonymous.GetAsync(WebServer.MetricsPath);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("amidialer_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var wrongKey = host.WithApiKey("not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.GetAsync(WebServer.MetricsPath)).StatusCode);

        using var keyed = host.WithApiKey();
        using var scraped = await keyed.GetAsync(WebServer.MetricsPath);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.StartsWith("text/plain", scraped.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);

        var (cookie, _) = await host.LoggedInAsync();
        using (cookie)
        {
            Assert.Equal(HttpStatusCode.OK, (await cookie.GetAsync(WebServer.MetricsPath)).StatusCode);
        }
    }

    [Fact]
    public async Task A_scrape_during_a_simulated_campaign_sees_the_counters_move()
    {
        await using var host = await WebTestHost.StartAsync(simulate: true, timeScale: 20);
        using var client = host.WithApiKey();
        var services = host.Services;
        var engine = await services.StartEngineAsync(useScheduler: false, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await engine.WaitForServersAsync(timeout.Token);
        }

        var before = await ScrapeAsync(client);
        var server = $"{services.Simulator!.EndPoint.Address}:{services.Simulator.Port}";
        Assert.Equal((double?)1, before.Value("amidialer_ami_connected", $"server=\"{server}\""));

        const int Leads = 12;
        var campaign = await services.Campaigns.CreateAsync(new Campaign
        {
            Name = "metrics",
            DialTemplate = "Local/{national}@pstn",
            CallingHours = DailyWindow.AllDay,
            RingTimeout = TimeSpan.FromSeconds(15),
            CallsPerSecond = 50,
            MaxConcurrentCalls = Leads,
            IsSimulated = true,
        }, "test");
        var csv = "phone\n" + string.Concat(Enumerable.Range(0, Leads).Select(i => $"+1415813{7400 + i}\n"));
        using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)))
        {
            await services.Importer.ImportAsync(stream, "leads.csv", new CsvImportOptions { CampaignId = campaign.Id, ValidationWorkers = 1 });
        }

        var run = engine.RunCampaignAsync(campaign.Id);

        // While it dials: Originates counted as they go out (calls at this scale last seconds).
        var during = await ScrapeUntilAsync(client, s => s.Sum("amidialer_originates_total", "kind=\"campaign\"") > before.Sum("amidialer_originates_total", "kind=\"campaign\""));
        Assert.Contains(during.Names, n => n == "amidialer_calls_live");
        Assert.Contains(during.Names, n => n == "amidialer_writer_queue");

        await run.WaitAsync(TimeSpan.FromSeconds(120));
        var after = await ScrapeUntilAsync(client, s => s.Sum("amidialer_outcomes_total", "kind=\"campaign\"") >= before.Sum("amidialer_outcomes_total", "kind=\"campaign\"") + Leads);

        Assert.True(after.Sum("amidialer_originates_total", "kind=\"campaign\"") >= before.Sum("amidialer_originates_total", "kind=\"campaign\"") + Leads, after.Text);
        Assert.True(after.Sum("amidialer_import_rows_total", "result=\"imported\"") >= before.Sum("amidialer_import_rows_total", "result=\"imported\"") + Leads, after.Text);
        Assert.True(after.Sum("amidialer_dial_lag_seconds_count") >= before.Sum("amidialer_dial_lag_seconds_count") + Leads, after.Text);
        Assert.Contains(after.Names, n => n == "amidialer_dial_lag_seconds_bucket");
        // Outcomes carry their kind: the test PBX's table ends some of these numbers busy and some answered.
        Assert.True(after.Sum("amidialer_outcomes_total", "outcome=\"answered\"") > before.Sum("amidialer_outcomes_total", "outcome=\"answered\""), after.Text);
        Assert.Equal((double?)1, after.Value("amidialer_ami_connected", $"server=\"{server}\""));
    }

    private static async Task<Scrape> ScrapeUntilAsync(HttpClient client, Func<Scrape, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var scrape = await ScrapeAsync(client);
            if (done(scrape) || DateTimeOffset.UtcNow > deadline)
            {
                Assert.True(done(scrape), "the counters did not move:\n" + scrape.Text);
                return scrape;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<Scrape> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(WebServer.MetricsPath);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        return new Scrape(text);
    }

    /// <summary>The samples of one scrape in Prometheus' text format: name, labels, value.</summary>
    private sealed class Scrape(string text)
    {
        private readonly List<(string Name, string Labels, double Value)> _samples = [.. Parse(text)];

        public string Text { get; } = text;

        public IEnumerable<string> Names => _samples.Select(s => s.Name).Distinct();

        /// <summary>Sum of a metric's samples whose labels contain <paramref name="label"/> (all when null); 0 when none.</summary>
        public double Sum(string name, string? label = null) =>
            _samples.Where(s => s.Name == name && (label is null || s.Labels.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);

        public double? Value(string name, string label) =>
            _samples.Where(s => s.Name == name && s.Labels.Contains(label, StringComparison.Ordinal)).Select(s => (double?)s.Value).FirstOrDefault();

        private static IEnumerable<(string, string, double)> Parse(string text)
        {
            foreach (var line in text.Split('\n'))
            {
                var match = Sample().Match(line);
                if (match.Success)
                {
                    yield return (match.Groups["name"].Value, match.Groups["labels"].Value, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
                }
            }
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>[-+0-9.eE]+|NaN|[+-]Inf)(\s+\d+)?$")]
    private static partial Regex Sample();
}
