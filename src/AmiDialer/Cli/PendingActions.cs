using System.CommandLine;

namespace AmiDialer.Cli;

// Interim: these actions are wired to the store, engine and simulator as those land; each file replaces its class here.
internal static class Pending
{
    internal static Task<int> Action(string what) => throw new CliException($"{what}: not available in this build yet.");
}

internal static class ServeActions
{
    public static Task<int> ServeAsync(CliContext context, ParseResult parse, bool simulate, double? timeScale, string? urls, CancellationToken ct) => Pending.Action("serve");
}

