using AmiDialer.Data.Repositories;

namespace AmiDialer.Reports;

/// <summary>What a do-not-call removal did, in the same words on the CLI, in the API's answer and on the page.</summary>
internal static class DncRemovalText
{
    public static string Describe(string e164, DncRemoval removal, bool unblock)
    {
        var what = removal.Removed ? $"{e164} removed from the do-not-call list" : $"{e164}";
        if (unblock)
        {
            var unblocked = $"{what}; {Leads(removal.Unblocked)} unblocked";
            return removal.StillBlocked > 0 ? $"{unblocked}, {Leads(removal.StillBlocked)} still blocked by another entry of the list." : unblocked + ".";
        }

        return removal.StillBlocked > 0
            ? $"{what}; {Leads(removal.StillBlocked)} of this number {(removal.StillBlocked == 1 ? "stays" : "stay")} blocked (not unblocked)."
            : $"{what}; no lead of this number is blocked.";
    }

    private static string Leads(int count) => count == 1 ? "1 lead" : $"{count} leads";
}
