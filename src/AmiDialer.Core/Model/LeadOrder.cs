namespace AmiDialer.Core.Model;

/// <summary>Which due leads a campaign dials first when more are due than it has room for.</summary>
public enum LeadOrder
{
    /// <summary>Due retries before fresh leads (the default): a busy=2m retry is called at about 2 minutes, not after every fresh lead.</summary>
    RetriesFirst,
    /// <summary>Fresh (never dialed or requeued) leads before due retries.</summary>
    FreshFirst,
}

public static class LeadOrderNames
{
    public static string ToWireName(this LeadOrder order) => order == LeadOrder.FreshFirst ? "fresh-first" : "retries-first";

    public static bool TryParse(string? text, out LeadOrder order)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "retries-first":
                order = LeadOrder.RetriesFirst;
                return true;
            case "fresh-first":
                order = LeadOrder.FreshFirst;
                return true;
            default:
                order = LeadOrder.RetriesFirst;
                return false;
        }
    }

    /// <summary>The refusal for a value that is neither name.</summary>
    public static string Problem(string? text) => $"'{text}' is not an order: use retries-first or fresh-first.";
}
