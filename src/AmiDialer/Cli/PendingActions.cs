using System.CommandLine;

namespace AmiDialer.Cli;

// Interim: these actions are wired to the store, engine and simulator as those land; each file replaces its class here.
internal static class Pending
{
    internal static Task<int> Action(string what) => throw new CliException($"{what}: not available in this build yet.");
}

internal static class ImportActions
{
    public static Task<int> ImportAsync(CliContext context, ParseResult parse, ImportRequest request, CancellationToken ct) => Pending.Action("import");
}

internal static class DncActions
{
    public static Task<int> AddAsync(CliContext context, ParseResult parse, string[] numbers, string? campaign, string? region, CancellationToken ct) => Pending.Action("dnc add");
    public static Task<int> RemoveAsync(CliContext context, ParseResult parse, string[] numbers, string? campaign, string? region, CancellationToken ct) => Pending.Action("dnc remove");
    public static Task<int> ImportAsync(CliContext context, ParseResult parse, FileInfo file, string? campaign, string? region, CancellationToken ct) => Pending.Action("dnc import");
    public static Task<int> ListAsync(CliContext context, ParseResult parse, string? campaign, string format, CancellationToken ct) => Pending.Action("dnc list");
}

internal static class RunActions
{
    public static Task<int> RunAsync(CliContext context, ParseResult parse, string? campaign, bool simulate, double? timeScale, CancellationToken ct) => Pending.Action("run");
}

internal static class ServeActions
{
    public static Task<int> ServeAsync(CliContext context, ParseResult parse, bool simulate, double? timeScale, string? urls, CancellationToken ct) => Pending.Action("serve");
}

internal static class SimulateActions
{
    public static Task<int> SimulateAsync(CliContext context, string host, int port, double timeScale, CancellationToken ct) => Pending.Action("simulate");
}
