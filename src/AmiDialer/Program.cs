using AmiDialer.Cli;

return await AmiDialerCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
