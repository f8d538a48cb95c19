using System.Globalization;
using System.Text.Encodings.Web;

namespace AmiDialer.Web.Pages;

/// <summary>Encoding helpers for hand-written HTML: every value that comes from data goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string E(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Attr(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string Url(string? text) => UrlEncoder.Default.Encode(text ?? "");

    public static string Percent(double ratio) => ratio.ToString("P1", CultureInfo.InvariantCulture);

    public static string Number(double value, string format = "0.#") => value.ToString(format, CultureInfo.InvariantCulture);
}
