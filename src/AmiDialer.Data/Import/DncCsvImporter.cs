using System.Globalization;
using AmiDialer.Data.Database;
using AmiDialer.Data.Phones;
using AmiDialer.Data.Repositories;
using CsvHelper;
using CsvHelper.Configuration;

namespace AmiDialer.Data.Import;

/// <summary>What a do-not-call list import did.</summary>
public sealed record DncImportResult(long RowsRead, long Added, long AlreadyListed, long Rejected, IReadOnlyList<RowError> FirstErrors);

/// <summary>
/// Imports a do-not-call list: a CSV with a phone column (found by name like lead imports), or a bare list of
/// numbers one per line with no header. Numbers are normalised like leads; bad ones are reported by line.
/// </summary>
public sealed class DncCsvImporter(AmiDialerDatabase database, TimeProvider time)
{
    private const int BatchSize = 5_000;

    public async Task<DncImportResult> ImportAsync(Stream stream, string fileName, long? campaignId, string actor, string defaultRegion = "US", string? phoneColumn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var normalizer = new PhoneNormalizer(defaultRegion);
        var repository = new DncRepository(database, time);
        var prefix = new byte[CsvSniffer.SampleBytes];
        var length = 0;
        int n;
        while (length < prefix.Length && (n = await stream.ReadAsync(prefix.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += n;
        }

        if (length == 0)
        {
            throw new CsvImportRefusedException($"{fileName} is empty.");
        }

        var encoding = await EncodingScan.DetectAsync(stream, prefix.AsMemory(0, length), length < prefix.Length, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(new SniffedStream(prefix, length, stream), encoding, detectEncodingFromByteOrderMarks: true);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = CsvSniffer.DetectDelimiter(encoding.GetString(prefix, 0, length)).ToString(),
            IgnoreBlankLines = true,
            BadDataFound = null,
        };
        using var parser = new CsvParser(reader, config);

        var column = -1;
        long read = 0, added = 0, listed = 0, rejected = 0;
        var errors = new List<RowError>();
        var batch = new List<string>(BatchSize);
        var first = true;
        while (parser.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cells = parser.Record ?? [];
            if (first)
            {
                first = false;
                column = FindColumn(cells, phoneColumn, normalizer);
                if (column < 0)
                {
                    throw new CsvImportRefusedException($"{fileName} has no phone column (columns: {string.Join(", ", cells)}).");
                }

                if (!normalizer.Normalize(cells[column]).IsValid)
                {
                    continue; // a header row
                }
            }

            read++;
            var check = normalizer.Normalize(column < cells.Length ? cells[column] : "");
            if (!check.IsValid)
            {
                rejected++;
                if (errors.Count < 1000)
                {
                    errors.Add(new RowError(parser.RawRow, (column + 1).ToString(CultureInfo.InvariantCulture), check.Message!));
                }

                continue;
            }

            batch.Add(check.E164!);
            if (batch.Count == BatchSize)
            {
                await Flush().ConfigureAwait(false);
            }
        }

        await Flush().ConfigureAwait(false);
        return new DncImportResult(read, added, listed, rejected, errors);

        async Task Flush()
        {
            if (batch.Count == 0)
            {
                return;
            }

            var distinct = batch.Distinct(StringComparer.Ordinal).ToList();
            var newOnes = await repository.AddManyAsync(distinct, campaignId, DncSource.Import, actor, fileName, cancellationToken).ConfigureAwait(false);
            added += newOnes;
            listed += batch.Count - newOnes;
            batch.Clear();
        }
    }

    private static int FindColumn(string[] firstRow, string? given, PhoneNormalizer normalizer)
    {
        if (given is not null)
        {
            return Array.FindIndex(firstRow, h => string.Equals(h.Trim(), given, StringComparison.OrdinalIgnoreCase));
        }

        static string Simplify(string s) => new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        var simplified = firstRow.Select(Simplify).ToArray();
        foreach (var name in CsvLeadImporter.PhoneColumnNames)
        {
            var index = Array.IndexOf(simplified, name);
            if (index >= 0)
            {
                return index;
            }
        }

        // No header: a bare list, the number in the first cell that reads as one.
        return Array.FindIndex(firstRow, c => normalizer.Normalize(c).IsValid);
    }
}
