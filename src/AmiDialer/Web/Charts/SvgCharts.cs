using System.Globalization;
using System.Text;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Charts;

/// <summary>One bar, slice or column of a chart.</summary>
public sealed record ChartItem(string Label, long Value, string? Color = null);

/// <summary>One column of the calls-by-hour chart: attempts in that hour, of which answered.</summary>
public sealed record HourColumn(string Label, long Attempts, long Answered);

/// <summary>One day of a queue campaign's answered calls and the abandoned ones among them.</summary>
public sealed record AbandonColumn(string Label, long Answered, long Abandoned)
{
    public double Rate => Answered == 0 ? 0 : Abandoned / (double)Answered;
}

/// <summary>
/// Server-rendered SVG charts: no script, no CDN, readable without colour (each shape carries its label and value
/// as text and as <c>data-</c> attributes, which tests read back).
/// </summary>
public static class SvgCharts
{
    private const double BarHeight = 22;
    private const double BarGap = 8;
    private const double LabelWidth = 130;
    private const double ValueWidth = 70;

    // A generous width of one character at the charts' font size (12px), for room left for text.
    private const double CharWidth = 7.5;

    /// <summary>Colours of the outcomes' wire names; anything else gets a neutral grey.</summary>
    public static string OutcomeColor(string label) => label switch
    {
        "answered" => "#1f8a4c",
        "busy" => "#d9822b",
        "no-answer" => "#e0b400",
        "congestion" => "#8e44ad",
        "rejected" => "#c0392b",
        "invalid-number" => "#7f8c8d",
        "failed" => "#922b21",
        "interrupted" => "#2e86c1",
        "agent-no-answer" => "#5d6d7e",
        "pending" => "#aab7c4",
        _ => "#95a5a6",
    };

    /// <summary>Horizontal bars, one per item, scaled to the largest value.</summary>
    public static string HorizontalBars(string title, IReadOnlyList<ChartItem> items, double width = 560)
    {
        ArgumentNullException.ThrowIfNull(items);
        var height = Math.Max(1, items.Count) * (BarHeight + BarGap) + BarGap;
        var sb = Open(title, width, height, "bars");
        var max = items.Count == 0 ? 0 : items.Max(i => i.Value);
        var total = items.Sum(i => i.Value);
        // The value's room is what its longest text needs ("12345 (100%)"), so the largest bar's figure is never cut.
        var valueWidth = Math.Max(ValueWidth, items.Count == 0 ? 0 : items.Max(i => (i.Value.ToString(CultureInfo.InvariantCulture) + Share(i.Value, total)).Length) * CharWidth + 10);
        var track = Math.Max(0, width - LabelWidth - valueWidth);
        if (max <= 0)
        {
            Text(sb, width / 2, height / 2 + 4, "No data yet", "middle", "empty");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var y = BarGap + i * (BarHeight + BarGap);
            var w = max <= 0 ? 0 : track * item.Value / max;
            Text(sb, LabelWidth - 8, y + BarHeight * 0.7, item.Label, "end", "label");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{F(LabelWidth)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(BarHeight)}\" rx=\"3\" fill=\"{Attr(item.Color ?? OutcomeColor(item.Label))}\" data-label=\"{Attr(item.Label)}\" data-value=\"{item.Value}\">")
              .Append("<title>").Append(E(item.Label)).Append(": ").Append(E(item.Value)).Append(Share(item.Value, total)).Append("</title></rect>");
            Text(sb, LabelWidth + w + 6, y + BarHeight * 0.7, item.Value.ToString(CultureInfo.InvariantCulture) + Share(item.Value, total), "start", "value");
        }

