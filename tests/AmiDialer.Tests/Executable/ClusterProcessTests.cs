using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Tests.Cli;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// The cluster on SQLite: two real <c>serve</c> processes on one file each list both nodes; one killed with SIGKILL is
/// gone at once on the other (its process is gone from this host) and in <c>amidialer cluster</c>; one stopped with
/// SIGTERM says stopped.
/// </summary>
public sealed class ClusterProcessTests : IDisposable
{
    private const string Key = "cluster-test-key-0123456789";

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    private static async Task<JsonElement> ClusterAsync(Uri url)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return await http.GetFromJsonAsync<JsonElement>(new Uri("/api/cluster", UriKind.Relative));
    }

    private static string StatusOf(JsonElement cluster, int pid) =>
        cluster.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("pid").GetInt64() == pid).Select(n => n.GetProperty("status").GetString()).SingleOrDefault() ?? "missing";

    [Fact]
    public async Task Two_serve_processes_on_one_sqlite_file_list_each_other_and_a_killed_one_is_gone_a_stopped_one_stopped()
    {
        var environment = new Dictionary<string, string> { ["AMIDIALER_Web__ApiKeys__0"] = Key };
        var (first, firstUrl) = await ChildServe.StartServeAsync(cli.Folder, cli.DatabasePath, environment);
        await using var firstProcess = first;
        var (second, secondUrl) = await ChildServe.StartServeAsync(cli.Folder, cli.DatabasePath, environment);
        await using var secondProcess = second;

        foreach (var url in new[] { firstUrl, secondUrl })
        {
            var cluster = await ClusterAsync(url);
            Assert.True((StatusOf(cluster, first.Id), StatusOf(cluster, second.Id)) == ("live", "live"), cluster.ToString());
            Assert.Equal(2, cluster.GetProperty("live").GetInt32());
        }

        var table = await cli.Db("cluster");
        Assert.True(table.Code == AmiDialerCli.Success, table.ToString());
        Assert.Contains("2 of 2 node(s) live", table.Output, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^\S+\s+live\s+running\s.*\s{first.Id}\s", table.Output);

        // Each serve --simulate dials its own simulator under one name: two Asterisks sharing one count of calls. The node
        // that started second says so in its log at start-up, and amidialer cluster warns naming the key.
        await ChildServe.WaitUntilAsync(() => Task.FromResult(second.ToString().Contains("AMI server simulator is described differently by the live nodes: Ami:Servers:0:Port ", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), () => "the second serve's start-up warning:\n" + second);
        Assert.Matches(@"(?m)^WARN AMI server simulator is described differently: Ami:Servers:0:Port [0-9]+ on node \S+, [0-9]+ on node \S+; two Asterisks under one name", table.Output);
        Assert.Matches(@"(?m)^simulator\s+[0-9]+\s+1000\s+[0-9]+\s+\S+, \S+\s*$", table.Output);

        // SIGKILL: no last beat, but the other process sees at once that the pid is gone from this host.
        second.Kill();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var afterKill = await ClusterAsync(firstUrl);
        Assert.True((StatusOf(afterKill, first.Id), StatusOf(afterKill, second.Id)) == ("live", "gone"), afterKill.ToString());
        Assert.Equal(1, afterKill.GetProperty("live").GetInt32());

        // SIGTERM: a graceful stop writes its last beat as stopped.
        first.Signal(AmiDialerProcess.SigTerm);
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var json = await cli.Db("cluster", "--format", "json");
        Assert.True(json.Code == AmiDialerCli.Success, json.ToString());
        var stored = JsonDocument.Parse(json.Output).RootElement;
        Assert.True((StatusOf(stored, first.Id), StatusOf(stored, second.Id)) == ("stopped", "gone"), json.Output);
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("thisNode").ValueKind);
    }
}
