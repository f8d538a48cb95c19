using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Engine.CallControl;
using AmiDialer.Hosting;
using AmiDialer.Reports;

namespace AmiDialer.Cli;

/// <summary>
/// <c>call &lt;number&gt; --agent &lt;endpoint&gt;</c> (click-to-call: the agent's phone rings first, then the number) and
/// <c>transfer &lt;attempt-id&gt; --destination context,exten,priority</c> (Redirect of a live call).
/// </summary>
internal static class CallCommands
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public static void AddTo(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(BuildCall(context));
        root.Subcommands.Add(BuildTransfer(context));
    }

    private static Command BuildCall(CliContext context)
    {
        var number = new Argument<string>("number") { Description = "The customer's number (national or +international)." };
        var agent = new Option<string>("--agent") { Description = "The agent endpoint rung first, e.g. PJSIP/101 (must match Dialing:ClickToCall:AllowedAgents).", Required = true };
        var callContext = new Option<string?>("--context") { Description = "Dial the number in this context (one of Dialing:AllowedContexts) instead of Dialing:ClickToCall:Context." };
        var format = CommonOptions.Format("text", "json");
        var simulate = CommonOptions.Simulate();
        var timeScale = CommonOptions.TimeScale();
        var command = new Command("call", "Click-to-call: ring the agent, then dial the number once the agent answers. Prints the attempt id at once and the outcome when the call ends.");
        command.Arguments.Add(number);
        command.Options.Add(agent);
        command.Options.Add(callContext);
        command.Options.Add(format);
        command.Options.Add(simulate);
        command.Options.Add(timeScale);
        command.SetAction((parse, ct) => CallAsync(
            context, parse, parse.GetValue(number)!, parse.GetValue(agent)!, parse.GetValue(callContext), parse.GetValue(format)!, parse.GetValue(simulate), parse.GetValue(timeScale), ct));
        return command;
    }

    private static Command BuildTransfer(CliContext context)
    {
        var attempt = new Argument<long>("attempt-id") { Description = "The attempt whose live call is moved." };
        var destination = new Option<string>("--destination") { Description = "Where to: context,exten,priority (the context must be in Dialing:AllowedContexts).", Required = true };
        var command = new Command("transfer", "Redirect a live call to another place in the dialplan.");
        command.Arguments.Add(attempt);
        command.Options.Add(destination);
        command.SetAction((parse, ct) => TransferAsync(context, parse, parse.GetValue(attempt), parse.GetValue(destination)!, ct));
        return command;
    }

    private static async Task<int> CallAsync(CliContext context, ParseResult parse, string number, string agent, string? dialContext, string format, bool simulate, double? timeScale, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct, simulate, timeScale, simulate ? SettingsUse.None : SettingsUse.Ami);
        var engine = await services.StartEngineAsync(useScheduler: false, ct);
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connect.CancelAfter(ConnectTimeout);
            try
            {
                await engine.WaitForServersAsync(connect.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new CliException($"Could not log in to the AMI server(s) within {ConnectTimeout.TotalSeconds} s: {string.Join(", ", services.Settings.Ami.Servers.Select(s => s.ToString()))}. Check Ami:Servers (or run with --simulate).");
            }
        }

        ClickToCallStarted started;
        try
        {
            started = await engine.CallControl.StartClickToCallAsync(new ClickToCallRequest(number, agent, dialContext), ct);
        }
        catch (CallControlException e)
        {
            throw Refusal(e);
        }

        var json = format.Is("json");
        if (json)
        {
            await context.Output.WriteLineAsync(Json(w =>
            {
                w.WriteNumber("id", started.AttemptId);
                w.WriteString("state", "dialing");
                w.WriteString("number", started.PhoneE164);
                w.WriteString("agent", started.Agent);
                w.WriteString("destination", started.Destination.ToString());
                w.WriteString("server", started.Server);
            }));
        }
        else
        {
            await context.Output.WriteLineAsync($"Call {started.AttemptId} started: ringing {started.Agent}, then {started.PhoneE164} via {started.Destination} (server {started.Server}).");
        }

        await context.Output.FlushAsync(ct);
        var ended = await engine.CallControl.WaitForEndAsync(started.AttemptId, ct);
        var outcome = ended.Outcome?.ToWireName() ?? "unknown";
        if (json)
        {
            await context.Output.WriteLineAsync(Json(w =>
            {
                w.WriteNumber("id", ended.Id);
                w.WriteString("outcome", outcome);
                WriteOptional(w, "failureReason", ended.FailureReason);
                WriteOptional(w, "dialStatus", ended.DialStatus);
                if (ended.HangupCause is { } cause)
                {
                    w.WriteNumber("hangupCause", cause);
                }

                if (ended.TalkSeconds is { } talk)
                {
                    w.WriteNumber("talkSeconds", Math.Round(talk, 1));
                }
            }));
        }
        else
        {
            var detail = ended.TalkSeconds is { } talk ? $", talked {talk.ToString("0.0", CultureInfo.InvariantCulture)} s"
                : ended.FailureReason is { } why ? $" ({why})" : "";
            await context.Output.WriteLineAsync($"Call {ended.Id} ended: {outcome}{detail}.");
        }

        return ended.Outcome == CallOutcome.Answered ? AmiDialerCli.Success : AmiDialerCli.Failure;
    }

    private static async Task<int> TransferAsync(CliContext context, ParseResult parse, long attemptId, string destinationText, CancellationToken ct)
    {
        var destination = ParseDestination(destinationText);
        var settings = AmiDialerCli.LoadSettings(parse, SettingsUse.Ami);
        await using var services = await AppServices.CreateAsync(settings, simulate: false, context.ServicesOptions, ct);
        var engineOptions = services.EngineOptions();
        try
        {
            var result = await StandaloneTransfer.TransferAsync(services.Database, engineOptions.Servers, engineOptions.CallControl, attemptId, destination, services.LoggerFactory, ct);
            await context.Output.WriteLineAsync($"Attempt {result.AttemptId} transferred: {result.Channel} on {result.Server} to {result.Destination}.");
            return AmiDialerCli.Success;
        }
        catch (CallControlException e)
        {
            throw Refusal(e);
        }
    }

    /// <summary><c>context,exten,priority</c>; priority defaults to 1 when left out.</summary>
    internal static DialplanTarget ParseDestination(string text)
    {
        var parts = (text ?? "").Split(',');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw CliException.Usage($"--destination '{text}': expected context,exten,priority (e.g. ivr,s,1).");
        }

        var priority = 1;
        if (parts.Length == 3 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out priority) || priority < 1))
        {
            throw CliException.Usage($"--destination '{text}': the priority '{parts[2]}' must be a whole number of 1 or more.");
        }

        return new DialplanTarget(parts[0], parts[1], priority);
    }

    /// <summary>The operator at the CLI also gets the configuration key behind a refusal (the page's agents do not).</summary>
    private static CliException Refusal(CallControlException e)
    {
        var message = e.ConfigKey is null ? e.Message : $"{e.Message} (config {e.ConfigKey})";
        return e.Error switch
        {
            CallControlError.InvalidInput => CliException.Usage(message),
            _ => new CliException(message),
        };
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonOutput.Writer()))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
