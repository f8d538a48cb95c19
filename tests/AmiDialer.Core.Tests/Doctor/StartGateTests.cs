using AmiDialer.Core.Doctor;
using Xunit;

namespace AmiDialer.Core.Tests.Doctor;

public sealed class StartGateTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;
    private static readonly DoctorCheck LoggedIn = DoctorCheck.Ok(DoctorCheckNames.Login, "logged in as dialer (MD5 challenge)");

    [Fact]
    public void Warnings_and_non_blocking_failures_on_a_reachable_server_do_not_refuse()
    {
        var report = new DoctorReport(At, [new ServerCheckReport("pbx1", "h:5038", [LoggedIn, DoctorCheck.Warn("ledger", "not configured", "install it"), DoctorCheck.Fail("write Hangup", "may not", "add call")])]);

        Assert.Empty(StartGate.Refusals(report));
    }

    [Fact]
    public void A_blocking_failure_refuses_naming_server_check_and_fix()
    {
        var report = new DoctorReport(At,
        [
            new ServerCheckReport("pbx1", "h:5038", [LoggedIn, DoctorCheck.Fail("write Originate", "user 'x' may not run Originate", "add originate", blocking: true)]),
            new ServerCheckReport("pbx2", "h:5039", [LoggedIn]),
        ]);

        Assert.Equal(["pbx1 write Originate: user 'x' may not run Originate (fix: add originate)"], StartGate.Refusals(report));
    }

    [Fact]
    public void One_server_down_among_reachable_ones_does_not_refuse_but_all_down_does_and_says_so()
    {
        var down = new ServerCheckReport("pbx2", "h:5039", [DoctorCheck.Fail(DoctorCheckNames.Reachable, "cannot connect to h:5039: Connection refused", "check the host")]);

        Assert.Empty(StartGate.Refusals(new DoctorReport(At, [new ServerCheckReport("pbx1", "h:5038", [LoggedIn]), down])));

        var refused = new ServerCheckReport("pbx1", "h:5038", [DoctorCheck.Fail(DoctorCheckNames.Login, "Asterisk refused user 'x'", "check the secret", blocking: true)]);
        Assert.Equal(
            [
                "pbx1 login: Asterisk refused user 'x' (fix: check the secret)",
                "no AMI server can be logged in to, so nothing would be dialed",
                "pbx2 reachable: cannot connect to h:5039: Connection refused (fix: check the host)",
            ],
            StartGate.Refusals(new DoctorReport(At, [refused, down])));
    }

    [Fact]
    public void No_server_configured_refuses()
    {
        Assert.Equal(["no AMI server is configured (Ami:Servers): nothing would be dialed"], StartGate.Refusals(new DoctorReport(At, [])));
    }
}
