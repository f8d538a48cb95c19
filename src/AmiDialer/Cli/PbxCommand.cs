using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>pbx install-ledger</c>: the outcome ledger's dialplan, printed, or installed through AMI as an administrative user.</summary>
internal static class PbxCommand
{
    public static Command Build(CliContext context)
    {
        var server = new Option<string?>("--server")
        {
            Description = "The AMI server (Ami:Servers:n:Name) to install on; needed with --apply.",
            HelpName = "name",
        };
        var apply = new Option<bool>("--apply")
        {
            Description = "Install through AMI: CreateConfig and UpdateConfig write amidialer.conf (only the ledger's contexts), then, once extensions.conf includes it, dialplan reload and the ledger check.",
        };
        var adminUser = new Option<string?>("--admin-user")
        {
            Description = "With --apply: the manager user to log in as (write = config,command in manager.conf); not the dialer's own user.",
            HelpName = "user",
        };
        var adminSecretFile = new Option<FileInfo?>("--admin-secret-file")
        {
            Description = "With --apply: a file whose first line is that user's secret (else the AMIDIALER_ADMIN_SECRET environment variable). Never given on the command line.",
            HelpName = "file",
        };
        var yes = new Option<bool>("--yes")
        {
            Description = "With --apply: do not ask for confirmation before changing the PBX.",
        };
        var freePbx = new Option<bool>("--freepbx")
        {
            Description = "The PBX's dialplan is managed by FreePBX: print the snippet for extensions_custom.conf and write nothing (also detected with --apply).",
        };

        var install = new Command("install-ledger", "Print the outcome ledger's dialplan (versioned) and where to put it, or with --apply install it through AMI.");
        install.Options.Add(server);
        install.Options.Add(apply);
        install.Options.Add(adminUser);
        install.Options.Add(adminSecretFile);
        install.Options.Add(yes);
        install.Options.Add(freePbx);
        install.SetAction((parse, ct) => PbxActions.InstallLedgerAsync(context, parse, new PbxActions.InstallRequest(
            parse.GetValue(server), parse.GetValue(apply), parse.GetValue(adminUser), parse.GetValue(adminSecretFile), parse.GetValue(yes), parse.GetValue(freePbx)), ct));

        var pbx = new Command("pbx", "Set up the PBX for AmiDialer.");
        pbx.Subcommands.Add(install);
        return pbx;
    }
}
