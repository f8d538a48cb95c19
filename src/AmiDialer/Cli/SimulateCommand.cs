using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>simulate</c>: the built-in AMI simulator alone, for pointing another AmiDialer (or any AMI client) at it.</summary>
internal static class SimulateCommand
{
    public static Command Build(CliContext context)
    {
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var port = new Option<int>("--port")
        {
            Description = "TCP port to listen on (0 picks a free one).",
            DefaultValueFactory = _ => 5038,
        }.Check(p => p is >= 0 and <= 65535 ? null : $"must be between 0 and 65535 (was {p}).");
        var timeScale = new Option<double?>("--time-scale")
        {
            Description = "Simulated seconds per real second (calls ring and talk faster).",
            HelpName = "x",
        }.Check(x => OptionValidation.Positive(x!.Value));
        var command = new Command("simulate", "Run the built-in Asterisk AMI simulator alone and print how to log in to it; serves until Ctrl-C.");
        command.Options.Add(host);
        command.Options.Add(port);
        command.Options.Add(timeScale);
        command.SetAction((parse, ct) => SimulateActions.SimulateAsync(
            context, parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(timeScale) ?? 1, ct));
        return command;
    }
}
