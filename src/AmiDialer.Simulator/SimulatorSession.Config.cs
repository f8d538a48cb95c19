using System.Globalization;
using System.Text;
using AmiDialer.Ami;

namespace AmiDialer.Simulator;

/// <summary>
/// The configuration actions, answered with the texts of k4 (and Asterisk's manager.c where k4 did not go):
/// GetConfig, GetConfigJSON, CreateConfig, UpdateConfig. UpdateConfig applies its numbered actions to a copy of the
/// file and saves it only when every one succeeded, as Asterisk does (an error leaves the file as it was).
/// </summary>
internal sealed partial class SimulatorSession
{
    private ConfigFiles Config => _server.Pbx.Config;

    private async Task GetConfigAsync(AmiMessage m)
    {
        if (await ConfigToReadAsync(m).ConfigureAwait(false) is not { } categories)
        {
            return;
        }

        var headers = new List<(string, string)>();
        var index = 0;
        foreach (var category in categories)
        {
            headers.Add(($"Category-{index:D6}", category.Name));
            for (var i = 0; i < category.Lines.Count; i++)
            {
                // "exten=..." whether the file says "=>" or "=" (k4).
                headers.Add(($"Line-{index:D6}-{i:D6}", category.Lines[i].ToString()));
            }

            index++;
        }

        await RespondAsync(m, "Success", [.. headers]).ConfigureAwait(false);
    }

    private async Task GetConfigJsonAsync(AmiMessage m)
    {
        if (await ConfigToReadAsync(m).ConfigureAwait(false) is not { } categories)
        {
            return;
        }

        // Asterisk writes keys as they come, so an object repeats "same" (k4): built by hand, not by a JSON writer.
        var json = new StringBuilder("{");
        foreach (var category in categories)
        {
            json.Append(json.Length > 1 ? ",\"" : "\"").Append(JsonEscape(category.Name)).Append("\":{");
            json.AppendJoin(',', category.Lines.Select(l => "\"" + JsonEscape(l.Name) + "\":\"" + JsonEscape(l.Value) + "\""));
            json.Append('}');
        }

        await RespondAsync(m, "Success", ("JSON", json.Append('}').ToString())).ConfigureAwait(false);

        static string JsonEscape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
    }

    /// <summary>The file's categories (only the one asked for with Category), or null once the error is sent.</summary>
    private async Task<List<ConfigCategory>?> ConfigToReadAsync(AmiMessage m)
    {
        var file = m["Filename"];
        if (string.IsNullOrEmpty(file))
        {
            await RespondAsync(m, "Error", ("Message", "Filename not specified")).ConfigureAwait(false);
            return null;
        }

        if (Config.Load(file.Trim()) is not { } categories)
        {
            await RespondAsync(m, "Error", ("Message", "Config file not found")).ConfigureAwait(false);
            return null;
        }

        var only = m["Category"];
        return string.IsNullOrEmpty(only) ? categories : [.. categories.Where(c => c.Name == only)];
    }

    private async Task CreateConfigAsync(AmiMessage m)
    {
        var file = m["Filename"];
        if (string.IsNullOrEmpty(file))
        {
            await RespondAsync(m, "Error", ("Message", "Filename not specified")).ConfigureAwait(false);
            return;
        }

        // Asterisk opens it with O_CREAT|O_EXCL and answers strerror(errno) when that fails.
        await (Config.Create(file.Trim())
            ? RespondAsync(m, "Success", ("Message", "New configuration file created successfully"))
            : RespondAsync(m, "Error", ("Message", "File exists"))).ConfigureAwait(false);
    }

    private async Task UpdateConfigAsync(AmiMessage m)
    {
        var source = m["SrcFilename"]?.Trim();
        var destination = m["DstFilename"]?.Trim();
        if (string.IsNullOrEmpty(source) || string.IsNullOrEmpty(destination))
        {
            await RespondAsync(m, "Error", ("Message", "Filename not specified")).ConfigureAwait(false);
            return;
        }

        // A file that does not exist fails Asterisk's realpath() check before anything is read (k4).
        if (!Config.Exists(source) || !Config.Exists(destination))
        {
            await RespondAsync(m, "Error", ("Message", "File requires escalated privileges")).ConfigureAwait(false);
            return;
        }

        var categories = Config.Read(source)!;
        if (ApplyUpdates(m, categories) is { } error)
        {
            await RespondAsync(m, "Error", ("Message", error)).ConfigureAwait(false);
            return;
        }

        Config.Write(destination, categories);
        await RespondAsync(m, "Success").ConfigureAwait(false);
        var reload = m["Reload"]?.Trim();
        if (!string.IsNullOrEmpty(reload) && (AmiPrivileges.Parse(reload) == AmiPrivilege.All || reload.Equals("pbx_config", StringComparison.OrdinalIgnoreCase)))
        {
            // Reload: yes reloads every module, Reload: pbx_config the dialplan; the rest is not simulated.
            _server.Pbx.ReloadDialplan();
        }
    }

