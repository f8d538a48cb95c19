using System.Globalization;
using AmiDialer.Ami;

namespace AmiDialer.Engine.Servers;

/// <summary>What <see cref="LedgerProbe"/> found on a PBX.</summary>
public enum LedgerStatus
{
    /// <summary>All three contexts are there, at the version this dialer dials through.</summary>
    Installed,

    /// <summary>One or more of the contexts do not exist (never installed, not <c>#include</c>d, or not reloaded).</summary>
    Missing,

    /// <summary>The contexts exist but hold another version (or none): the variables and keys may not be the ones this dialer reads.</summary>
    WrongVersion,

    /// <summary>Asterisk refused <c>ShowDialPlan</c> to this user, so nothing could be checked.</summary>
    Unverified,
}

/// <summary>
/// The ledger as found: its status, the contexts missing, the version read off each wrapper context's
/// <c>NoOp(amidialer-ledger vN)</c> (null when it has none), and one sentence saying what was found and how to fix it.
/// </summary>
public sealed record LedgerProbeResult(LedgerStatus Status, IReadOnlyList<string> MissingContexts, IReadOnlyDictionary<string, int?> Versions, string Message)
{
    public bool IsInstalled => Status == LedgerStatus.Installed;
}

/// <summary>
/// Checks, over a logged-in AMI connection and without side effects, that the PBX has the outcome ledger dialplan this
/// dialer dials through: <c>ShowDialPlan</c> of <c>[amidialer-dial]</c>, <c>[amidialer-c2c]</c> and
/// <c>[amidialer-ledger]</c> (k3: a missing context answers <c>Did not find context NAME</c>), and the version in the
/// wrappers' <c>NoOp(amidialer-ledger vN)</c> line. <c>ShowDialPlan</c> needs the <c>reporting</c> (or <c>config</c>)
/// write class; without it the result is <see cref="LedgerStatus.Unverified"/>.
/// </summary>
public static class LedgerProbe
{
    /// <summary>The contexts of the ledger dialplan, in the order they are checked.</summary>
    public static IReadOnlyList<string> Contexts { get; } = [LedgerDialplan.DialContext, LedgerDialplan.ClickToCallContext, LedgerDialplan.HandlerContext];

    /// <summary>The version this dialer needs (<c>NoOp(amidialer-ledger v1)</c>).</summary>
    public static int ExpectedVersion => LedgerDialplan.Version;

    // Where the text of the dialplan is and what makes Asterisk load it (k4: a file not #included is never loaded).
    private const string WhereFrom = "(`amidialer pbx install-ledger` prints it; README, \"The outcome ledger\") in extensions.conf or a file it #includes, then `dialplan reload`";

    /// <summary>
    /// Runs the check. Errors of the link itself (not connected, timeout, connection lost) are thrown as the client's
    /// <see cref="AmiException"/>s: they say nothing about the dialplan.
    /// </summary>
    public static async Task<LedgerProbeResult> ProbeAsync(AmiClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var found = new Dictionary<string, IReadOnlyList<DialplanLine>?>(StringComparer.Ordinal);
        foreach (var context in Contexts)
        {
            try
            {
                var list = await client.SendListAsync(new AmiAction("ShowDialPlan").Add("Context", context), cancellationToken).ConfigureAwait(false);
                found[context] = [.. list.Items.Where(m => m.IsEventNamed("ListDialplan")).Select(DialplanLine.From)];
            }
            catch (AmiActionException e) when (IsMissingContext(e))
            {
                found[context] = null;
            }
            catch (AmiActionException e)
            {
                // "Permission denied": the user lacks the reporting/config write class; nothing else is known.
                return new LedgerProbeResult(LedgerStatus.Unverified, [], new Dictionary<string, int?>(),
                    $"could not check the ledger dialplan: ShowDialPlan {context} was refused ({e.Message}); add `reporting` to the manager user's write classes in manager.conf");
            }
        }

        return Judge(found);
    }

    /// <summary>The verdict on what ShowDialPlan listed per context (null: the context does not exist).</summary>
    internal static LedgerProbeResult Judge(IReadOnlyDictionary<string, IReadOnlyList<DialplanLine>?> found)
    {
        var missing = Contexts.Where(c => !found.TryGetValue(c, out var lines) || lines is null).ToList();
        var versions = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var wrapper in new[] { LedgerDialplan.DialContext, LedgerDialplan.ClickToCallContext })
        {
            if (found.TryGetValue(wrapper, out var lines) && lines is not null)
            {
                versions[wrapper] = VersionOf(lines);
            }
        }

        if (missing.Count > 0)
        {
            var which = missing.Count == Contexts.Count
                ? "not installed (no context " + string.Join(", ", missing) + ")"
                : "incomplete: no context " + string.Join(", ", missing);
            return new LedgerProbeResult(LedgerStatus.Missing, missing, versions, $"ledger dialplan {which}; install version {LedgerDialplan.Version} {WhereFrom}");
        }

        var wrong = versions.Where(v => v.Value != LedgerDialplan.Version).ToList();
        if (wrong.Count > 0)
        {
            var what = string.Join("; ", wrong.Select(v => v.Value is { } n
                ? $"{v.Key} is version {n.ToString(CultureInfo.InvariantCulture)}"
                : $"{v.Key} has no NoOp({LedgerDialplan.VersionPrefix}N) line"));
            return new LedgerProbeResult(LedgerStatus.WrongVersion, [], versions,
                $"ledger dialplan is not version {LedgerDialplan.Version}: {what}; replace it with version {LedgerDialplan.Version} {WhereFrom}");
        }

        if (!found[LedgerDialplan.HandlerContext]!.Any(l => l.Extension == "s" && l.Priority == 1))
        {
            return new LedgerProbeResult(LedgerStatus.WrongVersion, [], versions,
                $"ledger dialplan is not version {LedgerDialplan.Version}: {LedgerDialplan.HandlerContext} has no s,1 (the hangup handler the wrappers push); replace it with version {LedgerDialplan.Version} {WhereFrom}");
        }

        return new LedgerProbeResult(LedgerStatus.Installed, [], versions,
            $"ledger dialplan version {LedgerDialplan.Version} installed ({string.Join(", ", Contexts)})");
    }

    /// <summary>The N of the first <c>NoOp(amidialer-ledger vN)</c>, or null when the context has none.</summary>
    private static int? VersionOf(IReadOnlyList<DialplanLine> lines)
    {
        foreach (var line in lines)
        {
            if (string.Equals(line.Application, "NoOp", StringComparison.OrdinalIgnoreCase)
                && line.AppData.Trim().StartsWith(LedgerDialplan.VersionPrefix, StringComparison.Ordinal)
                && int.TryParse(line.AppData.Trim()[LedgerDialplan.VersionPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                return version;
            }
        }

        return null;
    }

    // k3: "Did not find context nosuchcontext".
    private static bool IsMissingContext(AmiActionException e) =>
        e.Message.StartsWith("Did not find context", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One priority as ShowDialPlan lists it (a <c>ListDialplan</c> event).</summary>
internal readonly record struct DialplanLine(string Extension, int Priority, string Application, string AppData)
{
    public static DialplanLine From(AmiMessage m) => new(
        m.Get("Extension") ?? "",
        int.TryParse(m.Get("Priority"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0,
        m.Get("Application") ?? "",
        m.Get("AppData") ?? "");
}
