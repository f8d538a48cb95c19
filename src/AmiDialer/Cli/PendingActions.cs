using System.CommandLine;

namespace AmiDialer.Cli;

// Interim: these actions are wired to the store, engine and simulator as those land; each file replaces its class here.
internal static class CampaignActions
{
    public static Task<int> CreateAsync(CliContext context, ParseResult parse, string name, CampaignOptions options, CancellationToken ct) => Pending("campaign create");
    public static Task<int> UpdateAsync(CliContext context, ParseResult parse, string name, CampaignOptions options, CancellationToken ct) => Pending("campaign update");
    public static Task<int> ListAsync(CliContext context, ParseResult parse, string format, CancellationToken ct) => Pending("campaign list");
    public static Task<int> ShowAsync(CliContext context, ParseResult parse, string name, string format, CancellationToken ct) => Pending("campaign show");
    public static Task<int> ControlAsync(CliContext context, ParseResult parse, string name, string verb, CancellationToken ct) => Pending("campaign " + verb);
    internal static Task<int> Pending(string what) => throw new CliException($"{what}: not available in this build yet.");
}

internal static class ImportActions
{
    public static Task<int> ImportAsync(CliContext context, ParseResult parse, ImportRequest request, CancellationToken ct) => CampaignActions.Pending("import");
}

internal static class ReportActions
{
    public static Task<int> ReportAsync(CliContext context, ParseResult parse, string campaign, string format, bool leads, FileInfo? output, CancellationToken ct) => CampaignActions.Pending("report");
}

internal static class DncActions
{
    public static Task<int> AddAsync(CliContext context, ParseResult parse, string[] numbers, string? campaign, string? region, CancellationToken ct) => CampaignActions.Pending("dnc add");
    public static Task<int> RemoveAsync(CliContext context, ParseResult parse, string[] numbers, string? campaign, string? region, CancellationToken ct) => CampaignActions.Pending("dnc remove");
    public static Task<int> ImportAsync(CliContext context, ParseResult parse, FileInfo file, string? campaign, string? region, CancellationToken ct) => CampaignActions.Pending("dnc import");
    public static Task<int> ListAsync(CliContext context, ParseResult parse, string? campaign, string format, CancellationToken ct) => CampaignActions.Pending("dnc list");
}

internal static class RunActions
{
    public static Task<int> RunAsync(CliContext context, ParseResult parse, string? campaign, bool simulate, double? timeScale, CancellationToken ct) => CampaignActions.Pending("run");
}

internal static class ServeActions
{
    public static Task<int> ServeAsync(CliContext context, ParseResult parse, bool simulate, double? timeScale, string? urls, CancellationToken ct) => CampaignActions.Pending("serve");
}

internal static class SimulateActions
{
    public static Task<int> SimulateAsync(CliContext context, string host, int port, double timeScale, CancellationToken ct) => CampaignActions.Pending("simulate");
}
