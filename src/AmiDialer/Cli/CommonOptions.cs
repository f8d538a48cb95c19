using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary>Options several commands share, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Campaign(bool required) => new Option<string>("--campaign")
    {
        Description = "The campaign's name.",
        HelpName = "name",
        Required = required,
    }.Check(OptionValidation.CampaignName);

    public static Option<string> Format(params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = "Output format: " + string.Join(", ", formats) + ".",
            DefaultValueFactory = _ => formats[0],
        };
        return option.OneOf(formats);
    }

    public static Option<bool> Simulate() => new("--simulate")
    {
        Description = "Dial the built-in PBX simulator instead of the configured Asterisk; calls are marked simulated.",
    };

    public static Option<double?> TimeScale() => new Option<double?>("--time-scale")
    {
        Description = "With --simulate: simulated seconds per real second (calls ring and talk faster).",
        HelpName = "x",
    }.Check(x => OptionValidation.Positive(x!.Value));

    public static Option<string?> Region() => new Option<string?>("--region")
    {
        Description = "Region for numbers written without a country code (default Dialing:DefaultRegion).",
        HelpName = "ISO code",
    }.CheckText(CampaignValueParsers.Region);
}
