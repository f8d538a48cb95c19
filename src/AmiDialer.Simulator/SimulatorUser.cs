namespace AmiDialer.Simulator;

/// <summary>One manager.conf user: name, secret and its read/write classes.</summary>
public sealed record SimulatorUser(string Username, string Secret, AmiPrivilege Read = AmiPrivilege.All, AmiPrivilege Write = AmiPrivilege.All)
{
    /// <summary>The users of the recorded test PBX: dialer/dialerpass (all) and readonly/ro (read all, write none).</summary>
    public static IReadOnlyList<SimulatorUser> TestPbxUsers { get; } =
    [
        new("dialer", "dialerpass"),
        new("readonly", "ro", AmiPrivilege.All, AmiPrivilege.None),
    ];

    /// <summary>k3's third user, <c>limited</c>/<c>limitedpass</c>: read = call,system,agent, write = call (it may not originate).</summary>
    public static SimulatorUser Limited { get; } = new("limited", "limitedpass", AmiPrivilege.Call | AmiPrivilege.System | AmiPrivilege.Agent, AmiPrivilege.Call);
}
