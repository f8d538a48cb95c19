using System.Globalization;
using AmiDialer.Ami;

namespace AmiDialer.Simulator;

/// <summary>The AstDB actions, answered with the texts and shapes of k1 and k2 (Asterisk's main/db.c).</summary>
internal sealed partial class SimulatorSession
{
    private AstDb Database => _server.Pbx.Database;

    private async Task DbGetAsync(AmiMessage m)
    {
        if (await MissingFamilyOrKeyAsync(m).ConfigureAwait(false) is not var (family, key))
        {
            return;
        }

        if (Database.Get(family, key) is not { } value)
        {
            await RespondAsync(m, "Error", ("Message", "Database entry not found")).ConfigureAwait(false);
            return;
        }

        await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "Result will follow")).ConfigureAwait(false);
        // The ActionID comes last and there is no Privilege header: Asterisk appends these by hand (k1).
        Send(Message([("Event", "DBGetResponse"), ("Family", family), ("Key", key), ("Val", value), .. ActionIdHeader(m)]));
        Send(Message([("Event", "DBGetComplete"), .. ActionIdHeader(m), ("EventList", "Complete"), ("ListItems", "1")]));
    }

    private async Task DbGetTreeAsync(AmiMessage m)
    {
        var family = m["Family"];
        var key = m["Key"];
        if (string.IsNullOrEmpty(family) && !string.IsNullOrEmpty(key))
        {
            await RespondAsync(m, "Error", ("Message", "No family specified")).ConfigureAwait(false);
            return;
        }

        var entries = Database.Tree(family, key);
        await RespondAsync(m, "Success", ("EventList", "start"), ("Message", "Result will follow")).ConfigureAwait(false);
        foreach (var (path, value) in entries)
        {
            Send(Message([("Event", "DBGetTreeResponse"), ("Key", path), ("Val", value), .. ActionIdHeader(m)]));
        }

        Send(Message([("Event", "DBGetTreeComplete"), .. ActionIdHeader(m), ("EventList", "Complete"), ("ListItems", entries.Count.ToString(CultureInfo.InvariantCulture))]));
    }

    private async Task DbPutAsync(AmiMessage m)
    {
        if (await MissingFamilyOrKeyAsync(m).ConfigureAwait(false) is not var (family, key))
        {
            return;
        }

        Database.Put(family, key, m["Val"] ?? "");
        await RespondAsync(m, "Success", ("Message", "Updated database successfully")).ConfigureAwait(false);
    }

    private async Task DbDelAsync(AmiMessage m)
    {
        if (await MissingFamilyOrKeyAsync(m).ConfigureAwait(false) is not var (family, key))
        {
            return;
        }

        await (Database.Delete(family, key)
            ? RespondAsync(m, "Success", ("Message", "Key deleted successfully"))
            : RespondAsync(m, "Error", ("Message", "Database entry could not be deleted"))).ConfigureAwait(false);
    }

    private async Task DbDelTreeAsync(AmiMessage m)
    {
        var family = m["Family"];
        if (string.IsNullOrEmpty(family))
        {
            await RespondAsync(m, "Error", ("Message", "No family specified.")).ConfigureAwait(false);
            return;
        }

        await (Database.DeleteTree(family, m["Key"]) > 0
            ? RespondAsync(m, "Success", ("Message", "Key tree deleted successfully"))
            : RespondAsync(m, "Error", ("Message", "Database entry not found"))).ConfigureAwait(false);
    }

    private async Task<(string Family, string Key)?> MissingFamilyOrKeyAsync(AmiMessage m)
    {
        var family = m["Family"];
        var key = m["Key"];
        if (string.IsNullOrEmpty(family))
        {
            await RespondAsync(m, "Error", ("Message", "No family specified.")).ConfigureAwait(false);
            return null;
        }

        if (string.IsNullOrEmpty(key))
        {
            await RespondAsync(m, "Error", ("Message", "No key specified.")).ConfigureAwait(false);
            return null;
        }

        return (family, key);
    }

    private static (string, string)[] ActionIdHeader(AmiMessage m) => m.ActionId is { } id ? [("ActionID", id)] : [];
}
