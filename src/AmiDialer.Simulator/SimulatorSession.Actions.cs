using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AmiDialer.Ami;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Simulator;

/// <summary>The actions, with Asterisk's texts from the captures.</summary>
internal sealed partial class SimulatorSession
{
    private string? _challenge;

    /// <summary>Write class each action needs (Asterisk's manager.c registrations); absent = none needed.</summary>
    private static readonly Dictionary<string, AmiPrivilege> Required = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Originate"] = AmiPrivilege.Originate,
        ["Redirect"] = AmiPrivilege.Call,
        ["Hangup"] = AmiPrivilege.System | AmiPrivilege.Call,
        ["CoreShowChannels"] = AmiPrivilege.System | AmiPrivilege.Reporting,
        ["Status"] = AmiPrivilege.System | AmiPrivilege.Call | AmiPrivilege.Reporting,
        ["Command"] = AmiPrivilege.Command,
        ["GetConfig"] = AmiPrivilege.System | AmiPrivilege.Config,
        ["GetConfigJSON"] = AmiPrivilege.System | AmiPrivilege.Config,
        ["CreateConfig"] = AmiPrivilege.Config,
        ["UpdateConfig"] = AmiPrivilege.Config,
        ["Getvar"] = AmiPrivilege.Call | AmiPrivilege.Reporting,
        ["DBGet"] = AmiPrivilege.System | AmiPrivilege.Reporting,
        ["ShowDialPlan"] = AmiPrivilege.Config | AmiPrivilege.Reporting,
        ["DBGetTree"] = AmiPrivilege.System | AmiPrivilege.Reporting,
        ["DBPut"] = AmiPrivilege.System,
        ["DBDel"] = AmiPrivilege.System,
        ["DBDelTree"] = AmiPrivilege.System,
        ["Ping"] = AmiPrivilege.None,
        ["Logoff"] = AmiPrivilege.None,
        ["Events"] = AmiPrivilege.None,
        ["ListCommands"] = AmiPrivilege.None,
        ["Login"] = AmiPrivilege.None,
        ["Challenge"] = AmiPrivilege.None,
        ["QueueStatus"] = AmiPrivilege.None,
        ["QueueSummary"] = AmiPrivilege.None,
        ["QueueReset"] = AmiPrivilege.None,
        ["QueueAdd"] = AmiPrivilege.Agent,
        ["QueueRemove"] = AmiPrivilege.Agent,
        ["QueuePause"] = AmiPrivilege.Agent,
    };

    private static readonly (string Name, string Synopsis, string Privilege)[] CommandList =
    [
        ("Login", "Login Manager.", "<none>"), ("Challenge", "Generate Challenge for MD5 Auth.", "<none>"),
        ("Logoff", "Logoff Manager.", "<none>"), ("Ping", "Keepalive command.", "<none>"),
        ("Events", "Control Event Flow.", "<none>"), ("ListCommands", "List available manager commands.", "<none>"),
        ("Originate", "Originate a call.", "originate,all"), ("Redirect", "Redirect (transfer) a call.", "call,all"),
        ("Hangup", "Hangup channel.", "system,call,all"), ("CoreShowChannels", "List currently active channels.", "system,reporting,all"),
        ("Status", "List channel status.", "system,call,reporting,all"), ("Command", "Execute Asterisk CLI Command.", "command,all"),
        ("GetConfig", "Retrieve configuration.", "system,config,all"), ("GetConfigJSON", "Retrieve configuration (JSON format).", "system,config,all"),
        ("CreateConfig", "Creates an empty file in the configuration directory.", "config,all"), ("UpdateConfig", "Update basic configuration.", "config,all"), ("Getvar", "Gets a channel variable or function value.", "call,reporting,all"),
        ("ShowDialPlan", "Show dialplan contexts and extensions", "config,reporting,all"), ("DBGet", "Get DB Entry.", "system,reporting,all"), ("DBGetTree", "Get DB entries, optionally at a particular family/key", "system,reporting,all"),
        ("DBPut", "Put DB entry.", "system,all"), ("DBDel", "Delete DB entry.", "system,all"), ("DBDelTree", "Delete DB Tree.", "system,all"),
        ("QueueStatus", "Show queue status.", "<none>"), ("QueueSummary", "Show queue summary.", "<none>"), ("QueueReset", "Reset queue statistics.", "<none>"),
        ("QueueAdd", "Add interface to queue.", "agent,all"), ("QueueRemove", "Remove interface from queue.", "agent,all"),
        ("QueuePause", "Makes a queue member temporarily unavailable.", "agent,all"),
    ];

    private async Task<bool> DispatchAsync(AmiMessage m)
    {
        var action = m.ActionName;
        if (action is null)
        {
            await RespondAsync(m, "Error", ("Message", "Missing action in request")).ConfigureAwait(false);
            _server.PublishSecurity(this, "RequestBadFormat", "Error", 1, [("RequestType", "Action: NONE")], trailingAccount: true);
            return true;
        }

        if (!_loggedIn && !action.Equals("Login", StringComparison.OrdinalIgnoreCase) && !action.Equals("Challenge", StringComparison.OrdinalIgnoreCase)
            && !action.Equals("Logoff", StringComparison.OrdinalIgnoreCase))
        {
            await RespondAsync(m, "Error", ("Message", "Permission denied")).ConfigureAwait(false);
            _server.PublishSecurity(this, "RequestNotAllowed", "Error", 1, [("RequestType", "Action: " + action)], account: "", sessionTv: DateTimeOffset.UnixEpoch);
            return true;
        }

        if (!Required.TryGetValue(action, out var needed))
        {
            await RespondAsync(m, "Error", ("Message", $"Invalid/unknown command: {action}. Use Action: ListCommands to show available commands.")).ConfigureAwait(false);
            _server.PublishSecurity(this, "RequestBadFormat", "Error", 1, [("RequestType", "Action: " + action)], trailingAccount: true);
            return true;
        }

        if (needed != AmiPrivilege.None && (User!.Write & needed) == 0)
        {
            await RespondAsync(m, "Error", ("Message", "Permission denied")).ConfigureAwait(false);
            _server.PublishSecurity(this, "RequestNotAllowed", "Error", 1, [("RequestType", "Action: " + action)]);
            return true;
        }

        switch (action.ToLowerInvariant())
        {
            case "login": return await LoginAsync(m).ConfigureAwait(false);
            case "challenge": await ChallengeAsync(m).ConfigureAwait(false); return true;
            case "logoff":
                await RespondAsync(m, "Goodbye", ("Message", "Thanks for all the fish.")).ConfigureAwait(false);
                return false;
            case "ping":
                var now = _server.Pbx.Time.GetUtcNow();
                var ts = (now.ToUnixTimeMilliseconds() / 1000.0).ToString("F6", CultureInfo.InvariantCulture);
                await RespondAsync(m, "Success", ("Ping", "Pong"), ("Timestamp", ts)).ConfigureAwait(false);
                return true;
            case "events":
                _eventMask = AmiPrivileges.Parse(m["EventMask"]);
                await RespondAsync(m, "Success", ("Events", _eventMask == AmiPrivilege.None ? "Off" : "On")).ConfigureAwait(false);
                return true;
            case "originate": await OriginateAsync(m).ConfigureAwait(false); return true;
            case "redirect": await RedirectAsync(m).ConfigureAwait(false); return true;
            case "hangup": await HangupAsync(m).ConfigureAwait(false); return true;
            case "coreshowchannels": await CoreShowChannelsAsync(m).ConfigureAwait(false); return true;
            case "status": await StatusAsync(m).ConfigureAwait(false); return true;
            case "getvar": await GetvarAsync(m).ConfigureAwait(false); return true;
            case "command": return await CommandAsync(m).ConfigureAwait(false);
            case "getconfig": await GetConfigAsync(m).ConfigureAwait(false); return true;
            case "getconfigjson": await GetConfigJsonAsync(m).ConfigureAwait(false); return true;
            case "createconfig": await CreateConfigAsync(m).ConfigureAwait(false); return true;
            case "updateconfig": await UpdateConfigAsync(m).ConfigureAwait(false); return true;
            case "showdialplan": await ShowDialPlanAsync(m).ConfigureAwait(false); return true;
            case "dbget": await DbGetAsync(m).ConfigureAwait(false); return true;
            case "dbgettree": await DbGetTreeAsync(m).ConfigureAwait(false); return true;
            case "dbput": await DbPutAsync(m).ConfigureAwait(false); return true;
            case "dbdel": await DbDelAsync(m).ConfigureAwait(false); return true;
            case "dbdeltree": await DbDelTreeAsync(m).ConfigureAwait(false); return true;
            case "queuestatus": await QueueStatusAsync(m).ConfigureAwait(false); return true;
            case "queuesummary": await QueueSummaryAsync(m).ConfigureAwait(false); return true;
            case "queuereset": await QueueResetAsync(m).ConfigureAwait(false); return true;
            case "queueadd": await QueueAddAsync(m).ConfigureAwait(false); return true;
            case "queueremove": await QueueRemoveAsync(m).ConfigureAwait(false); return true;
            case "queuepause": await QueuePauseAsync(m).ConfigureAwait(false); return true;
            case "listcommands":
                // Only what the user's write classes allow, plus the actions that need none (k3: readonly sees 21, limited 60).
                await RespondAsync(m, "Success", [.. CommandList.Where(c => MayRun(c.Name)).Select(c => (c.Name, $"{c.Synopsis}  (Priv: {c.Privilege})"))]).ConfigureAwait(false);
                return true;
            default: return true;
        }
    }

    private bool MayRun(string action) =>
        !Required.TryGetValue(action, out var needed) || needed == AmiPrivilege.None || (User!.Write & needed) != 0;

    private byte[] BuildResponse(AmiMessage m, string response, params (string Key, string Value)[] headers)
    {
        var list = new List<AmiHeader>(headers.Length + 2) { new("Response", response) };
        if (m.ActionId is { } id)
        {
            list.Add(new AmiHeader("ActionID", id));
        }

        foreach (var (key, value) in headers)
        {
            list.Add(new AmiHeader(key, value));
        }

        return AmiWriter.ToBytes(list.ToArray(), AmiWriteLimits.Unlimited);
    }

    private async Task RespondAsync(AmiMessage m, string response, params (string Key, string Value)[] headers)
    {
        await DelayResponseAsync().ConfigureAwait(false);
        Send(BuildResponse(m, response, headers));
    }

    private async Task DelayResponseAsync()
    {
        if (Options.ResponseLatency > TimeSpan.Zero)
        {
            await Task.Delay(Options.ResponseLatency, _server.Pbx.Time, _closed.Token).ConfigureAwait(false);
        }
    }

    private static byte[] Message(params (string Key, string Value)[] headers) =>
        AmiWriter.ToBytes(headers.Select(h => new AmiHeader(h.Key, h.Value)).ToArray(), AmiWriteLimits.Unlimited);

    private async Task<bool> LoginAsync(AmiMessage m)
    {
        var username = m["Username"] ?? "";
        var user = Options.Users.FirstOrDefault(u => u.Username == username);
        bool ok;
        var md5 = string.Equals(m["AuthType"], "MD5", StringComparison.OrdinalIgnoreCase);
        string? expected = null;
        if (user is null)
        {
            ok = false;
        }
        else if (md5)
        {
            expected = _challenge is null ? null : Md5Hex(_challenge + user.Secret);
            ok = expected is not null && string.Equals(m["Key"], expected, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            ok = m["Secret"] == user.Secret;
        }

        if (!ok)
        {
            _logger.LoginFailed(Id, username);
            if (user is null)
            {
                _server.PublishSecurity(this, "InvalidAccountID", "Error", 1, [], account: username, sessionTv: DateTimeOffset.UnixEpoch);
            }
            else if (md5)
            {
                _server.PublishSecurity(this, "ChallengeResponseFailed", "Error", 1, [("Challenge", _challenge ?? ""), ("Response", m["Key"] ?? ""), ("ExpectedResponse", expected ?? "")], account: "", sessionTv: DateTimeOffset.UnixEpoch);
            }
            else
            {
                _server.PublishSecurity(this, "InvalidPassword", "Error", 2, [], account: username, sessionTv: DateTimeOffset.UnixEpoch);
            }

            // Asterisk makes a failed login cost about a second, then hangs up.
            await Task.Delay(Options.LoginFailureDelay, _server.Pbx.Time, _closed.Token).ConfigureAwait(false);
            Send(BuildResponse(m, "Error", ("Message", "Authentication failed")));
            return false;
        }

        User = user;
        SessionStart = _server.Pbx.Time.GetUtcNow();
        if (m["Events"] is { } events)
        {
            _eventMask = AmiPrivileges.Parse(events);
        }

        await RespondAsync(m, "Success", ("Message", "Authentication accepted")).ConfigureAwait(false);
        _logger.LoggedIn(Id, username);
        _loggedIn = true;
        if ((user!.Read & _eventMask & AmiPrivilege.System) != 0)
        {
            var uptime = ((long)(_server.Pbx.Time.GetUtcNow() - _server.Pbx.BootTime).TotalSeconds).ToString(CultureInfo.InvariantCulture);
            Send(Message(("Event", "FullyBooted"), ("Privilege", "system,all"), ("Uptime", uptime), ("LastReload", uptime), ("Status", "Fully Booted")));
        }

        _server.PublishSecurity(this, "SuccessfulAuth", "Informational", 1, [("UsingPassword", "0")], account: username);
        return true;
    }

    private async Task ChallengeAsync(AmiMessage m)
    {
        if (!string.Equals(m["AuthType"], "MD5", StringComparison.OrdinalIgnoreCase))
        {
            await RespondAsync(m, "Error", ("Message", "Must specify AuthType")).ConfigureAwait(false);
            return;
        }

        _challenge ??= RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
        await RespondAsync(m, "Success", ("Challenge", _challenge)).ConfigureAwait(false);
    }

    internal static string Md5Hex(string text)
    {
#pragma warning disable CA5351 // MD5 is what the AMI Challenge login is defined with.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
    }

    private async Task OriginateAsync(AmiMessage m)
    {
        var channel = m["Channel"];
        if (string.IsNullOrEmpty(channel))
        {
            await RespondAsync(m, "Error", ("Message", "Channel not specified")).ConfigureAwait(false);
            return;
        }

        var timeoutText = m["Timeout"];
        var timeout = 30000;
        if (!string.IsNullOrEmpty(timeoutText) && (!int.TryParse(timeoutText, NumberStyles.Integer, CultureInfo.InvariantCulture, out timeout) || timeout < 0))
        {
            await RespondAsync(m, "Error", ("Message", "Invalid timeout")).ConfigureAwait(false);
            return;
        }

        if (m["Priority"] is { Length: > 0 } prio && !int.TryParse(prio, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            await RespondAsync(m, "Error", ("Message", "Invalid priority")).ConfigureAwait(false);
            return;
        }

        var slash = channel.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == channel.Length - 1)
        {
            await RespondAsync(m, "Error", ("Message", "Invalid channel")).ConfigureAwait(false);
            return;
        }

        var (cidName, cidNum) = OriginateRequest.ParseCallerId(m["CallerID"]);
        var variables = new List<KeyValuePair<string, string>>();
        foreach (var raw in m.GetAll("Variable"))
        {
            foreach (var part in raw.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                variables.Add(eq < 0 ? new(part, "") : new(part[..eq], part[(eq + 1)..]));
            }
        }

        var request = new OriginateRequest
        {
            Channel = channel,
            Context = m["Context"],
            Exten = m["Exten"],
            Priority = m["Priority"] ?? "1",
            Application = m["Application"],
            Data = m["Data"],
            TimeoutMs = timeout,
            CallerIdName = cidName,
            CallerIdNum = cidNum,
            Variables = variables,
            ChannelId = m["ChannelId"],
            OtherChannelId = m["OtherChannelId"],
            ActionId = m.ActionId,
            Async = m.GetBoolean("Async") == true,
        };
        // Every Originate that names a channel counts as a dial attempt in the ground truth, even one refused below.
        _server.Pbx.Recorder?.Originate(request.ChannelId, _server.Pbx.NumberOf(request), _server.Pbx.Time.GetUtcNow());
        if (SimulatedPbx.Validate(request, _server.Pbx.Dialplan) is { } error)
        {
            await RespondAsync(m, "Error", ("Message", error)).ConfigureAwait(false);
            return;
        }

        if (request.Async)
        {
            var call = _server.Pbx.CreateCall(request, null);
            await RespondAsync(m, "Success", ("Message", "Originate successfully queued")).ConfigureAwait(false);
            call.Run();
            return;
        }

        // Sync: the session is deaf until the outcome is known, then the Response comes first and the held events after it.
        var result = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Hold();
        var syncCall = _server.Pbx.CreateCall(request, result);
        syncCall.Run();
        bool answered;
        try
        {
            answered = await result.Task.WaitAsync(_closed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await DelayResponseAsync().ConfigureAwait(false);
        ReleaseHeld(answered
            ? BuildResponse(m, "Success", ("Message", "Originate successfully queued"))
            : BuildResponse(m, "Error", ("Message", "Originate failed")));
    }

    private async Task RedirectAsync(AmiMessage m)
    {
        var channel = m["Channel"];
        if (string.IsNullOrEmpty(channel))
        {
            await RespondAsync(m, "Error", ("Message", "Channel not specified")).ConfigureAwait(false);
            return;
        }

        var context = m["Context"] ?? "";
        var exten = m["Exten"] ?? "";
        var priority = m["Priority"] ?? "";
        var contextExists = _server.Pbx.Dialplan.ExtensionExists(context, exten);
        if (priority.Length > 0 && !int.TryParse(priority, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            && !(context == "pstn" && priority.Length == 2 && priority[0] == 'd' && char.IsDigit(priority[1])))
        {
            // A label is looked up in the target before the channel (e2); a numeric priority is not checked at all (e3).
            await RespondAsync(m, "Error", ("Message", "Priority is invalid")).ConfigureAwait(false);
            return;
        }

        var call = _server.Pbx.FindByChannel(channel);
        if (call is null)
        {
            await RespondAsync(m, "Error", ("Message", "Channel does not exist: " + channel)).ConfigureAwait(false);
            return;
        }

        await RespondAsync(m, "Success", ("Message", "Redirect successful")).ConfigureAwait(false);
        if (!(call.ClickToCall && call.LegIndex(channel) == 2 && call.RedirectCustomer(context, exten)))
        {
            call.Redirect(context, exten, contextExists);
        }
    }

    private async Task HangupAsync(AmiMessage m)
    {
        var channel = m["Channel"];
        if (string.IsNullOrEmpty(channel))
        {
            await RespondAsync(m, "Error", ("Message", "No channel specified")).ConfigureAwait(false);
            return;
        }

        var cause = m.GetInt32("Cause") ?? 16;
        if (channel.Length > 2 && channel[0] == '/' && channel[^1] == '/')
        {
            Regex regex;
            try
            {
                regex = new Regex(channel[1..^1], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException)
            {
                await RespondAsync(m, "Error", ("Message", "Invalid regex")).ConfigureAwait(false);
                return;
            }

            var matches = _server.Pbx.Channels(regex);
            await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "Channels hung up will follow")).ConfigureAwait(false);
            foreach (var (_, leg, headers, _) in matches)
            {
                Send(Message(("Event", "ChannelHungup"), ("Channel", headers[0].Value), ("ActionID", m.ActionId ?? "")));
            }

            Send(Message(("Event", "ChannelsHungupListComplete"), ("ActionID", m.ActionId ?? ""), ("EventList", "Complete"), ("ListItems", matches.Count.ToString(CultureInfo.InvariantCulture))));
            foreach (var call in matches.Select(x => x.Call).Distinct())
            {
                call.Teardown(TeardownKind.HangupAction, cause);
            }

            return;
        }

        var target = _server.Pbx.FindByChannel(channel);
        if (target is null)
        {
            await RespondAsync(m, "Error", ("Message", "No such channel")).ConfigureAwait(false);
            return;
        }

        await RespondAsync(m, "Success", ("Message", "Channel Hungup")).ConfigureAwait(false);
        target.Teardown(TeardownKind.HangupAction, cause);
    }

    private async Task CoreShowChannelsAsync(AmiMessage m)
    {
        var channels = _server.Pbx.Channels();
        await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "Channels will follow")).ConfigureAwait(false);
        foreach (var (_, _, headers, age) in channels)
        {
            var list = new List<(string, string)> { ("Event", "CoreShowChannel"), ("ActionID", m.ActionId ?? "") };
            list.AddRange(headers.Select(h => (h.Key, h.Value)));
            list.Add(("Duration", age.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)));
            list.Add(("BridgeId", ""));
            Send(Message([.. list]));
        }

        Send(Message(("Event", "CoreShowChannelsComplete"), ("ActionID", m.ActionId ?? ""), ("EventList", "Complete"), ("ListItems", channels.Count.ToString(CultureInfo.InvariantCulture))));
    }

    private async Task StatusAsync(AmiMessage m)
    {
        var channel = m["Channel"];
        var channels = string.IsNullOrEmpty(channel) ? _server.Pbx.Channels() : _server.Pbx.Channels(exact: channel);
        if (!string.IsNullOrEmpty(channel) && channels.Count == 0)
        {
            await RespondAsync(m, "Error", ("Message", "No such channel")).ConfigureAwait(false);
            return;
        }

        var wanted = (m["Variables"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "Channel status will follow")).ConfigureAwait(false);
        foreach (var (call, _, headers, age) in channels)
        {
            var list = new List<(string, string)> { ("Event", "Status"), ("Privilege", "Call") };
            list.AddRange(headers.Where(h => h.Key is not ("Application" or "ApplicationData")).Select(h => (h.Key, h.Value)));
            var get = headers.ToDictionary(h => h.Key, h => h.Value);
            list.Add(("Type", "Local"));
            list.Add(("DNID", ""));
            list.Add(("EffectiveConnectedLineNum", get.GetValueOrDefault("ConnectedLineNum", "")));
            list.Add(("EffectiveConnectedLineName", get.GetValueOrDefault("ConnectedLineName", "")));
            list.Add(("TimeToHangup", "0"));
            list.Add(("BridgeID", ""));
            list.Add(("Application", get.GetValueOrDefault("Application", "")));
            list.Add(("Data", get.GetValueOrDefault("ApplicationData", "")));
            list.Add(("Nativeformats", "(slin)"));
            list.Add(("Readformat", "slin"));
            list.Add(("Readtrans", ""));
            list.Add(("Writeformat", "slin"));
            list.Add(("Writetrans", ""));
            list.Add(("Callgroup", "0"));
            list.Add(("Pickupgroup", "0"));
            list.Add(("Seconds", ((int)age.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
            foreach (var name in wanted)
            {
                var value = call.Request.Variables.LastOrDefault(v => v.Key == name).Value ?? "";
                list.Add(("Variable", name + "=" + value));
            }

            list.Add(("ActionID", m.ActionId ?? ""));
            Send(Message([.. list]));
        }

        Send(Message(("Event", "StatusComplete"), ("ActionID", m.ActionId ?? ""), ("EventList", "Complete"), ("ListItems", channels.Count.ToString(CultureInfo.InvariantCulture)), ("Items", channels.Count.ToString(CultureInfo.InvariantCulture))));
    }

    private async Task GetvarAsync(AmiMessage m)
    {
        var name = m["Variable"];
        if (string.IsNullOrEmpty(name))
        {
            await RespondAsync(m, "Error", ("Message", "No variable specified")).ConfigureAwait(false);
            return;
        }

        var channel = m["Channel"];
        string value = "";
        if (!string.IsNullOrEmpty(channel))
        {
            var call = _server.Pbx.FindByChannel(channel);
            if (call is null)
            {
                await RespondAsync(m, "Error", ("Message", "No such channel")).ConfigureAwait(false);
                return;
            }

            value = call.Request.Variables.LastOrDefault(v => v.Key == name).Value ?? "";
        }

        await RespondAsync(m, "Success", ("Variable", name), ("Value", value)).ConfigureAwait(false);
    }

    private async Task<bool> CommandAsync(AmiMessage m)
    {
        var command = m["Command"];
        if (string.IsNullOrEmpty(command))
        {
            await RespondAsync(m, "Error", ("Message", "No command provided")).ConfigureAwait(false);
            return true;
        }

        var normalized = string.Join(' ', command.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        switch (normalized)
        {
            case "core show version":
                await RespondAsync(m, "Success", ("Message", "Command output follows"), ("Output", Options.VersionLine)).ConfigureAwait(false);
                return true;
            case "core show channels count":
                var live = _server.Pbx.LiveChannels;
                await RespondAsync(m, "Success", ("Message", "Command output follows"), ("Output", $"{live} active channels"), ("Output", $"{_server.Pbx.LiveCalls} active calls")).ConfigureAwait(false);
                return true;
            case "core show channeltypes":
                await RespondAsync(m, "Success", [("Message", "Command output follows"), .. ChannelTypesOutput.Lines(Options.Technologies).Select(l => ("Output", l))]).ConfigureAwait(false);
                return true;
            case "dialplan reload":
                return await DialplanReloadAsync(m).ConfigureAwait(false);
            case "core restart now" or "core stop now":
                // The issuing session gets no reply, only EOF (i1).
                _ = _server.RestartAsync(TimeSpan.FromSeconds(1.4), normalized == "core restart now", issuer: this);
                return true;
            case var show when show.StartsWith("dialplan show ", StringComparison.Ordinal):
                var context = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
                var lines = Dialplan.Show(context);
                await RespondAsync(m, lines is null ? "Error" : "Success", [("Message", "Command output follows"), .. (lines ?? [$"There is no existence of '{context}' context"]).Select(l => ("Output", l))]).ConfigureAwait(false);
                return true;
            default:
                var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var help = string.Join(' ', words.Take(Math.Max(1, words.Length - 2)));
                await RespondAsync(m, "Error", ("Message", "Command output follows"), ("Output", $"No such command '{command}' (type 'core show help {help}' for other possible commands)")).ConfigureAwait(false);
                return true;
        }
    }

    private async Task ShowDialPlanAsync(AmiMessage m)
    {
        var context = m["Context"];
        var extension = m["Extension"];
        var contexts = string.IsNullOrEmpty(context)
            ? _server.Pbx.Dialplan.Contexts.ToList()
            : [context];
        var items = new List<(string Context, Dialplan.Priority Priority)>();
        foreach (var name in contexts)
        {
            if (_server.Pbx.Dialplan.Priorities(name) is not { } priorities)
            {
                await RespondAsync(m, "Error", ("Message", $"Did not find context {name}")).ConfigureAwait(false);
                return;
            }

            items.AddRange(priorities.Where(p => string.IsNullOrEmpty(extension) || Dialplan.Matches(p.Extension, extension)).Select(p => (name, p)));
        }

        if (items.Count == 0 && !string.IsNullOrEmpty(extension))
        {
            await RespondAsync(m, "Error", ("Message", $"Did not find extension {extension}@{context}")).ConfigureAwait(false);
            return;
        }

        await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "DialPlan list will follow")).ConfigureAwait(false);
        foreach (var (name, p) in items)
        {
            Send(Message([.. ActionIdHeader(m), ("Event", "ListDialplan"), ("Context", name), ("Extension", p.Extension), ("Priority", p.Number.ToString(CultureInfo.InvariantCulture)),
                ("Application", p.Application), ("AppData", p.AppData), ("Registrar", "pbx_config")]));
        }

        Send(Message([.. ActionIdHeader(m), ("Event", "ShowDialPlanComplete"), ("EventList", "Complete"), ("ListItems", items.Count.ToString(CultureInfo.InvariantCulture)),
            ("ListExtensions", items.Select(i => i.Context + "/" + i.Priority.Extension).Distinct().Count().ToString(CultureInfo.InvariantCulture)),
            ("ListPriorities", items.Count.ToString(CultureInfo.InvariantCulture)),
            ("ListContexts", items.Select(i => i.Context).Distinct().Count().ToString(CultureInfo.InvariantCulture))]));
    }
}