    /// <summary>Asterisk's handle_updates: Action-NNNNNN with Cat-, Var-, Value-, Match-, Line-; the first failure's message, or null.</summary>
    private static string? ApplyUpdates(AmiMessage m, List<ConfigCategory> categories)
    {
        for (var x = 0; x < 100_000; x++)
        {
            var n = x.ToString("D6", CultureInfo.InvariantCulture);
            var action = m["Action-" + n];
            if (string.IsNullOrEmpty(action))
            {
                return null;
            }

            var cat = m["Cat-" + n];
            if (string.IsNullOrEmpty(cat))
            {
                return "Category not specified";
            }

            var name = m["Var-" + n];
            var value = m["Value-" + n] ?? "";
            var objectLine = value.StartsWith('>');
            value = objectLine ? value[1..] : value;
            var match = m["Match-" + n];
            var line = m["Line-" + n];
            var targets = categories.Where(c => c.Name == cat).ToList();
            switch (action.ToLowerInvariant())
            {
                case "newcat":
                    if (targets.Count > 0)
                    {
                        return "Create category did not complete successfully";
                    }

                    categories.Add(new ConfigCategory(cat, []));
                    break;
                case "renamecat":
                    if (string.IsNullOrEmpty(value))
                    {
                        return "Problem with category, value, or line (if required)";
                    }

                    if (targets.Count == 0)
                    {
                        return "Given category does not exist";
                    }

                    foreach (var t in targets)
                    {
                        categories[categories.IndexOf(t)] = t with { Name = value };
                    }

                    break;
                case "insert":
                    if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(line))
                    {
                        return "Problem with category, value, or line (if required)";
                    }

                    if (targets.Count == 0)
                    {
                        return "Given category does not exist";
                    }

                    // Before line number Line (0-based), at the end when it is past the last one.
                    var before = int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) ? index : int.MaxValue;
                    targets.ForEach(t => t.Lines.Insert(Math.Clamp(before, 0, t.Lines.Count), new ConfigLine(name, value, objectLine)));
                    break;
                case "delcat":
                    if (targets.Count == 0)
                    {
                        return "Given category does not exist";
                    }

                    categories.RemoveAll(targets.Contains);
                    break;
                case "emptycat":
                    if (targets.Count == 0)
                    {
                        return "Given category does not exist";
                    }

                    targets.ForEach(t => t.Lines.Clear());
                    break;
                case "append":
                    if (string.IsNullOrEmpty(name))
                    {
                        return "Problem with category, value, or line (if required)";
                    }

                    if (targets.Count == 0)
                    {
                        return "Given category does not exist";
                    }

                    // '>' or Match: object makes it "name => value" (k4).
                    targets.ForEach(t => t.Lines.Add(new ConfigLine(name, value, objectLine || string.Equals(match, "object", StringComparison.OrdinalIgnoreCase))));
                    break;
                case "update":
                    if (string.IsNullOrEmpty(name))
                    {
                        return "Problem with category, value, or line (if required)";
                    }

                    if (targets.Count == 0)
                    {
                        return "Given category does not exist";
                    }

                    var updated = false;
                    foreach (var t in targets)
                    {
                        var i = t.Lines.FindIndex(l => l.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && (string.IsNullOrEmpty(match) || l.Value.Equals(match, StringComparison.OrdinalIgnoreCase)));
                        if (i >= 0)
                        {
                            t.Lines[i] = new ConfigLine(t.Lines[i].Name, value, objectLine);
                            updated = true;
                        }
                    }

                    if (!updated)
                    {
                        return "Update did not complete successfully";
                    }

                    break;
                case "delete":
                    if (string.IsNullOrEmpty(name) && string.IsNullOrEmpty(line))
                    {
                        return "Problem with category, value, or line (if required)";
                    }

                    if (targets.Count == 0)
                    {
                        return "Given category does not exist";
                    }

                    var deleted = 0;
                    foreach (var t in targets)
                    {
                        if (int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) && string.IsNullOrEmpty(name))
                        {
                            if (at >= 0 && at < t.Lines.Count)
                            {
                                t.Lines.RemoveAt(at);
                                deleted++;
                            }
                        }
                        else
                        {
                            deleted += t.Lines.RemoveAll(l => l.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && (string.IsNullOrEmpty(match) || l.Value.Equals(match, StringComparison.OrdinalIgnoreCase)));
                        }
                    }

                    if (deleted == 0)
                    {
                        return "Update did not complete successfully";
                    }

                    break;
                default:
                    return "Unknown action command";
            }
        }

        return null;
    }

    private async Task<bool> DialplanReloadAsync(AmiMessage m)
    {
        _server.Pbx.ReloadDialplan();
        // No event on AMI (k4): only the CLI's line.
        await RespondAsync(m, "Success", ("Message", "Command output follows"), ("Output", "Dialplan reloaded.")).ConfigureAwait(false);
        return true;
    }
}
