using System.Globalization;
using System.Xml.Linq;
using AmiDialer.Web.Charts;

namespace AmiDialer.Tests.Web;

/// <summary>The charts are parsed back as XML: shapes must be proportional to the data and labelled.</summary>
public sealed class SvgChartsTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Bars_are_proportional_to_values_and_labelled()
    {
        var svg = Parse(SvgCharts.HorizontalBars("Outcomes", [new("answered", 10), new("busy", 5), new("no-answer", 0)]));
        var bars = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "bar").ToList();
        Assert.Equal(["answered", "busy", "no-answer"], bars.Select(b => (string)b.Attribute("data-label")!));
        var widths = bars.Select(b => D(b, "width")).ToList();
        Assert.Equal(widths[0] / 2, widths[1], 2);
        Assert.Equal(0, widths[2]);
        Assert.Equal("Outcomes", (string?)svg.Attribute("aria-label"));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "10 (67%)");
    }

    [Fact]
    public void A_large_figure_beside_the_longest_bar_fits_inside_the_chart()
    {
        // The report's attempts chart at its size: "2467 (39%)" was cut to "2467 (39%".
        var svg = Parse(SvgCharts.HorizontalBars("Outcomes by attempt", [new("answered", 2467), new("busy", 3890), new("no-answer", 12)], 480));
        var width = D(svg, "width");
        var values = svg.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "value").ToList();
        Assert.Contains(values, t => t.Value == "3890 (61%)");
        Assert.All(values, t => Assert.True(D(t, "x") + t.Value.Length * 7 <= width, $"'{t.Value}' at x={D(t, "x")} runs past {width}"));
    }

    [Fact]
    public void Bars_with_no_data_say_so()
    {
        var svg = Parse(SvgCharts.HorizontalBars("Outcomes", [new("answered", 0)]));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "No data yet");
    }

    [Fact]
    public void Labels_are_escaped()
    {
        var text = SvgCharts.HorizontalBars("<script>", [new("<b>&\"x", 3)]);
        Assert.DoesNotContain("<script>", text, StringComparison.Ordinal);
        var svg = Parse(text);
        Assert.Equal("<b>&\"x", (string)svg.Descendants(Svg + "rect").Single(r => (string?)r.Attribute("class") == "bar").Attribute("data-label")!);
    }

    [Fact]
    public void Donut_slices_add_up_to_the_circle_in_proportion()
    {
        var svg = Parse(SvgCharts.Donut("Outcomes", [new("answered", 3), new("busy", 1), new("failed", 0)]));
        var slices = svg.Descendants(Svg + "circle").Where(c => (string?)c.Attribute("class") == "slice").ToList();
        Assert.Equal(2, slices.Count); // a zero slice is not drawn, but stays in the legend
        var r = D(slices[0], "r");
        var lengths = slices.Select(s => double.Parse(((string)s.Attribute("stroke-dasharray")!).Split(' ')[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2 * Math.PI * r, lengths.Sum(), 1);
        Assert.Equal(3 * lengths[1], lengths[0], 1);
        Assert.Equal(-lengths[0], D(slices[1], "stroke-dashoffset"), 1);
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "failed: 0 (0%)");
        Assert.Contains(svg.Descendants(Svg + "text"), t => (string?)t.Attribute("class") == "total" && t.Value == "4");
    }

    [Fact]
    public void Hour_columns_scale_to_a_nice_maximum_with_answered_inside()
    {
        var columns = Enumerable.Range(0, 24).Select(h => new HourColumn($"{h:00}h", h == 9 ? 8 : h == 10 ? 4 : 0, h == 9 ? 2 : 0)).ToList();
        var svg = Parse(SvgCharts.HourColumns("Calls by hour", columns));
        var groups = svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "column").ToList();
        Assert.Equal(24, groups.Count);
        var nine = groups.Single(g => (string)g.Attribute("data-label")! == "09h");
        var ten = groups.Single(g => (string)g.Attribute("data-label")! == "10h");
        var nineAll = D(nine.Elements(Svg + "rect").Single(r => (string?)r.Attribute("class") == "attempts"), "height");
        var nineAnswered = D(nine.Elements(Svg + "rect").Single(r => (string?)r.Attribute("class") == "answered"), "height");
        var tenAll = D(ten.Elements(Svg + "rect").Single(r => (string?)r.Attribute("class") == "attempts"), "height");
        Assert.Equal(nineAll / 2, tenAll, 2);
        Assert.Equal(nineAll / 4, nineAnswered, 2);
        Assert.Contains(svg.Descendants(Svg + "text"), t => (string?)t.Attribute("class") == "tick" && t.Value == "10"); // 8 calls at most: the axis runs to 10
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(3, 4)]
    [InlineData(7, 10)]
    [InlineData(11, 20)]
    [InlineData(450, 500)]
    [InlineData(1000, 1000)]
    public void Nice_ceiling(long value, long expected) => Assert.Equal(expected, SvgCharts.NiceCeiling(value));

    private static XElement Parse(string svg)
    {
        var root = XElement.Parse(svg);
        Assert.Equal(Svg + "svg", root.Name);
        return root;
    }

    private static double D(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);
}
