using System.CommandLine;
using AmiDialer.Ami;
using AmiDialer.Configuration;
using AmiDialer.Engine.Pbx;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Cli;

/// <summary>
/// What <c>pbx install-ledger</c> does. Without --apply it only prints. With --apply it logs in as the administrative
/// user, reads what is there, says what it will change and asks, writes amidialer.conf, and either prints the
/// <c>#include</c> line to add (AMI cannot) and stops, or reloads the dialplan and runs the ledger check. Exit 0 only
/// when the ledger check passes at the end (or nothing was asked but printing).
/// </summary>
internal static class PbxActions
{
    public const string SecretVariable = "AMIDIALER_ADMIN_SECRET";

    public sealed record InstallRequest(string? Server, bool Apply, string? AdminUser, FileInfo? AdminSecretFile, bool Yes, bool FreePbx);

    public static async Task<int> InstallLedgerAsync(CliContext context, ParseResult parse, InstallRequest request, CancellationToken ct)
    {
        var output = context.Output;
        if (!request.Apply)
        {
            if (request.AdminUser is not null || request.AdminSecretFile is not null || request.Yes)
            {
                throw CliException.Usage("pbx install-ledger: --admin-user, --admin-secret-file and --yes go with --apply.");
            }

            await PrintAsync(output, request.FreePbx, request.Server);
            return AmiDialerCli.Success;
        }

        if (string.IsNullOrWhiteSpace(request.Server))
        {
            throw CliException.Usage("pbx install-ledger --apply: say which AMI server with --server <name> (Ami:Servers:n:Name).");
        }

        if (string.IsNullOrWhiteSpace(request.AdminUser))
        {
            throw CliException.Usage("pbx install-ledger --apply: say which manager user to log in as with --admin-user (one with write = config,command).");
        }

        var settings = AmiDialerCli.LoadSettings(parse, SettingsUse.None);
        var server = settings.Ami.Servers.FirstOrDefault(s => string.Equals(s.Name, request.Server, StringComparison.Ordinal))
            ?? throw CliException.Usage($"pbx install-ledger: no AMI server named '{request.Server}' (Ami:Servers: {string.Join(", ", settings.Ami.Servers.Select(s => s.Name))}).");
        var secret = await ReadSecretAsync(request.AdminSecretFile, ct);
        if (request.FreePbx)
        {
            // Nothing is written on a managed dialplan: no need to log in at all.
            await PrintAsync(output, freePbx: true, server.Name);
            return AmiDialerCli.Success;
        }

        var loggerFactory = context.ServicesOptions.LoggerFactory;
        await using var client = new AmiClient(
            new AmiClientOptions
            {
                Host = server.Host,
                Port = server.Port,
                Username = request.AdminUser,
                Secret = secret,
                Auth = server.Auth == AmiAuthKind.Plain ? AmiAuthMethod.Plain : AmiAuthMethod.Md5,
                UseTls = server.UseTls,
                EventMask = "off",
            },
            loggerFactory?.CreateLogger<AmiClient>());
        await ConnectOnceAsync(client, server, request.AdminUser, ct);
        await output.WriteLineAsync($"Logged in to {server.Name} ({server.Host}:{server.Port}) as {request.AdminUser}.");

        try
        {
            return await InstallAsync(context, request, server, client, ct);
        }
        catch (AmiActionException e) when (e.Response?.Message == "Permission denied")
        {
            throw new CliException($"pbx install-ledger: Asterisk refused {e.Action} to {request.AdminUser}: Permission denied. In manager.conf give {request.AdminUser} "
                + "the write classes config (GetConfig, CreateConfig, UpdateConfig, ShowDialPlan) and command (dialplan reload), then `manager reload`.", inner: e);
        }
    }

    private static async Task<int> InstallAsync(CliContext context, InstallRequest request, AmiServerSettings server, AmiClient client, CancellationToken ct)
    {
        var output = context.Output;
        var installer = new LedgerInstaller(client, server.Name, context.ServicesOptions.LoggerFactory?.CreateLogger("AmiDialer.Pbx"));
        var state = await installer.InspectAsync(ct);
        await output.WriteLineAsync($"Found: {Describe(state)}.");
        var plan = LedgerInstallPlan.Decide(state, freePbx: false);
        switch (plan.Action)
        {
            case LedgerInstallAction.PrintForFreePbx:
                await output.WriteLineAsync(plan.Reason + ".");
                await PrintAsync(output, freePbx: true, server.Name);
                return AmiDialerCli.Success;
            case LedgerInstallAction.Refuse:
                await output.WriteLineAsync(LedgerConf.Text);
                throw new CliException($"pbx install-ledger: refused: {plan.Reason}. Nothing was changed.");
            case LedgerInstallAction.NothingToDo:
                await output.WriteLineAsync($"Nothing to do: {plan.Reason}.");
                await RemindSettingAsync(output, server);
                return AmiDialerCli.Success;
        }

        await output.WriteLineAsync($"On {server.Name} this will:");
        foreach (var change in plan.Changes)
        {
            await output.WriteLineAsync("  - " + change);
        }

        if (!request.Yes && !await ConfirmAsync(context, ct))
        {
            await output.WriteLineAsync("Nothing was changed (not confirmed; --yes skips the question).");
            return AmiDialerCli.Failure;
        }

        if (plan.WriteFile)
        {
            var written = await installer.WriteAsync(plan, ct);
            if (!written.Written)
            {
                throw new CliException($"pbx install-ledger: {written.Error}. {written.Detail}.");
            }

            await output.WriteLineAsync(written.Detail + ".");
        }

        if (!state.Included && !await installer.IsIncludedAsync(ct))
        {
            await output.WriteLineAsync($"Asterisk does not load {LedgerConf.FileName} yet, and AMI cannot add the line that makes it. Add it at the end of /etc/asterisk/extensions.conf:");
            await output.WriteLineAsync();
            await output.WriteLineAsync(LedgerConf.IncludeLine);
            await output.WriteLineAsync();
            await output.WriteLineAsync($"then run this command again: it reloads the dialplan and checks the ledger.");
            return AmiDialerCli.Failure;
        }

        var (reloadError, probe) = await installer.ReloadAndProbeAsync(ct);
        if (reloadError is not null)
        {
            await output.WriteLineAsync($"The dialplan reload was refused ({reloadError}): give {request.AdminUser} the command write class, or run `asterisk -rx 'dialplan reload'` on the PBX.");
        }
        else
        {
            await output.WriteLineAsync("Dialplan reloaded.");
        }

        await output.WriteLineAsync($"Ledger check: {probe.Message}.");
        if (!probe.IsInstalled)
        {
            return AmiDialerCli.Failure;
        }

        await RemindSettingAsync(output, server);
        return AmiDialerCli.Success;
    }

