using AmiDialer.Cli;
using AmiDialer.Engine;

// Before any socket exists: the runtime reads this once, at the first socket operation (see the class for why).
InlineSocketCompletions.EnableUnlessSet();

// The first Ctrl-C asks the running command to stop gracefully (a campaign is paused, live calls finish);
// a second one ends the process at once.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!interrupt.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("Stopping gracefully (Ctrl-C again to quit at once)...");
        interrupt.Cancel();
    }
};

// The console logger is made (and flushed at the end) by RunAsync, once --log-format and the settings are read.
return await AmiDialerCli.RunAsync(args, CliContext.FromConsole(), interrupt.Token);
