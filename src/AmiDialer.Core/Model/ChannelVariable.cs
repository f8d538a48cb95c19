namespace AmiDialer.Core.Model;

/// <summary>
/// A channel variable set on every call of a campaign: either a constant, or the value of a lead field.
/// Exactly one of <see cref="Value"/> and <see cref="Field"/> is set.
/// </summary>
public sealed record ChannelVariable(string Name, string? Value, string? Field);
