using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>serve</c>: the web UI, the HTTP API and the engine together, until SIGINT (Ctrl-C) or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Build(CliContext context)
    {
        var simulate = CommonOptions.Simulate();
        var timeScale = CommonOptions.TimeScale();
        var urls = new Option<string?>("--urls")
        {
            Description = "Where to listen, e.g. http://127.0.0.1:5080 (default Web:Urls).",
            HelpName = "urls",
        }.CheckText(text => text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                ? null
                : "expected http or https URLs separated by ';'.");
        var command = new Command("serve", "Run the web UI, the HTTP API and the dialing engine until Ctrl-C or SIGTERM (a graceful stop; see Engine:ShutdownGrace).");
        command.Options.Add(simulate);
        command.Options.Add(timeScale);
        command.Options.Add(urls);
        command.Validators.Add(result =>
        {
            if (result.GetValue(timeScale) is not null && !result.GetValue(simulate))
            {
                result.AddError("--time-scale applies only with --simulate.");
            }
        });
        command.SetAction((parse, ct) => ServeActions.ServeAsync(
            context, parse, parse.GetValue(simulate), parse.GetValue(timeScale), parse.GetValue(urls), ct));
        return command;
    }
}
