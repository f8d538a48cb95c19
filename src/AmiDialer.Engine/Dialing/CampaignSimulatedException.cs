namespace AmiDialer.Engine;

/// <summary>
/// A real engine was asked to dial a campaign the simulator dialed: its leads' results came from simulated calls,
/// so an operator decides first (<c>amidialer campaign requeue NAME --simulated</c>).
/// </summary>
public sealed class CampaignSimulatedException : Exception
{
    public CampaignSimulatedException()
    {
    }

    public CampaignSimulatedException(string message)
        : base(message)
    {
    }

    public CampaignSimulatedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refusal, with what to do about it.</summary>
    public static string Explain(string campaignName) =>
        $"Campaign '{campaignName}' was dialed by the simulator (--simulate), so a real engine does not dial it: its results are not real calls. " +
        $"To dial it for real, requeue it first: amidialer campaign requeue {Quote(campaignName)} --simulated";

    private static string Quote(string name) => name.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? $"\"{name.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : name;
}
