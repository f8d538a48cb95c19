namespace AmiDialer.Core.Doctor;

/// <summary>
/// One line of the doctor's report: what was checked (<paramref name="Check"/>, e.g. <c>login</c>, <c>write Originate</c>,
/// <c>dialplan agents,100,1</c>), how it came out, what was found, and one line saying how to fix it (null when OK).
/// <paramref name="Blocking"/> marks a failure that makes a campaign's calls fail outright: pre-flight refuses to start on it.
/// </summary>
public sealed record DoctorCheck(string Check, CheckLevel Level, string Detail, string? Fix = null, bool Blocking = false)
{
    public static DoctorCheck Ok(string check, string detail) => new(check, CheckLevel.Ok, detail);

    public static DoctorCheck Warn(string check, string detail, string fix) => new(check, CheckLevel.Warn, detail, fix);

    public static DoctorCheck Fail(string check, string detail, string fix, bool blocking = false) => new(check, CheckLevel.Fail, detail, fix, blocking);
}

/// <summary>Every check of one configured AMI server, in the order they ran.</summary>
public sealed record ServerCheckReport(string Server, string Address, IReadOnlyList<DoctorCheck> Checks)
{
    /// <summary>The worst level among the checks.</summary>
    public CheckLevel Level => Checks.Count == 0 ? CheckLevel.Ok : Checks.Max(c => c.Level);

    /// <summary>Logged in: every check past the login could run.</summary>
    public bool Reachable => Checks.Any(c => c.Check == DoctorCheckNames.Login && c.Level == CheckLevel.Ok);

    public IEnumerable<DoctorCheck> BlockingFailures => Checks.Where(c => c.Level == CheckLevel.Fail && c.Blocking);
}

/// <summary>The doctor's report on every server it was asked about.</summary>
public sealed record DoctorReport(DateTimeOffset CheckedAt, IReadOnlyList<ServerCheckReport> Servers)
{
    public bool HasFailures => Servers.Any(s => s.Level == CheckLevel.Fail);
}

/// <summary>The names of the checks that others look for.</summary>
public static class DoctorCheckNames
{
    public const string Reachable = "reachable";
    public const string Banner = "banner";
    public const string Tls = "tls";
    public const string Login = "login";
    public const string Ledger = "ledger";
    public const string Clock = "clock";
}
