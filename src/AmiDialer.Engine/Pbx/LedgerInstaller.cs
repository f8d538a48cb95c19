using System.Globalization;
using AmiDialer.Ami;
using AmiDialer.Engine.Servers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Engine.Pbx;

/// <summary>How a write through AMI ended: done, or the error Asterisk answered and what the file holds now.</summary>
public sealed record LedgerWriteResult(bool Written, string? Error, bool FileUnchanged, string Detail);

/// <summary>
/// Installs the outcome ledger through AMI, logged in as an administrative manager user (write classes <c>config</c>
/// for GetConfig, CreateConfig, UpdateConfig and ShowDialPlan, <c>command</c> for the reload): reads
/// what is there (<see cref="InspectAsync"/>), writes amidialer.conf (<see cref="WriteAsync"/>), and reloads the
/// dialplan and checks it (<see cref="ReloadAndProbeAsync"/>). What to do in between is
/// <see cref="LedgerInstallPlan.Decide"/>'s.
/// </summary>
public sealed class LedgerInstaller(AmiClient client, string server, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Contexts only a FreePBX-generated extensions.conf has (its includes are read with it).</summary>
    private static readonly string[] FreePbxContexts = ["from-internal", "from-internal-custom", "ext-local", "macro-dial-one"];

    public async Task<LedgerPbxState> InspectAsync(CancellationToken cancellationToken)
    {
        var file = await ReadConfigAsync(LedgerConf.FileName, cancellationToken).ConfigureAwait(false);
        var probe = await LedgerProbe.ProbeAsync(client, cancellationToken).ConfigureAwait(false);
        var extensions = await ReadConfigAsync("extensions.conf", cancellationToken).ConfigureAwait(false) ?? [];
        var names = file?.Select(c => c.Name).ToList() ?? [];
        var state = file switch
        {
            null => LedgerFileState.Missing,
            { Count: 0 } => LedgerFileState.Empty,
            _ when names.Any(n => !LedgerConf.ContextNames.Contains(n, StringComparer.Ordinal)) => LedgerFileState.Foreign,
            _ when IsCurrent(file) => LedgerFileState.Current,
            _ => LedgerFileState.OtherVersion,
        };
        return new LedgerPbxState(state, names, probe, IsIncluded(extensions), extensions.Any(c => FreePbxContexts.Contains(c.Name, StringComparer.Ordinal)));
    }

    /// <summary>True when extensions.conf, read with its includes, has the ledger's contexts (amidialer.conf is included).</summary>
    public async Task<bool> IsIncludedAsync(CancellationToken cancellationToken) =>
        IsIncluded(await ReadConfigAsync("extensions.conf", cancellationToken).ConfigureAwait(false) ?? []);

    private static bool IsIncluded(List<AmiConfigCategory> extensions) =>
        extensions.Any(c => LedgerConf.ContextNames.Contains(c.Name, StringComparer.Ordinal));

    /// <summary>
    /// Writes the plan's file: CreateConfig when it is missing, then one UpdateConfig with every change (old contexts of
    /// ours deleted, ours created and filled). Asterisk applies an UpdateConfig's actions to a copy and saves nothing
    /// when one fails, so an error leaves amidialer.conf as it was; the file is read back to say so.
    /// </summary>
    public async Task<LedgerWriteResult> WriteAsync(LedgerInstallPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var before = await ReadConfigAsync(LedgerConf.FileName, cancellationToken).ConfigureAwait(false);
        if (plan.CreateFile)
        {
            try
            {
                await client.SendAsync(new AmiAction("CreateConfig").Add("Filename", LedgerConf.FileName), cancellationToken).ConfigureAwait(false);
                _logger.LedgerFileCreated(server, LedgerConf.FileName);
            }
            catch (AmiActionException e)
            {
                return new(false, $"CreateConfig {LedgerConf.FileName}: {e.Response?.Message ?? e.Message}", true, "nothing was changed");
            }
        }

        try
        {
            await client.SendAsync(UpdateAction(plan), cancellationToken).ConfigureAwait(false);
        }
        catch (AmiActionException e)
        {
            var error = $"UpdateConfig {LedgerConf.FileName}: {e.Response?.Message ?? e.Message}";
            _logger.LedgerWriteFailed(server, LedgerConf.FileName, error);
            var after = await ReadConfigAsync(LedgerConf.FileName, cancellationToken).ConfigureAwait(false);
            var unchanged = Same(before ?? [], after ?? []);
            var detail = unchanged
                ? plan.CreateFile
                    ? $"Asterisk saves nothing when an UpdateConfig action fails: {LedgerConf.FileName} is as this run created it, empty (no context; a later run reuses it, or delete it)"
                    : $"Asterisk saves nothing when an UpdateConfig action fails: {LedgerConf.FileName} is as it was ({Describe(before)}; read back)"
                : $"{LedgerConf.FileName} changed nonetheless; it now holds {Describe(after)}: look at it before running this again";
            return new(false, error, unchanged, detail);
        }

        _logger.LedgerFileWritten(server, LedgerConf.FileName, LedgerConf.Version);
        return new(true, null, false, $"{LedgerConf.FileName} written: {LedgerInstallPlan.Names(LedgerConf.ContextNames)}, version {LedgerConf.Version}");
    }

    /// <summary>Command: dialplan reload (needs the command class), then the ledger check; the reload's refusal, if any.</summary>
    public async Task<(string? ReloadError, LedgerProbeResult Probe)> ReloadAndProbeAsync(CancellationToken cancellationToken)
    {
        string? reloadError = null;
        try
        {
            await client.SendAsync(new AmiAction("Command").Add("Command", "dialplan reload"), cancellationToken).ConfigureAwait(false);
            _logger.LedgerDialplanReloaded(server);
        }
        catch (AmiActionException e)
        {
            reloadError = e.Response?.Message ?? e.Message;
        }

        return (reloadError, await LedgerProbe.ProbeAsync(client, cancellationToken).ConfigureAwait(false));
    }

    private static AmiAction UpdateAction(LedgerInstallPlan plan)
    {
        var action = new AmiAction("UpdateConfig").Add("SrcFilename", LedgerConf.FileName).Add("DstFilename", LedgerConf.FileName).Add("Reload", "no");
        var n = 0;
        string Next() => (n++).ToString("D6", CultureInfo.InvariantCulture);
        foreach (var old in plan.ReplacedContexts)
        {
            var x = Next();
            action.Add("Action-" + x, "DelCat").Add("Cat-" + x, old);
        }

        foreach (var context in LedgerConf.Contexts)
        {
            var x = Next();
            action.Add("Action-" + x, "NewCat").Add("Cat-" + x, context.Name);
            foreach (var line in context.Lines)
            {
                x = Next();
                // A value starting with '>' is written "name => value" (k4), as the dialplan is usually written.
                action.Add("Action-" + x, "Append").Add("Cat-" + x, context.Name).Add("Var-" + x, line.Name).Add("Value-" + x, ">" + line.Value);
            }
        }

        return action;
    }

    private static bool IsCurrent(List<AmiConfigCategory> file) =>
        file.Count == LedgerConf.Contexts.Count
        && LedgerConf.Contexts.All(c => file.SingleOrDefault(f => f.Name == c.Name) is { } found
            && found.Lines.SequenceEqual(c.Lines.Select(l => l.Name + "=" + l.Value), StringComparer.Ordinal));

    private static bool Same(List<AmiConfigCategory> a, List<AmiConfigCategory> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Lines.SequenceEqual(p.Second.Lines, StringComparer.Ordinal));

    private static string Describe(List<AmiConfigCategory>? file) => file switch
    {
        null => "no file",
        { Count: 0 } => "empty",
        _ => string.Join(", ", file.Select(c => $"[{c.Name}] {c.Lines.Count} line(s)")),
    };

    /// <summary>GetConfig of a file, or null when Asterisk has no such file.</summary>
    private async Task<List<AmiConfigCategory>?> ReadConfigAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            return AmiConfigCategory.Parse(await client.SendAsync(new AmiAction("GetConfig").Add("Filename", file), cancellationToken).ConfigureAwait(false));
        }
        catch (AmiActionException e) when (e.Response?.Message == "Config file not found")
        {
            return null;
        }
    }
}

/// <summary>A category of a GetConfig answer: <c>Category-NNNNNN</c> and its <c>Line-NNNNNN-NNNNNN: name=value</c> lines, in order.</summary>
public sealed record AmiConfigCategory(string Name, IReadOnlyList<string> Lines)
{
    public static List<AmiConfigCategory> Parse(AmiMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var categories = new List<(string Index, string Name, List<string> Lines)>();
        foreach (var header in response)
        {
            if (header.Key.StartsWith("Category-", StringComparison.Ordinal))
            {
                categories.Add((header.Key["Category-".Length..], header.Value, []));
            }
            else if (header.Key.StartsWith("Line-", StringComparison.Ordinal) && categories.Count > 0
                && header.Key.AsSpan("Line-".Length).StartsWith(categories[^1].Index, StringComparison.Ordinal))
            {
                categories[^1].Lines.Add(header.Value);
            }
        }

        return [.. categories.Select(c => new AmiConfigCategory(c.Name, c.Lines))];
    }
}
