using System.Globalization;

namespace AmiDialer.Core.Cluster;

/// <summary>How a server's calls read wherever the cluster's figure and this node's both matter.</summary>
public static class ServerUse
{
    /// <summary>
    /// "12 of 40 in use, 5 by this node": the cluster's open calls on the server, its cap in force (omitted when not
    /// known), this node's own calls (omitted when this process runs no engine or does not dial the server).
    /// </summary>
    public static string Describe(long calls, int? cap, int? thisNode) =>
        string.Create(CultureInfo.InvariantCulture, $"{calls}{(cap is { } c ? $" of {c}" : "")} in use{(thisNode is { } t ? $", {t} by this node" : "")}");

    /// <summary>Call slots left: the cap less every node's open calls, never below zero.</summary>
    public static long Free(int cap, long calls) => Math.Max(0, cap - calls);
}
