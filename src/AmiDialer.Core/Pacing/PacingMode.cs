namespace AmiDialer.Core.Pacing;

/// <summary>How a campaign decides how many calls to place (issue #26): the policy the engine asks.</summary>
public enum PacingMode
{
    /// <summary>The campaign's concurrency and calls per second, whoever is free to take the answered calls.</summary>
    Fixed,
    /// <summary>One call in flight per free agent of the campaign's queue (times its ratio), within the fixed caps.</summary>
    Progressive,
    /// <summary>Calls placed so that an agent is expected to be free when a callee answers, from measured rates.</summary>
    Predictive,
}

public static class PacingModeNames
{
    public static string ToWireName(this PacingMode mode) => mode switch
    {
        PacingMode.Progressive => "progressive",
        PacingMode.Predictive => "predictive",
        _ => "fixed",
    };

    public static bool TryParse(string? text, out PacingMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "fixed":
                mode = PacingMode.Fixed;
                return true;
            case "progressive":
                mode = PacingMode.Progressive;
                return true;
            case "predictive":
                mode = PacingMode.Predictive;
                return true;
            default:
                mode = PacingMode.Fixed;
                return false;
        }
    }

    /// <summary>Every mode's wire name, for messages that list the allowed values.</summary>
    public static IReadOnlyList<string> WireNames { get; } = ["fixed", "progressive", "predictive"];
}
