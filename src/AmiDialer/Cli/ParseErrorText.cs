using System.CommandLine.Parsing;
using AmiDialer.Configuration;

namespace AmiDialer.Cli;

/// <summary>
/// Rewrites the parser's conversion errors ("Cannot parse argument 'abc' for option '--max-concurrent' as expected
/// type 'System.Nullable`1[System.Int32]'") into words: "--max-concurrent: 'abc' is not a whole number."
/// Every other parse error is already worded for people and passes through.
/// </summary>
internal static class ParseErrorText
{
    public static string Describe(ParseError error)
    {
        var (name, type, tokens) = error.SymbolResult switch
        {
            OptionResult o => (o.Option.Name, o.Option.ValueType, o.Tokens),
            ArgumentResult { Parent: OptionResult o } a => (o.Option.Name, a.Argument.ValueType, a.Tokens),
            ArgumentResult a => ($"<{a.Argument.Name}>", a.Argument.ValueType, a.Tokens),
            _ => (null, null, null),
        };
        if (name is null || type is null || tokens is null)
        {
            return error.Message;
        }

        var single = type.IsArray ? type.GetElementType()! : type;
        var underlying = Nullable.GetUnderlyingType(single) ?? single;
        // The parser names the type it failed to convert to (in any language it speaks): that is the mark of a conversion error.
        if (underlying == typeof(string) || ValueText.Describe(underlying) is not { } expected
            || !error.Message.Contains(underlying.FullName ?? underlying.Name, StringComparison.Ordinal))
        {
            return error.Message;
        }

        var bad = tokens.Select(t => t.Value).FirstOrDefault(v => !ValueText.TryConvert(v, underlying, out _, out _));
        return bad is null ? error.Message : $"{name}: '{bad}' is not {expected}.";
    }
}
