using System.Text;

namespace AmiDialer.Ami;

/// <summary>
/// A fixed set of header keys read together with <see cref="AmiMessage.GetValues"/>: one pass over a message's
/// headers finds them all. Looking each key up on its own walks the headers once per key, and a reader of a dozen
/// keys on a busy socket spent more time comparing keys than decoding values.
/// </summary>
public sealed class AmiHeaderKeys
{
    // Keys by length: a header is compared only with the keys as long as its own key, usually one or none.
    private readonly int[][] _byLength;

    public AmiHeaderKeys(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Any(k => string.IsNullOrEmpty(k) || !Ascii.IsValid(k)))
        {
            throw new ArgumentException("A header key must be ASCII and not empty (Asterisk's keys are).", nameof(keys));
        }

        if (keys.Distinct(StringComparer.OrdinalIgnoreCase).Count() != keys.Length)
        {
            throw new ArgumentException("The keys must differ other than by case.", nameof(keys));
        }

        Names = keys.ToArray();
        AsciiNames = Names.Select(Encoding.ASCII.GetBytes).ToArray();
        _byLength = new int[Names.Max(k => k.Length) + 1][];
        for (var length = 0; length < _byLength.Length; length++)
        {
            _byLength[length] = Enumerable.Range(0, Names.Length).Where(i => Names[i].Length == length).ToArray();
        }
    }

    public IReadOnlyList<string> Keys => Names;

    public int Count => Names.Length;

    internal string[] Names { get; }

    /// <summary>The keys as bytes: a parsed message's keys are compared byte to byte, which vectorises.</summary>
    internal byte[][] AsciiNames { get; }

    /// <summary>The positions in <see cref="Keys"/> of the keys <paramref name="length"/> characters long.</summary>
    internal ReadOnlySpan<int> OfLength(int length) => length < _byLength.Length ? _byLength[length] : [];
}
