using System.Globalization;
using AmiDialer.Testing.Postgres;
using AmiDialer.Tests.Cli;
using Npgsql;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// Several <c>amidialer serve</c> nodes on one PostgreSQL database (a fresh one of the class's <see cref="PostgresFixture"/>)
/// and simulated Asterisk servers in processes of their own, every node configured with every server, as a site runs
/// them. Nodes are started, killed and stopped with real signals; the store is read as another process would.
/// </summary>
internal sealed class ChaosCluster(string folder, string connectionString) : IAsyncDisposable
{
    /// <summary>Live calls are followed this long on SIGTERM: long enough for most of this test's calls to end.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    private readonly List<(SimulatorProcess Pbx, string Name, int MaxConcurrentCalls)> pbxs = [];
    private readonly List<Node> nodes = [];

    public string Folder { get; } = folder;

    public string ConnectionString { get; } = connectionString;

    public IReadOnlyList<Node> Nodes => nodes;

    public IEnumerable<SimulatorProcess> Pbxs => pbxs.Select(p => p.Pbx);

    public static async Task<ChaosCluster> CreateAsync(PostgresFixture postgres, string folder, string prefix) =>
        new(folder, await postgres.CreateDatabaseAsync(prefix));

    /// <summary>Starts a simulated Asterisk in its own process, recording its ground truth; every node started after it dials it as <paramref name="name"/>.</summary>
    public async Task<SimulatorProcess> AddPbxAsync(string name, string scenario, bool ledger, int maxConcurrentCalls)
    {
        var pbx = await SimulatorProcess.StartAsync(Folder, scenario, ledger, preinstalled: ledger, name);
        pbxs.Add((pbx, name, maxConcurrentCalls));
        return pbx;
    }

    /// <summary>The store and every PBX, for serve and for the CLI alike.</summary>
    public Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["AMIDIALER_Database__Provider"] = "Postgres",
            ["AMIDIALER_Database__ConnectionString"] = ConnectionString,
            // A dead node's campaign is taken at the next tick: the kills cost seconds, not the default 5 s each.
            ["AMIDIALER_Engine__SupervisorInterval"] = "00:00:01",
            ["AMIDIALER_Engine__ShutdownGrace"] = ShutdownGrace.ToString(),
        };
        for (var i = 0; i < pbxs.Count; i++)
        {
            foreach (var (key, value) in pbxs[i].Pbx.DialerEnvironment(pbxs[i].Name, i, pbxs[i].MaxConcurrentCalls))
            {
                environment[key] = value;
            }
        }

        return environment;
    }

    /// <summary>Starts a serve node (its web host on a free port) and returns once /health answers (at once when not <paramref name="healthy"/>: it may die first).</summary>
    public async Task<Node> StartNodeAsync(string name, IReadOnlyDictionary<string, string>? extra = null, bool healthy = true)
    {
        var environment = Environment();
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var url = new Uri($"http://127.0.0.1:{ChildServe.FreePort()}");
        var process = AmiDialerProcess.Start(Folder, environment, "serve", "--urls", url.ToString().TrimEnd('/'));
        var node = new Node(name, process, url);
        nodes.Add(node);
        if (healthy)
        {
            await ChildServe.WaitForHealthAsync(process, url);
        }

        return node;
    }

    /// <summary>A command of the CLI against the cluster's store, run to its end; fails the test naming its output unless it exits 0.</summary>
    public async Task<CliResult> CliAsync(params string[] args)
    {
        var result = await AmiDialerProcess.RunAsync(Folder, Environment(), AmiDialerProcess.CommandLimit, args);
        Assert.True(result.Code == 0, $"amidialer {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>The node whose process holds <paramref name="leaseKey"/> now (by the lease row's pid), or null.</summary>
    public async Task<Node?> HolderAsync(string leaseKey)
    {
        var pid = await ScalarAsync<int?>("SELECT pid FROM leases WHERE key = @p", leaseKey);
        return nodes.FirstOrDefault(n => !n.Process.HasExited && n.Process.Id == pid);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameter = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("p", parameter);
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>Rows as arrays of column values; NULL stays DBNull, to be reported rather than skipped.</summary>
    public async Task<List<object[]>> QueryAsync(string sql, object? parameter = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("p", parameter);
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>What every node printed, for a failure's message.</summary>
    public string Describe() => string.Join("\n", nodes.Select(n => $"=== node {n.Name} (pid {n.Process.Id}, {(n.Process.HasExited ? "exited" : "running")})\n{Tail(n.Process.Error, 6000)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.Process.DisposeAsync();
        }

        foreach (var (pbx, _, _) in pbxs)
        {
            await pbx.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
    }

    private static string Tail(string text, int length) => text.Length <= length ? text : "…" + text[^length..];

    /// <summary>One serve process of the cluster, its web host at <paramref name="Url"/>.</summary>
    internal sealed record Node(string Name, AmiDialerProcess Process, Uri Url)
    {
        public override string ToString() => $"{Name} (pid {Process.Id})";
    }
}
