using System.Globalization;
using System.Net;
using AmiDialer.Hosting;
using AmiDialer.Simulator;

namespace AmiDialer.Cli;

/// <summary>What <c>simulate</c> does: the simulator alone, until Ctrl-C.</summary>
internal static class SimulateActions
{
    public static async Task<int> SimulateAsync(CliContext context, string host, int port, double timeScale, CancellationToken ct)
    {
        if (!IPAddress.TryParse(host, out var address))
        {
            throw CliException.Usage($"--host '{host}' is not an IP address (e.g. 127.0.0.1).");
        }

        AmiSimulator simulator;
        try
        {
            simulator = await AmiSimulator.StartAsync(
                new SimulatorOptions
                {
                    Address = address,
                    Port = port,
                    TimeScale = timeScale,
                    LoggerFactory = context.ServicesOptions.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                },
                ct);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new CliException($"Cannot listen on {host}:{port}: {ex.Message} (try another --port, or --port 0 for a free one).");
        }

        await using (simulator)
        {
            var login = AppServices.SimulatorLogin;
            simulator.WriteLoginInstructions(context.Output);
            await context.Output.WriteLineAsync();
            // A fixed test credential of the simulator, not a secret of anyone's PBX: printing it is how you log in.
            await context.Output.WriteLineAsync($"Username: {login.Username}  Secret: {login.Secret}");
            await context.Output.WriteLineAsync("Point AmiDialer at it with:");
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  AMIDIALER_Ami__Servers__0__Host={simulator.EndPoint.Address} AMIDIALER_Ami__Servers__0__Port={simulator.Port} AMIDIALER_Ami__Servers__0__Username={login.Username} AMIDIALER_Ami__Servers__0__Secret={login.Secret} amidialer serve"));
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
}
