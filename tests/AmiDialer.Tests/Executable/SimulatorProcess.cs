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
    public static async Task<SimulatorProcess> StartAsync(string folder, string scenario, bool ledger, bool preinstalled)
    {
        var port = ChildServe.FreePort();
        var record = Path.Combine(folder, "simulator-record.jsonl");
        var scenarioPath = Path.Combine(folder, "scenario.json");
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
    public Dictionary<string, string> DialerEnvironment(string name = "pbx1")
    {
        var environment = new Dictionary<string, string>
        {
            ["AMIDIALER_Ami__Servers__0__Name"] = name,
            ["AMIDIALER_Ami__Servers__0__Host"] = "127.0.0.1",
            ["AMIDIALER_Ami__Servers__0__Port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["AMIDIALER_Ami__Servers__0__Username"] = Username,
            ["AMIDIALER_Ami__Servers__0__Secret"] = Secret,
            ["AMIDIALER_Ami__Servers__0__OriginatesPerSecond"] = "100",
            ["AMIDIALER_Ami__Servers__0__ActionsPerSecond"] = "400",
            ["AMIDIALER_Ami__Servers__0__MaxConcurrentCalls"] = "100",
            ["AMIDIALER_Ami__Servers__0__MaxReconnectDelay"] = "00:00:01",
        };
        if (Ledger)
        {
            // Named only when it is on: a build without the setting warns about an unknown key.
            environment["AMIDIALER_Ami__Servers__0__Ledger"] = "true";
        }

        return environment;
    }

    public GroundTruth Read() => GroundTruth.Read(RecordPath);

    public override string ToString() => process.ToString();

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
