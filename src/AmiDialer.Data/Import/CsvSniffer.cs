using System.Text;

namespace AmiDialer.Data.Import;

/// <summary>
/// Looks at the first bytes of a file: is it text at all, in which encoding, with which delimiter, which column holds
/// the numbers. The importer and the upload preview both use it, so the preview shows what the import will do.
/// </summary>
public static class CsvSniffer
{
    public const int SampleBytes = 64 * 1024;
    public static readonly char[] Delimiters = [',', ';', '\t', '|'];

    static CsvSniffer() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The encoding to read with; throws <see cref="CsvImportRefusedException"/> for binary or empty input.</summary>
    public static Encoding DetectEncoding(ReadOnlySpan<byte> sample, bool complete)
    {
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        }

        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode;
        }

        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode;
        }

        var controls = 0;
        foreach (var b in sample)
        {
            if (b == 0)
            {
                throw new CsvImportRefusedException("The file is binary, not a CSV (it contains NUL bytes).");
            }

            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f'))
            {
                controls++;
            }
        }

        if (controls > sample.Length / 100)
        {
            throw new CsvImportRefusedException("The file is binary, not a CSV (it is full of control characters).");
        }

        // Strict UTF-8 over the sample (minus a sequence cut at its end) tells UTF-8 from Windows-1252/Latin-1.
        var checkedLength = complete ? sample.Length : TrimIncompleteUtf8(sample);
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(sample[..checkedLength]);
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.GetEncoding(1252);
        }
    }

    /// <summary>Index of the column named like a phone number (phone, number, mobile, tel, ...), or -1.</summary>
    public static int GuessPhoneColumn(IReadOnlyList<string> header)
    {
        static string Simplify(string s) => new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        var simplified = header.Select(Simplify).ToList();
        foreach (var name in CsvLeadImporter.PhoneColumnNames)
        {
            var index = simplified.IndexOf(name);
            if (index >= 0)
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>The delimiter that splits the header line most often, outside quotes; comma when none does.</summary>
    public static char DetectDelimiter(string sampleText)
    {
        var best = ',';
        var bestCount = 0;
        foreach (var candidate in Delimiters)
        {
            var count = 0;
            var quoted = false;
            foreach (var c in sampleText)
            {
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (!quoted && c is '\n' or '\r')
                {
                    break;
                }
                else if (!quoted && c == candidate)
                {
                    count++;
                }
            }

            if (count > bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }

        return best;
    }

    internal static int TrimIncompleteUtf8(ReadOnlySpan<byte> sample)
    {
        // Walk back over at most 3 continuation bytes to the lead byte of the last sequence; drop it if incomplete.
        var end = sample.Length;
        for (var back = 1; back <= Math.Min(4, sample.Length); back++)
        {
            var b = sample[end - back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? end - back : end;
        }

        return end;
    }
}
