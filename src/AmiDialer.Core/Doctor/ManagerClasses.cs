namespace AmiDialer.Core.Doctor;

/// <summary>
/// Which <c>manager.conf</c> class lets a user run each action the dialer sends. Asterisk registers every action with
/// the write classes that allow it (any one suffices); ListCommands shows them as <c>(Priv: system,call,all)</c> and
/// lists only the actions the user's <c>write</c> classes allow (k3). A read class cannot be listed: it is seen from
/// the events that arrive (<c>system</c>: FullyBooted right after the login; <c>call</c>: channel events).
/// </summary>
public static class ManagerClasses
{
    /// <summary>Action → the write classes any one of which allows it (Asterisk's registrations, as k3 listed them).</summary>
    public static IReadOnlyDictionary<string, string[]> WriteClasses { get; } = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["Originate"] = ["originate"],
        ["Redirect"] = ["call"],
        ["Hangup"] = ["system", "call"],
        ["CoreShowChannels"] = ["system", "reporting"],
        ["DBGet"] = ["system", "reporting"],
        ["DBDel"] = ["system"],
        ["ShowDialPlan"] = ["config", "reporting"],
        ["Command"] = ["command"],
        ["QueuePause"] = ["agent"],
    };

    /// <summary>
    /// The class to add for an action: the narrowest one that also fits the README's user (write = call,originate,
    /// reporting,system), never <c>config</c> or <c>command</c>, which the dialer's own user should not hold.
    /// </summary>
    public static string ClassToAdd(string action) => action.ToUpperInvariant() switch
    {
        "HANGUP" => "call",
        "CORESHOWCHANNELS" or "SHOWDIALPLAN" => "reporting",
        "DBGET" => "system",
        _ => WriteClasses.TryGetValue(action, out var classes) ? classes[0] : throw new ArgumentException($"No class known for action {action}.", nameof(action)),
    };

    /// <summary>
    /// The actions a ListCommands response lists (its headers are <c>Action: Synopsis  (Priv: classes)</c>), with their
    /// classes (<c>&lt;none&gt;</c> and <c>all</c> left out). Other headers (Response, ActionID) are skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> ParseListCommands(IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var result = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            var at = value.LastIndexOf("(Priv:", StringComparison.Ordinal);
            if (at < 0 || !value.EndsWith(')'))
            {
                continue;
            }

            var classes = value[(at + "(Priv:".Length)..^1]
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(c => c is not "<none>" and not "all")
                .ToArray();
            result[name] = classes;
        }

        return result;
    }
}

/// <summary>An action the configuration makes the dialer send, why, and whether a campaign's calls fail without it.</summary>
public sealed record NeededAction(string Action, string Why, bool Blocking);

/// <summary>What the dialer sends, given how it is configured.</summary>
public static class DialerActions
{
    /// <summary>
    /// Every action the dialer may send to a server: Originate always (the calls), Hangup (a call whose Originate got no
    /// answer in time, click-to-call hang-up), CoreShowChannels (after each login, so no call is taken for gone or
    /// dialed twice), Redirect (transfers, on-answer redirects); on a ledger server DBGet/DBDel (outcomes read back
    /// and deleted once stored) and ShowDialPlan (its ledger check at each login).
    /// </summary>
    public static IReadOnlyList<NeededAction> Needed(bool ledger)
    {
        var list = new List<NeededAction>
        {
            new("Originate", "places every call", Blocking: true),
            new("Hangup", "hangs up a call whose Originate got no answer in time, and click-to-calls on request", Blocking: false),
            new("CoreShowChannels", "checks the calls it follows against Asterisk after each login", Blocking: false),
            new("Redirect", "transfers and on-answer redirects", Blocking: false),
        };
        if (ledger)
        {
            list.Add(new("DBGet", "reads the ledger's outcome of calls that ended while no dialer watched", Blocking: false));
            list.Add(new("DBDel", "deletes ledger keys once their outcome is stored", Blocking: false));
            list.Add(new("ShowDialPlan", "checks the ledger dialplan at each login", Blocking: false));
        }

        return list;
    }

    /// <summary>
    /// The needed actions a user's ListCommands does not list, each with the class to add in manager.conf. An action
    /// listed under another name case is found (Asterisk compares action names without case).
    /// </summary>
    public static IReadOnlyList<(NeededAction Need, string ClassToAdd)> Missing(IReadOnlyList<NeededAction> needed, IReadOnlyDictionary<string, string[]> listed)
    {
        ArgumentNullException.ThrowIfNull(needed);
        ArgumentNullException.ThrowIfNull(listed);
        return [.. needed.Where(n => !listed.ContainsKey(n.Action)).Select(n => (n, ManagerClasses.ClassToAdd(n.Action)))];
    }
}
