using System.Globalization;
using AmiDialer.Core.Outcomes;

namespace AmiDialer.Engine.Servers;

/// <summary>
/// The outcome ledger, version 1, as a server that has it installed (<c>Ami:Servers[n]:Ledger</c>) is dialed: the
/// names below are the dialplan's (README), which PBXs that install it depend on, so they never change within a version.
/// A campaign call's Originate rings <c>Local/&lt;digits&gt;@amidialer-dial/n</c>, whose second half runs the campaign's
/// dial string in <c>Dial()</c> under a hangup handler that writes <c>DIALSTATUS|HANGUPCAUSE|ANSWEREDTIME|EPOCH</c> to
/// AstDB <c>amidialer/&lt;ChannelId&gt;</c>. A click-to-call's agent runs <c>[amidialer-c2c]</c> once it answers, which
/// dials the customer the same way and writes <c>amidialer/&lt;ChannelId&gt;-customer</c>.
/// </summary>
internal static class LedgerDialplan
{
    /// <summary>The version this dialer dials through: the <c>NoOp(amidialer-ledger vN)</c> line of the wrapper contexts.</summary>
    public const int Version = 1;

    public const string DialContext = "amidialer-dial";
    public const string ClickToCallContext = "amidialer-c2c";

    /// <summary>The hangup handler's context: it only runs as <c>amidialer-ledger,s,1</c>, pushed by the wrappers.</summary>
    public const string HandlerContext = "amidialer-ledger";

    /// <summary>The NoOp argument that names a version, e.g. <c>amidialer-ledger v1</c>.</summary>
    public const string VersionPrefix = "amidialer-ledger v";
    public const string Family = "amidialer";
    public const string CustomerSuffix = "-customer";
    public const string AttemptVariable = "AMIDIALER_ATTEMPT";
    public const string DialStringVariable = "AMIDIALER_DIALSTRING";
    public const string RingVariable = "AMIDIALER_RING";

    /// <summary>
    /// Added to the ring time for the Originate's own Timeout: Dial's timeout (the ring) ends an unanswered call first, so
    /// the ledger says NOANSWER rather than the CANCEL an Originate timeout would leave.
    /// </summary>
    public static readonly TimeSpan OriginateMargin = TimeSpan.FromSeconds(5);

    /// <summary>The AstDB key (in <see cref="Family"/>) holding the outcome of the call with this ChannelId.</summary>
    public static string KeyOf(string channelId, CallKind kind) => kind == CallKind.ClickToCall ? channelId + CustomerSuffix : channelId;

    /// <summary>A campaign call's Originate through <c>[amidialer-dial]</c>; <paramref name="direct"/> is the call as dialed without the ledger.</summary>
    public static OriginateRequest Campaign(OriginateRequest direct, string digits) => direct with
    {
        // /n: no Local optimisation, so the pair and its hangup handler stay when the answered call is bridged on.
        Channel = $"Local/{digits}@{DialContext}/n",
        RingTimeout = direct.RingTimeout + OriginateMargin,
        Variables = [.. Ours(direct.ChannelId, direct.Channel, direct.RingTimeout), .. direct.Variables],
        Kind = CallKind.Campaign,
    };

    /// <summary>
    /// A click-to-call's Originate: the agent's phone as before, which once answered runs <c>[amidialer-c2c]</c>; that
    /// dials the configured click-to-call destination (<paramref name="direct"/>'s context and extension) as a Local
    /// channel, so the customer's leg is recorded whatever that context does.
    /// </summary>
    public static OriginateRequest ClickToCall(OriginateRequest direct, string digits, TimeSpan customerRing) => direct with
    {
        Context = ClickToCallContext,
        Extension = digits,
        Priority = 1,
        Variables =
        [
            .. Ours(direct.ChannelId, $"Local/{direct.Extension}@{direct.Context}/n", customerRing),
            .. direct.Variables.Where(v => v.Key != AttemptVariable),
        ],
        Kind = CallKind.ClickToCall,
    };

    private static KeyValuePair<string, string>[] Ours(string channelId, string dialString, TimeSpan ring) =>
    [
        new(AttemptVariable, channelId),
        new(DialStringVariable, dialString),
        new(RingVariable, ((long)Math.Ceiling(ring.TotalSeconds)).ToString(CultureInfo.InvariantCulture)),
    ];
}
