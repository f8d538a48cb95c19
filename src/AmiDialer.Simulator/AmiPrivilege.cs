namespace AmiDialer.Simulator;

/// <summary>Asterisk manager permission classes, used both for a user's read/write rights and for event classes.</summary>
[Flags]
public enum AmiPrivilege
{
    None = 0,
    System = 1 << 0,
    Call = 1 << 1,
    Log = 1 << 2,
    Verbose = 1 << 3,
    Command = 1 << 4,
    Agent = 1 << 5,
    User = 1 << 6,
    Config = 1 << 7,
    Dtmf = 1 << 8,
    Reporting = 1 << 9,
    Cdr = 1 << 10,
    Dialplan = 1 << 11,
    Originate = 1 << 12,
    Agi = 1 << 13,
    Cc = 1 << 14,
    Aoc = 1 << 15,
    Test = 1 << 16,
    Security = 1 << 17,
    Message = 1 << 18,
    All = (1 << 19) - 1,
}

/// <summary>Parses the class lists of manager.conf and of the Login/Events actions.</summary>
public static class AmiPrivileges
{
    /// <summary>"all", "none", "call,system", "on", "off"... as Asterisk reads them; unknown names are ignored like Asterisk does.</summary>
    public static AmiPrivilege Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return AmiPrivilege.None;
        }

        var result = AmiPrivilege.None;
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = raw.ToLowerInvariant();
            switch (name)
            {
                case "all" or "on" or "yes" or "true":
                    result |= AmiPrivilege.All;
                    break;
                case "none" or "off" or "no" or "false":
                    break;
                default:
                    if (Enum.TryParse<AmiPrivilege>(name, ignoreCase: true, out var one) && one != AmiPrivilege.All)
                    {
                        result |= one;
                    }

                    break;
            }
        }

        return result;
    }
}
