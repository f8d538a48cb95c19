using AmiDialer.Core.Model;

namespace AmiDialer.Core.Dialing;

/// <summary>Shape checks for dialplan places (Originate destination, Redirect, on-answer route) and the allowed-contexts rule.</summary>
public static class DialplanNames
{
    public static string? CheckContext(string? context) =>
        string.IsNullOrEmpty(context) ? "the context is empty"
        : context.Length > 79 ? "the context is longer than 79 characters"
        : context.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? null
        : $"context '{DialString.Printable(context)}' may hold only letters, digits, '_', '-' and '.'";

    public static string? CheckExtension(string? extension) =>
        string.IsNullOrEmpty(extension) ? "the extension is empty"
        : extension.Length > 79 ? "the extension is longer than 79 characters"
        : extension.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '+' or '*' or '#') ? null
        : $"extension '{DialString.Printable(extension)}' may hold only letters, digits and _ - . + * #";

    /// <summary>Null when context, extension and priority all have a valid shape, else the first problem.</summary>
    public static string? CheckTarget(DialplanTarget target) =>
        CheckContext(target.Context) ?? CheckExtension(target.Extension)
        ?? (target.Priority < 1 ? $"priority must be 1 or more (was {target.Priority})" : null);

    /// <summary>
    /// Null when <paramref name="target"/> is well formed and its context is one of <paramref name="allowedContexts"/>
    /// (exact, case-sensitive, as Asterisk compares contexts). Used for Redirect and on-answer routes, so an API caller
    /// cannot send a live call anywhere in the dialplan.
    /// </summary>
    public static string? CheckAllowed(DialplanTarget target, IReadOnlyCollection<string> allowedContexts) =>
        CheckTarget(target)
        ?? (allowedContexts.Contains(target.Context, StringComparer.Ordinal)
            ? null
            : $"context '{target.Context}' is not in the allowed contexts ({(allowedContexts.Count == 0 ? "none configured" : string.Join(", ", allowedContexts))})");
}