        return sb.Append("</svg>").ToString();
    }

    /// <summary>A donut of the items' shares, with a legend; slices are dash segments of one circle.</summary>
    public static string Donut(string title, IReadOnlyList<ChartItem> items, double size = 220)
    {
        ArgumentNullException.ThrowIfNull(items);
        const double legendWidth = 220;
        var legendHeight = items.Count * 20 + 10;
        var height = Math.Max(size, legendHeight);
        var sb = Open(title, size + legendWidth, height, "donut");
        var r = size * 0.35;
        var cx = size / 2;
        var cy = height / 2;
        var circumference = 2 * Math.PI * r;
        var total = items.Sum(i => Math.Max(0, i.Value));
        sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"{F(r)}\" fill=\"none\" stroke=\"#eceff4\" stroke-width=\"{F(size * 0.16)}\"/>");
        double offset = 0;
        foreach (var item in items.Where(i => i.Value > 0 && total > 0))
        {
            var len = circumference * item.Value / total;
            // Start at 12 o'clock and go clockwise: rotate the circle by -90 degrees.
            sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"slice\" cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"{F(r)}\" fill=\"none\" stroke=\"{Attr(item.Color ?? OutcomeColor(item.Label))}\" stroke-width=\"{F(size * 0.16)}\" stroke-dasharray=\"{F(len)} {F(circumference - len)}\" stroke-dashoffset=\"{F(-offset)}\" transform=\"rotate(-90 {F(cx)} {F(cy)})\" data-label=\"{Attr(item.Label)}\" data-value=\"{item.Value}\">")
              .Append("<title>").Append(E(item.Label)).Append(": ").Append(E(item.Value)).Append(Share(item.Value, total)).Append("</title></circle>");
            offset += len;
        }

        Text(sb, cx, cy + 6, total.ToString(CultureInfo.InvariantCulture), "middle", "total");
        if (total == 0)
        {
            Text(sb, cx, cy + 24, "No data yet", "middle", "empty");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var y = (height - legendHeight) / 2 + 10 + i * 20;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(size + 10)}\" y=\"{F(y)}\" width=\"12\" height=\"12\" fill=\"{Attr(items[i].Color ?? OutcomeColor(items[i].Label))}\"/>");
            Text(sb, size + 28, y + 11, $"{items[i].Label}: {items[i].Value}{Share(items[i].Value, total)}", "start", "legend");
        }

        return sb.Append("</svg>").ToString();
    }

    /// <summary>Columns of attempts per hour, the answered part drawn over each in green.</summary>
    public static string HourColumns(string title, IReadOnlyList<HourColumn> columns, double width = 720, double height = 240)
    {
        ArgumentNullException.ThrowIfNull(columns);
        const double left = 40, bottom = 36, top = 12, right = 8;
        var sb = Open(title, width, height, "columns");
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var max = columns.Count == 0 ? 0 : columns.Max(c => c.Attempts);
        var scaleMax = NiceCeiling(max);
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{F(left)}\" y1=\"{F(top + plotH)}\" x2=\"{F(width - right)}\" y2=\"{F(top + plotH)}\" stroke=\"#5b6475\"/>");
        for (var t = 0; t <= 4 && scaleMax > 0; t++)
        {
            var v = scaleMax * t / 4.0;
            var y = top + plotH - plotH * t / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(left)}\" y1=\"{F(y)}\" x2=\"{F(width - right)}\" y2=\"{F(y)}\" stroke=\"#eceff4\"/>");
            Text(sb, left - 4, y + 4, AmiDialer.Web.Pages.Html.Number(v), "end", "tick");
        }

        if (max <= 0)
        {
            Text(sb, width / 2, height / 2, "No calls yet", "middle", "empty");
        }

        var slot = columns.Count == 0 ? plotW : plotW / columns.Count;
        var labelEvery = Math.Max(1, (int)Math.Ceiling(columns.Count / (plotW / 48)));
        for (var i = 0; i < columns.Count; i++)
        {
            var c = columns[i];
            var x = left + i * slot + slot * 0.15;
            var w = slot * 0.7;
            var h = scaleMax <= 0 ? 0 : plotH * c.Attempts / scaleMax;
            var ha = scaleMax <= 0 ? 0 : plotH * Math.Min(c.Answered, c.Attempts) / scaleMax;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"column\" data-label=\"{Attr(c.Label)}\" data-attempts=\"{c.Attempts}\" data-answered=\"{c.Answered}\"><title>{E(c.Label)}: {c.Attempts} calls, {c.Answered} answered</title>")
              .Append(CultureInfo.InvariantCulture, $"<rect class=\"attempts\" x=\"{F(x)}\" y=\"{F(top + plotH - h)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"#9db4e0\"/>")
              .Append(CultureInfo.InvariantCulture, $"<rect class=\"answered\" x=\"{F(x)}\" y=\"{F(top + plotH - ha)}\" width=\"{F(w)}\" height=\"{F(ha)}\" fill=\"#1f8a4c\"/></g>");
            if (i % labelEvery == 0)
            {
                Text(sb, x + w / 2, top + plotH + 14, c.Label, "middle", "xlabel");
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(left)}\" y=\"{F(height - 14)}\" width=\"10\" height=\"10\" fill=\"#9db4e0\"/>");
        Text(sb, left + 14, height - 5, "calls", "start", "legend");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(left + 60)}\" y=\"{F(height - 14)}\" width=\"10\" height=\"10\" fill=\"#1f8a4c\"/>");
        Text(sb, left + 74, height - 5, "answered", "start", "legend");
        return sb.Append("</svg>").ToString();
    }

    /// <summary>
    /// A queue campaign's abandon rate per day as columns (red where a day is over the limit), with the limit drawn as
    /// a dashed line and the point where predictive pacing falls back to progressive as a dotted one.
    /// </summary>
    public static string AbandonRate(string title, IReadOnlyList<AbandonColumn> days, double limit, double fallback, double width = 720, double height = 240)
    {
        ArgumentNullException.ThrowIfNull(days);
        const double left = 44, bottom = 36, top = 12, right = 8;
        var sb = Open(title, width, height, "abandon");
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        // The scale shows the limit with room above it, and any day above that.
        var scaleMax = Math.Max(limit * 2, days.Count == 0 ? 0 : days.Max(d => d.Rate));
        scaleMax = Math.Ceiling(scaleMax * 100) / 100;
        double Y(double rate) => top + plotH - (scaleMax <= 0 ? 0 : plotH * Math.Min(rate, scaleMax) / scaleMax);
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{F(left)}\" y1=\"{F(top + plotH)}\" x2=\"{F(width - right)}\" y2=\"{F(top + plotH)}\" stroke=\"#5b6475\"/>");
        for (var t = 0; t <= 4; t++)
        {
            var v = scaleMax * t / 4.0;
            var y = Y(v);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(left)}\" y1=\"{F(y)}\" x2=\"{F(width - right)}\" y2=\"{F(y)}\" stroke=\"#eceff4\"/>");
            Text(sb, left - 4, y + 4, (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%", "end", "tick");
        }

        if (days.Count == 0)
        {
            Text(sb, width / 2, height / 2, "No answered queue calls in the window", "middle", "empty");
        }

        var slot = days.Count == 0 ? plotW : plotW / days.Count;
        var labelEvery = Math.Max(1, (int)Math.Ceiling(days.Count / (plotW / 48)));
        for (var i = 0; i < days.Count; i++)
        {
            var d = days[i];
            var x = left + i * slot + slot * 0.15;
            var w = slot * 0.7;
            var y = Y(d.Rate);
            var over = d.Rate > limit;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"day\" data-label=\"{Attr(d.Label)}\" data-rate=\"{F(d.Rate)}\" data-over=\"{(over ? "true" : "false")}\"><title>{E(d.Label)}: {d.Abandoned} of {d.Answered} abandoned ({(d.Rate * 100).ToString("0.00", CultureInfo.InvariantCulture)}%)</title>")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(top + plotH - y)}\" fill=\"{(over ? "#c0392b" : "#e0a040")}\"/></g>");
            if (i % labelEvery == 0)
            {
                Text(sb, x + w / 2, top + plotH + 14, d.Label, "middle", "xlabel");
            }
        }

        var ly = Y(limit);
        var fy = Y(fallback);
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"limit\" data-rate=\"{F(limit)}\" x1=\"{F(left)}\" y1=\"{F(ly)}\" x2=\"{F(width - right)}\" y2=\"{F(ly)}\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"fallback\" data-rate=\"{F(fallback)}\" x1=\"{F(left)}\" y1=\"{F(fy)}\" x2=\"{F(width - right)}\" y2=\"{F(fy)}\" stroke=\"#7a4b00\" stroke-dasharray=\"2 3\"/>");
        Text(sb, width - right - 2, ly - 4, "limit " + (limit * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%", "end", "legend");
        Text(sb, left + 14, height - 5, "abandoned per answered queue call, by day (UTC); dotted: predictive falls back to progressive", "start", "legend");
        return sb.Append("</svg>").ToString();
    }

    /// <summary>1, 2, 5 times a power of ten: axis maxima a reader can divide in their head.</summary>
    public static long NiceCeiling(long value)
    {
        if (value <= 0)
        {
            return 0;
        }

        long magnitude = 1;
        while (magnitude * 10 <= value)
        {
            magnitude *= 10;
        }

        foreach (var step in new long[] { 1, 2, 4, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static StringBuilder Open(string title, double width, double height, string kind)
    {
        var sb = new StringBuilder(2048);
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-{kind}\" viewBox=\"0 0 {F(width)} {F(height)}\" width=\"{F(width)}\" height=\"{F(height)}\" role=\"img\" aria-label=\"{Attr(title)}\" font-family=\"system-ui,sans-serif\" font-size=\"12\">")
          .Append("<title>").Append(E(title)).Append("</title>");
        return sb;
    }

    private static void Text(StringBuilder sb, double x, double y, string text, string anchor, string cls) =>
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"{cls}\" x=\"{F(x)}\" y=\"{F(y)}\" text-anchor=\"{anchor}\" fill=\"#1d2330\">{E(text)}</text>");

    private static string Share(long value, long total) =>
        total <= 0 ? "" : " (" + Math.Round(100.0 * value / total).ToString(CultureInfo.InvariantCulture) + "%)";

    private static string F(double v) => Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);
}
