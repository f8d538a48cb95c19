using AmiDialer.Cli;
using AmiDialer.Engine;

// Before any socket exists: the runtime reads this once, at the first socket operation (see the class for why).
InlineSocketCompletions.EnableUnlessSet();

// The first SIGINT or SIGTERM asks the running command to stop gracefully; a second one ends the process at once.
using var signals = StopSignals.Register();
signals.Received += kind => Console.Error.WriteLine(kind == StopKind.Interrupt
    ? "Stopping gracefully (Ctrl-C again to quit at once)..."
    : "SIGTERM: stopping gracefully (a second signal quits at once)...");

// The console logger is made (and flushed at the end) by RunAsync, once --log-format and the settings are read.
return await AmiDialerCli.RunAsync(args, CliContext.FromConsole() with { Signals = signals }, signals.Token);
