using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Tests.Dialing;

public sealed class DialplanNamesTests
{
    private static readonly string[] Allowed = ["agents", "ivr", "outbound"];

    [Theory]
    [InlineData("agents", "100", 1)]
    [InlineData("ivr", "s", 1)]
    [InlineData("outbound", "+14155550123", 3)]
    [InlineData("from-internal", "*97#", 1)]
    public void Accepts_well_formed_targets(string context, string exten, int priority) =>
        Assert.Null(DialplanNames.CheckTarget(new DialplanTarget(context, exten, priority)));

    [Theory]
    [InlineData("", "100", 1, "context is empty")]
    [InlineData("ag ents", "100", 1, "context 'ag ents'")]
    [InlineData("agents\r\nAction: Command", "100", 1, "<CR><LF>")]
    [InlineData("agents", "", 1, "extension is empty")]
    [InlineData("agents", "1,2", 1, "extension '1,2'")]
    [InlineData("agents", "100", 0, "priority must be 1 or more")]
    public void Refuses_malformed_targets(string context, string exten, int priority, string expected) =>
        Assert.Contains(expected, DialplanNames.CheckTarget(new DialplanTarget(context, exten, priority)), StringComparison.Ordinal);

    [Fact]
    public void Only_allowed_contexts_pass_and_the_comparison_is_exact()
    {
        Assert.Null(DialplanNames.CheckAllowed(new DialplanTarget("ivr", "s", 1), Allowed));
        Assert.Contains("not in the allowed contexts (agents, ivr, outbound)", DialplanNames.CheckAllowed(new DialplanTarget("default", "s", 1), Allowed), StringComparison.Ordinal);
        Assert.NotNull(DialplanNames.CheckAllowed(new DialplanTarget("IVR", "s", 1), Allowed));
        Assert.Contains("none configured", DialplanNames.CheckAllowed(new DialplanTarget("ivr", "s", 1), []), StringComparison.Ordinal);
    }
}
