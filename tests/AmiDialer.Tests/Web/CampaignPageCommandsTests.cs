using System.Text.RegularExpressions;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Tests.Web;

/// <summary>A campaign's page offers the commands its state allows, and no others.</summary>
public sealed partial class CampaignPageCommandsTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Each_state_shows_only_the_commands_that_apply()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var api = host.WithApiKey();
            var id = await CampaignsApiTests.CreateAsync(api);
            Assert.Equal(["start", "stop"], await VisibleCommandsAsync(client, id));
            // Stop is permanent: it asks for confirmation and stands apart from the others.
            var draft = await client.GetStringAsync(new Uri($"/campaigns/{id}", UriKind.Relative));
            Assert.Matches("<form method=\"post\" action=\"/campaigns/\\d+/stop\"[^>]* class=\"apart\" onsubmit=\"return confirm\\('Stop this campaign for good\\?", draft);
            Assert.DoesNotMatch("action=\"/campaigns/\\d+/(start|pause|resume)\"[^>]*onsubmit", draft);
            // Due leads wait for a line only while running; otherwise the page says who they wait for.
            Assert.Contains("Due now, dialed once the campaign starts: <b id=\"w-due\">", draft, StringComparison.Ordinal);

            (await api.PostAsync(new Uri($"/api/campaigns/{id}/start", UriKind.Relative), null)).Dispose();
            Assert.Equal(["pause", "stop"], await VisibleCommandsAsync(client, id));
            Assert.Contains("Due now, waiting for a free line: <b id=\"w-due\">", await client.GetStringAsync(new Uri($"/campaigns/{id}", UriKind.Relative)), StringComparison.Ordinal);

            (await api.PostAsync(new Uri($"/api/campaigns/{id}/pause", UriKind.Relative), null)).Dispose();
            Assert.Equal(["resume", "stop"], await VisibleCommandsAsync(client, id));
            Assert.Contains("Due now, waiting for Resume: <b id=\"w-due\">", await client.GetStringAsync(new Uri($"/campaigns/{id}", UriKind.Relative)), StringComparison.Ordinal);

            // Completion is the engine's to decide; here the stored state is moved as it would.
            (await api.PostAsync(new Uri($"/api/campaigns/{id}/resume", UriKind.Relative), null)).Dispose();
            var db = await AmiDialerDatabase.OpenAsync(Path.Combine(host.Directory, "amidialer.db"));
            Assert.True(await new CampaignRepository(db, TimeProvider.System).TransitionAsync(id, [CampaignState.Running], CampaignState.Completed, "test"));

            var completed = await client.GetStringAsync(new Uri($"/campaigns/{id}", UriKind.Relative));
            Assert.Contains("id=\"state\">completed<", completed, StringComparison.Ordinal);
            Assert.Empty(Visible(completed));
            Assert.Matches("id=\"no-commands\" data-states=\"[^\"]*\">Nothing more will be dialed", completed);
            Assert.Contains("Due but never dialed: the campaign is completed: <b id=\"w-due\">", completed, StringComparison.Ordinal);
        }
    }

    private static async Task<IReadOnlyList<string>> VisibleCommandsAsync(HttpClient client, long id) =>
        Visible(await client.GetStringAsync(new Uri($"/campaigns/{id}", UriKind.Relative)));

    /// <summary>The command buttons not rendered hidden, in page order.</summary>
    private static IReadOnlyList<string> Visible(string html) =>
        [.. CommandForm().Matches(html).Where(m => !m.Groups["attrs"].Value.Contains(" hidden", StringComparison.Ordinal)).Select(m => m.Groups["command"].Value)];

    [GeneratedRegex("<form method=\"post\" action=\"/campaigns/\\d+/(?<command>start|pause|resume|stop)\"(?<attrs>[^>]*)>")]
    private static partial Regex CommandForm();
}