    private static async Task PrintAsync(TextWriter output, bool freePbx, string? server)
    {
        if (freePbx)
        {
            await output.WriteLineAsync($"FreePBX manages its dialplan files: paste this at the end of /etc/asterisk/extensions_custom.conf (FreePBX includes it and keeps it), then run `fwconsole reload`:");
        }
        else
        {
            await output.WriteLineAsync($"The outcome ledger, version {LedgerConf.Version}. Save it as /etc/asterisk/{LedgerConf.FileName}, add the line `{LedgerConf.IncludeLine}` at the end of /etc/asterisk/extensions.conf, and run `asterisk -rx 'dialplan reload'`");
            await output.WriteLineAsync($"(or let `amidialer pbx install-ledger --server {server ?? "<name>"} --apply --admin-user <user>` write it through AMI):");
        }

        await output.WriteLineAsync();
        await output.WriteAsync(LedgerConf.Text);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Then set Ami:Servers:n:Ledger to true for {(server is null ? "that server" : "server " + server)}: calls are dialed through [{LedgerConf.ContextNames[0]}].");
    }

    private static async Task RemindSettingAsync(TextWriter output, AmiServerSettings server)
    {
        if (!server.Ledger)
        {
            await output.WriteLineAsync($"Set Ami:Servers:n:Ledger to true for server {server.Name} so calls are dialed through the ledger.");
        }
    }

    private static string Describe(LedgerPbxState state)
    {
        var file = state.File switch
        {
            LedgerFileState.Missing => $"no {LedgerConf.FileName}",
            LedgerFileState.Empty => $"{LedgerConf.FileName} empty",
            LedgerFileState.Current => $"{LedgerConf.FileName} with the ledger version {LedgerConf.Version}",
            LedgerFileState.OtherVersion => $"{LedgerConf.FileName} with other ledger contexts ({LedgerInstallPlan.Names(state.FileCategories)})",
            _ => $"{LedgerConf.FileName} with other contexts ({LedgerInstallPlan.Names(state.FileCategories)})",
        };
        // An include is seen through the contexts it brings in: a missing or empty file brings none.
        var included = state.Included ? "extensions.conf includes it"
            : state.File is LedgerFileState.Missing or LedgerFileState.Empty ? "whether extensions.conf includes it shows once it has contexts"
            : "extensions.conf does not include it";
        return $"{file}; {state.Probe.Message}; {included}";
    }

    private static async Task<bool> ConfirmAsync(CliContext context, CancellationToken ct)
    {
        await context.Output.WriteAsync("Proceed? [y/N] ");
        await context.Output.FlushAsync(ct);
        var answer = (await context.Input.ReadLineAsync(ct))?.Trim();
        await context.Output.WriteLineAsync();
        return answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The admin secret from the file (first line) or the environment; never from the command line, never printed.</summary>
    private static async Task<string> ReadSecretAsync(FileInfo? file, CancellationToken ct)
    {
        if (file is not null)
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file.FullName, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"pbx install-ledger: cannot read --admin-secret-file {file.FullName}: {e.Message}");
            }

            var line = text.Split('\n')[0].TrimEnd('\r');
            return line.Length > 0 ? line : throw new CliException($"pbx install-ledger: --admin-secret-file {file.FullName} is empty.");
        }

        return Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } secret
            ? secret
            : throw CliException.Usage($"pbx install-ledger --apply: give the admin user's secret in a file (--admin-secret-file) or in the {SecretVariable} environment variable.");
    }

    /// <summary>Logs in once: the first failure (refused, unreachable, wrong secret) ends the command instead of retrying.</summary>
    private static async Task ConnectOnceAsync(AmiClient client, AmiServerSettings server, string user, CancellationToken ct)
    {
        // Watch before starting, so a failure that comes at once is not missed (the next try would be 30 s later).
        await using var states = client.WatchStateAsync(ct).GetAsyncEnumerator(ct);
        var started = false;
        while (await states.MoveNextAsync())
        {
            var state = states.Current;
            if (!started)
            {
                client.Start();
                started = true;
            }

            switch (state.Status)
            {
                case AmiConnectionStatus.Connected:
                    return;
                case AmiConnectionStatus.Disconnected when state.Error is not null:
                    throw new CliException($"pbx install-ledger: could not log in to {server.Name} ({server.Host}:{server.Port}) as {user}: {state.Reason}");
            }
        }
    }
}
