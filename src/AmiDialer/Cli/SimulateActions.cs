using System.Globalization;
using System.Net;
using AmiDialer.Simulator;

namespace AmiDialer.Cli;

/// <summary>What <c>simulate</c> does: the simulator alone, until Ctrl-C.</summary>
internal static class SimulateActions
{
    public static async Task<int> SimulateAsync(CliContext context, SimulateRequest request, CancellationToken ct)
    {
        if (!IPAddress.TryParse(request.Host, out var address))
        {
            throw CliException.Usage($"--host '{request.Host}' is not an IP address (e.g. 127.0.0.1).");
        }

        var options = await OptionsAsync(request, ct);
        options.Address = address;
        options.LedgerInstalled |= request.Ledger;
        options.RecordPath = request.Record?.FullName;
        options.Port = request.Port;
        options.LoggerFactory = context.ServicesOptions.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        AmiSimulator simulator;
        try
        {
            simulator = await AmiSimulator.StartAsync(options, ct);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new CliException($"Cannot listen on {request.Host}:{request.Port}: {ex.Message} (try another --port, or --port 0 for a free one).");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && request.Record is not null)
        {
            throw new CliException($"--record {request.Record!.FullName}: cannot open the file for appending: {ex.Message}");
        }

        await using (simulator)
        {
            var login = options.Users.FirstOrDefault(u => u.Write != AmiPrivilege.None) ?? options.Users[0];
            // The built-in test credential is not anyone's secret: printing it is how you log in. One given on the
            // command line or in a scenario is the user's own: they know it, and a terminal log need not keep it.
            var secret = SimulatorUser.TestPbxUsers.Contains(login) ? login.Secret : "<the secret you gave>";
            simulator.WriteLoginInstructions(context.Output);
            await context.Output.WriteLineAsync();
            await context.Output.WriteLineAsync($"Username: {login.Username}  Secret: {secret}");
            await context.Output.WriteLineAsync("Point AmiDialer at it with:");
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  AMIDIALER_Ami__Servers__0__Host={simulator.EndPoint.Address} AMIDIALER_Ami__Servers__0__Port={simulator.Port} AMIDIALER_Ami__Servers__0__Username={login.Username} AMIDIALER_Ami__Servers__0__Secret={secret} amidialer serve"));
            await context.Output.WriteLineAsync("Serving until Ctrl-C.");
            await context.Output.FlushAsync(ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C is how this command is meant to end.
            }

            await context.Output.WriteLineAsync($"Simulator stopped after {simulator.Actions.Count} action(s).");
        }

        return AmiDialerCli.Success;
    }

    /// <summary>The scenario (or the default one) with what the command line gives on top: options win over the file.</summary>
    private static async Task<SimulatorOptions> OptionsAsync(SimulateRequest request, CancellationToken ct)
    {
        SimulatorScenario scenario;
        try
        {
            scenario = request.Scenario is { } file ? await SimulatorScenario.LoadAsync(file.FullName, ct) : SimulatorScenario.Default();
        }
        catch (SimulatorScenarioException ex)
        {
            throw new CliException("--scenario " + ex.Message);
        }

        if (request.Seed is { } seed)
        {
            scenario.Seed = seed;
        }

        if (request.TimeScale is { } timeScale)
        {
            scenario.TimeScale = timeScale;
        }

        var options = scenario.ToOptions();
        if (request.Outcomes == SimulateCommand.LastDigit)
        {
            options.Outcomes = OutcomeRules.TestPbx();
        }

        if (request.GivesUsers)
        {
            var (full, readOnly) = (SimulatorUser.TestPbxUsers[0], SimulatorUser.TestPbxUsers[1]);
            options.Users =
            [
                full with { Username = request.Username ?? full.Username, Secret = request.Secret ?? full.Secret },
                readOnly with { Username = request.ReadonlyUsername ?? readOnly.Username, Secret = request.ReadonlySecret ?? readOnly.Secret },
            ];
        }

        return options;
    }
}
