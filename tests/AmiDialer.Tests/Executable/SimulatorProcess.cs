using System.Globalization;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// <c>amidialer simulate</c> in a process of its own, so its calls outlive any dialer killed against it, as calls on
/// a real PBX do; <c>--record</c> writes the ground truth (<see cref="GroundTruth"/>) the kill tests compare with.
/// </summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    /// <summary>The simulator's built-in full-access user (SimulatorUser.TestPbxUsers).</summary>
    public const string Username = "dialer";
    public const string Secret = "dialerpass";

    private readonly AmiDialerProcess process;

    private SimulatorProcess(AmiDialerProcess process, int port, string recordPath, bool ledger)
    {
        this.process = process;
        Port = port;
        RecordPath = recordPath;
        Ledger = ledger;
    }

    public int Port { get; }

    public string RecordPath { get; }

    public bool Ledger { get; }

    /// <summary>Starts it on a free port with <paramref name="scenario"/> and returns once it listens.</summary>
    public static Task<SimulatorProcess> StartAsync(string folder, string scenario, bool ledger) => StartAsync(folder, scenario, ledger, preinstalled: ledger);

    /// <summary>
    /// As above; with <paramref name="ledger"/> true but <paramref name="preinstalled"/> false the PBX starts without the
    /// ledger (no <c>--ledger</c>) and the test installs it (pbx install-ledger), while dialers are still pointed at it with the ledger on.
    /// </summary>
    public static Task<SimulatorProcess> StartAsync(string folder, string scenario, bool ledger, bool preinstalled) =>
        StartAsync(folder, scenario, ledger, preinstalled, name: null);

    /// <summary>As above; <paramref name="name"/> names its files (<c>&lt;name&gt;-record.jsonl</c>), so several PBXs share a folder.</summary>
    public static async Task<SimulatorProcess> StartAsync(string folder, string scenario, bool ledger, bool preinstalled, string? name)
    {
        var port = ChildServe.FreePort();
        var record = Path.Combine(folder, name is null ? "simulator-record.jsonl" : $"{name}-record.jsonl");
        var scenarioPath = Path.Combine(folder, name is null ? "scenario.json" : $"{name}-scenario.json");
        await File.WriteAllTextAsync(scenarioPath, scenario);
        string[] args = ["simulate", "--port", port.ToString(CultureInfo.InvariantCulture), "--scenario", scenarioPath, "--record", record];
        var child = AmiDialerProcess.Start(folder, null, preinstalled ? [.. args, "--ledger"] : args);
        var simulator = new SimulatorProcess(child, port, record, ledger);
        try
        {
            await ChildServe.WaitUntilAsync(
                () =>
                {
                    Assert.False(child.HasExited, "simulate ended before it listened:\n" + child);
                    return Task.FromResult(child.Output.Contains("Serving until Ctrl-C.", StringComparison.Ordinal));
                },
                ChildServe.StartTimeout,
                () => "simulate never listened:\n" + child);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }

        return simulator;
    }

    /// <summary>The environment that points a dialer at this simulator as server <paramref name="name"/>, through the ledger when it has one.</summary>
    public Dictionary<string, string> DialerEnvironment(string name = "pbx1") => DialerEnvironment(name, index: 0, maxConcurrentCalls: 100);

    /// <summary>As above, as the <paramref name="index"/>-th server of the dialer (Ami:Servers:n), carrying <paramref name="maxConcurrentCalls"/> at once.</summary>
    public Dictionary<string, string> DialerEnvironment(string name, int index, int maxConcurrentCalls)
    {
        var key = $"AMIDIALER_Ami__Servers__{index.ToString(CultureInfo.InvariantCulture)}__";
        var environment = new Dictionary<string, string>
        {
            [key + "Name"] = name,
            [key + "Host"] = "127.0.0.1",
            [key + "Port"] = Port.ToString(CultureInfo.InvariantCulture),
            [key + "Username"] = Username,
            [key + "Secret"] = Secret,
            [key + "OriginatesPerSecond"] = "100",
            [key + "ActionsPerSecond"] = "400",
            [key + "MaxConcurrentCalls"] = maxConcurrentCalls.ToString(CultureInfo.InvariantCulture),
            [key + "MaxReconnectDelay"] = "00:00:01",
        };
        if (Ledger)
        {
            // Named only when it is on: a build without the setting warns about an unknown key.
            environment[key + "Ledger"] = "true";
        }

        return environment;
    }

    public GroundTruth Read() => GroundTruth.Read(RecordPath);

    public override string ToString() => process.ToString();

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
