using System.Text;

namespace AmiDialer.Ami;

/// <summary>
/// The events a reader wants, by name (ASCII, any case). The parser drops every other event before it allocates
/// anything for it: a PBX sends thirty-odd events per call, and a dialer reads a handful. An event that carries an
/// <c>ActionID</c> always passes, since it answers an action (OriginateResponse, the items of a list action).
/// Responses and anything that is not an event always pass.
/// </summary>
public sealed class AmiEventFilter
{
    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");

    private readonly byte[][] _names;

    public AmiEventFilter(IEnumerable<string> eventNames)
    {
        ArgumentNullException.ThrowIfNull(eventNames);
        _names = eventNames.Distinct(StringComparer.OrdinalIgnoreCase).Select(n =>
        {
            if (string.IsNullOrEmpty(n) || n.AsSpan().ContainsAnyExcept(NameChars))
            {
                throw new ArgumentException($"'{n}' is not an event name.", nameof(eventNames));
            }

            return Encoding.ASCII.GetBytes(n);
        }).ToArray();
    }


    /// <summary>Whether an event with this name is wanted.</summary>
    public bool Keeps(ReadOnlySpan<byte> eventName)
    {
        foreach (var name in _names)
        {
            if (name.Length == eventName.Length && System.Text.Ascii.EqualsIgnoreCase(name, eventName))
            {
                return true;
            }
        }

        return false;
    }
}
