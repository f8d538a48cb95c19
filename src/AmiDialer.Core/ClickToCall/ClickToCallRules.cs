using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Core.Phone;

namespace AmiDialer.Core.ClickToCall;

/// <summary>
/// Where a click-to-call sends the customer's number once the agent answers: the Originate's Context/Exten/Priority.
/// </summary>
public static class ClickToCallRules
{
    /// <summary>
    /// The Originate destination: <paramref name="context"/> (must be well formed; the caller decides whether it is the
    /// configured click-to-call context or one of the allowed contexts) and the number written by
    /// <paramref name="extensionTemplate"/> (<c>{national}</c> by default), priority 1. Throws
    /// <see cref="FormatException"/> when the result is not a valid extension.
    /// </summary>
    public static DialplanTarget Destination(string context, NumberTemplate extensionTemplate, PhoneNumberInfo number)
    {
        if (DialplanNames.CheckContext(context) is { } contextError)
        {
            throw new FormatException($"Click-to-call context: {contextError}.");
        }

        var extension = extensionTemplate.Render(number);
        if (DialplanNames.CheckExtension(extension) is { } extensionError)
        {
            throw new FormatException($"Click-to-call extension from template '{extensionTemplate.Text}': {extensionError}.");
        }

        return new DialplanTarget(context, extension, 1);
    }

    /// <summary>
    /// The context the customer is dialed in: the configured click-to-call context when the caller asks for none, else
    /// the requested one only if it is in the allowed contexts (an API caller must not pick any context on the PBX).
    /// Null context with an error when refused.
    /// </summary>
    public static (string? Context, string? Error) ChooseContext(string? requested, string configuredContext, IReadOnlyCollection<string> allowedContexts)
    {
        if (string.IsNullOrEmpty(requested))
        {
            return DialplanNames.CheckContext(configuredContext) is { } error ? (null, $"Dialing:ClickToCall:Context: {error}") : (configuredContext, null);
        }

        if (DialplanNames.CheckContext(requested) is { } shapeError)
        {
            return (null, shapeError);
        }

        return requested == configuredContext || allowedContexts.Contains(requested, StringComparer.Ordinal)
            ? (requested, null)
            : (null, $"context '{requested}' is not in the allowed contexts ({string.Join(", ", allowedContexts)})");
    }
}
