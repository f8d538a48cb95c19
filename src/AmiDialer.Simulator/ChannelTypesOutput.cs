namespace AmiDialer.Simulator;

/// <summary>
/// <c>core show channeltypes</c> as the lab Asterisk printed it (k3): its bridge and media drivers, then the
/// technologies this PBX can dial, then the count. The lab had Local only; the others' lines are Asterisk's own.
/// </summary>
internal static class ChannelTypesOutput
{
    private static readonly (string Name, string Line)[] Before =
    [
        ("Recorder", "Recorder         Bridge Media Recording Channel Driver    no            no            yes           no           "),
        ("Announcer", "Announcer        Bridge Media Announcing Channel Driver   no            no            yes           no           "),
        ("CBAnn", "CBAnn            Conference Bridge Announcing Channel     no            no            yes           no           "),
        ("CBRec", "CBRec            Conference Bridge Recording Channel      no            no            no            no           "),
        ("AudioSocket", "AudioSocket      AudioSocket Channel Driver               no            no            no            no           "),
        ("WebSocket", "WebSocket        Media over WebSocket Channel Driver      no            no            no            no           "),
        ("UnicastRTP", "UnicastRTP       Unicast RTP Media Channel Driver         no            no            no            no           "),
        ("MulticastRTP", "MulticastRTP     Multicast RTP Paging Channel Driver      no            no            no            no           "),
    ];

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Local"] = "Local Proxy Channel Driver               yes           no            yes           no           ",
        ["PJSIP"] = "PJSIP Channel Driver                     yes           yes           yes           yes          ",
        ["SIP"] = "Session Initiation Protocol (SIP)        yes           yes           yes           yes          ",
        ["IAX2"] = "Inter Asterisk eXchange Driver (Ver 2)   yes           no            no            yes          ",
        ["DAHDI"] = "DAHDI Telephony                          yes           no            yes           no           ",
    };

    private const string Surrogate = "Surrogate        Surrogate channel used to pull channel f no            no            no            no           ";

    public static List<string> Lines(IReadOnlyList<string> technologies)
    {
        var lines = new List<string>
        {
            "Type             Description                              Devicestate   Presencestate Indications   Transfer     ",
            "-------------    -------------                            ------------- ------------- ------------- -------------",
        };
        lines.AddRange(Before.Select(b => b.Line));
        foreach (var tech in technologies)
        {
            var description = Descriptions.TryGetValue(tech, out var known) ? known : $"{tech} Channel Driver".PadRight(41) + "no            no            no            no           ";
            lines.Add(tech.PadRight(17) + description);
        }

        lines.Add(Surrogate);
        lines.Add("----------");
        lines.Add($"{Before.Length + technologies.Count + 1} channel drivers registered.");
        return lines;
    }
}
