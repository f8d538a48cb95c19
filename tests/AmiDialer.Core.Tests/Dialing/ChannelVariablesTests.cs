using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Tests.Dialing;

public sealed class ChannelVariablesTests
{
    private static readonly Dictionary<string, string> Fields = new() { ["name"] = "Smith, John", ["Account"] = "A-17" };

    [Theory]
    [InlineData("CAMPAIGN")]
    [InlineData("_INHERITED")]
    [InlineData("__LEAD_ID2")]
    [InlineData("x")]
    public void Accepts_plain_names(string name) => Assert.Null(ChannelVariables.CheckName(name));

    [Theory]
    [InlineData("FILE(/etc/passwd)")]
    [InlineData("CDR(userfield)")]
    [InlineData("2ND")]
    [InlineData("LEAD-ID")]
    [InlineData("LEAD ID")]
    [InlineData("A\r\nAction: Command")]
    [InlineData("")]
    public void Refuses_names_that_are_not_plain_variables(string name) => Assert.NotNull(ChannelVariables.CheckName(name));

    [Fact]
    public void Resolves_constants_and_lead_fields_by_name()
    {
        ChannelVariable[] vars = [new("CAMPAIGN", "7", null), new("CUSTOMER", null, "name"), new("ACCOUNT", null, "account"), new("MISSING", null, "nope")];
        Assert.True(ChannelVariables.TryResolve(vars, Fields, out var resolved, out var error, escapeForHeader: false), error);
        Assert.Equal(
            [new("CAMPAIGN", "7"), new("CUSTOMER", "Smith, John"), new("ACCOUNT", "A-17"), new KeyValuePair<string, string>("MISSING", "")],
            resolved);

        // By default the values are ready for a Variable: header, so a comma cannot start a second variable.
        Assert.True(ChannelVariables.TryResolve(vars, Fields, out var forHeader, out _));
        Assert.Equal(@"Smith\, John", forHeader[1].Value);
        Assert.Equal("7", forHeader[0].Value);
    }

    [Fact]
    public void A_field_value_with_a_line_break_is_refused_naming_the_variable_and_field()
    {
        var fields = new Dictionary<string, string> { ["note"] = "hi\r\nAction: Originate" };
        Assert.False(ChannelVariables.TryResolve([new("NOTE", null, "note")], fields, out _, out var error));
        Assert.Contains("field note (channel variable NOTE)", error, StringComparison.Ordinal);
        Assert.Contains("line break (CR)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_name_is_refused_when_resolving()
    {
        Assert.False(ChannelVariables.TryResolve([new("CDR(x)", "1", null)], Fields, out _, out var error));
        Assert.Contains("CDR(x)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CUSTOMER", "Smith, John", @"CUSTOMER=Smith\, John")]
    [InlineData("X", "a,FILE(/tmp/x)=y", @"X=a\,FILE\(/tmp/x\)=y")]
    [InlineData("X", "say \"hi\" \\ [1]", @"X=say \""hi\"" \\ \[1\]")]
    [InlineData("X", "plain=value", "X=plain=value")]
    [InlineData("X", "", "X=")]
    public void Header_value_escapes_what_asterisk_would_split_on(string name, string value, string expected) =>
        Assert.Equal(expected, ChannelVariables.ToHeaderValue(name, value));

    [Fact]
    public void Header_value_refuses_line_breaks_and_bad_names()
    {
        Assert.Throws<ArgumentException>(() => ChannelVariables.ToHeaderValue("X", "a\nb"));
        Assert.Throws<ArgumentException>(() => ChannelVariables.ToHeaderValue("CDR(x)", "a"));
    }

    /// <summary>Undoes the escaping the way Asterisk's argument splitter does, to show one variable comes out intact.</summary>
    [Theory]
    [InlineData("Smith, John")]
    [InlineData("a,FILE(/tmp/x)=y")]
    [InlineData("q\"uo\\te(s) [x],")]
    public void Asterisk_splitting_of_the_escaped_value_yields_exactly_one_variable_with_the_original_value(string value)
    {
        var items = SplitLikeAsterisk(ChannelVariables.ToHeaderValue("V", value));
        var item = Assert.Single(items);
        Assert.Equal("V=" + value, item);
    }

    // Mirrors __ast_app_separate_args(buf, ',', remove_chars=1): quotes toggle and vanish, a backslash keeps the next
    // character literally, parentheses/brackets nest, and a comma outside all of them splits.
    private static List<string> SplitLikeAsterisk(string s)
    {
        var result = new List<string>();
        var current = new System.Text.StringBuilder();
        int paren = 0, bracket = 0;
        var quote = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                current.Append(s[++i]);
                continue;
            }

            switch (c)
            {
                case '(': paren++; break;
                case ')': paren = Math.Max(0, paren - 1); break;
                case '[': bracket++; break;
                case ']': bracket = Math.Max(0, bracket - 1); break;
                case '"': quote = !quote; continue;
                case ',' when paren == 0 && bracket == 0 && !quote:
                    result.Add(current.ToString());
                    current.Clear();
                    continue;
            }

            current.Append(c);
        }

        result.Add(current.ToString());
        return result;
    }
}
