using System.Text.Encodings.Web;
using System.Text.Json;

namespace AmiDialer.Reports;

/// <summary>
/// How JSON is written for people and programs (CLI output, the HTTP API, settings files): phone numbers read
/// "+12125550100", not "\u002B12125550100". The default encoder escapes characters that are dangerous inside HTML;
/// no JSON of ours is ever embedded in a page, so only what JSON itself requires is escaped (quotes, backslash,
/// control characters).
/// </summary>
public static class JsonOutput
{
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static JsonWriterOptions Writer(bool indented = false) => new() { Indented = indented, Encoder = Encoder };
}
