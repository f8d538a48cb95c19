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
}
