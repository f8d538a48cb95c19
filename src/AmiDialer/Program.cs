using AmiDialer.Cli;
using AmiDialer.Engine;

// Before any socket exists: the runtime reads this once, at the first socket operation (see the class for why).
InlineSocketCompletions.EnableUnlessSet();

var context = CliContext.FromConsole();

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
    else if (context.IsTerminal)
    {
        // Quitting at once skips the progress bar's cleanup: give the terminal its cursor back.
        Console.Error.Write("\u001b[?25h");
    }
};

try
{
    return await AmiDialerCli.RunAsync(args, context, interrupt.Token);
}
finally
{
    // Flushes the console logger's queue.
    context.ServicesOptions.LoggerFactory?.Dispose();
}
