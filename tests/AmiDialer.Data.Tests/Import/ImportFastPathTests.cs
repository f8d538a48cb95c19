using System.Globalization;
using AmiDialer.Data.Import;
using PhoneNumbers;

namespace AmiDialer.Data.Tests.Import;

/// <summary>
/// The import's shortcuts (US numbers read without libphonenumber's parser, zones from its map, the writer's sizing)
/// must give exactly what the library's own calls give: the same numbers kept, the same zones, the same rejections.
/// </summary>
public sealed class ImportFastPathTests
{
    // Each written as a person or an export would; several look like E.164 and are not valid for their region.
    private static readonly string[] Raw =
    [
        "(212) 555-0100", "212.555.0101", "1-212-555-0102", "+1 907 555 0103", "808 555 0104", "800 555 0105",
        "+1 204 555 0106", "+1 (999) 555-0107", "+1 212 155 0108", "+12125550109", "'+12125550110", "  2125550111 ",
        "+44 20 7946 0958", "+39 06 1234 5678", "+1 212 555 01000", "+1 684 555 0112", "+1 787 555 0113",
        "+1 876 555 0114", "+19995550115", "+1 212 555 010", "+1 900 555 0116", "+1 500 555 0117", "212/555/0118",
        "+1-212-055-0119", "2125550100",
    ];

    [Fact]
    public async Task Every_number_is_kept_or_rejected_with_the_zones_libphonenumber_gives()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        var csv = "phone,row\n" + string.Concat(Raw.Select((r, i) => $"\"{r}\",{i}\n"));
        await File.WriteAllTextAsync(db.PathOf("numbers.csv"), csv);

        var result = await db.Importer.ImportFileAsync(db.PathOf("numbers.csv"), new CsvImportOptions { CampaignId = campaign.Id, ErrorCsvPath = db.PathOf("errors.csv") });

        var util = PhoneNumberUtil.GetInstance();
        var mapper = PhoneNumberToTimeZonesMapper.GetInstance();
        var expected = new Dictionary<int, (string E164, string[] Zones)>();
        var seen = new HashSet<string>();
        var invalid = new List<int>();
        for (var i = 0; i < Raw.Length; i++)
        {
            PhoneNumber? parsed;
            try
            {
                parsed = util.Parse(Raw[i].Trim().TrimStart('\''), "US");
            }
            catch (NumberParseException)
            {
                parsed = null;
            }

            if (parsed is null || !util.IsValidNumber(parsed))
            {
                invalid.Add(i);
                continue;
            }

            var e164 = util.Format(parsed, PhoneNumberFormat.E164);
            if (seen.Add(e164))
            {
                expected[i] = (e164, [.. mapper.GetTimeZonesForNumber(parsed).Where(z => z != mapper.GetUnknownTimeZone())]);
            }
        }

        Assert.Equal(expected.Count, result.Imported);
        Assert.Equal(invalid.Count, result.Rejected);
        Assert.Equal(Raw.Length - expected.Count - invalid.Count, result.Duplicates);
        var leads = await db.Leads.GetDueAsync(campaign.Id, db.Time.GetUtcNow(), 100);
        var stored = leads.ToDictionary(l => int.Parse(l.Fields["row"], CultureInfo.InvariantCulture), l => (l.PhoneE164, l.TimeZones.ToArray()));
        Assert.Equal(expected.Keys.Order(), stored.Keys.Order());
        foreach (var (row, (e164, zones)) in expected)
        {
            Assert.Equal(e164, stored[row].PhoneE164);
            Assert.Equal(zones, stored[row].Item2);
        }

        // Rejected rows by line (the header is line 1), each with the normaliser's reason.
        Assert.Equal(invalid.Select(i => (long)i + 2), result.FirstErrors.Select(e => e.Line));
        Assert.Equal("invalid for region US", result.FirstErrors.Single(e => e.Line == Array.IndexOf(Raw, "+1 (999) 555-0107") + 2).Reason);
        Assert.Contains(expected.Values, v => v.Zones.Length > 1);
        Assert.Contains(expected.Values, v => v.E164.StartsWith("+39", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1000, 50, 100_000, 5000)]
    [InlineData(1000, 50, 100_000_000_000, 4_000_000)]
    [InlineData(1000, 0, 100_000, 0)]
    public void A_writer_is_told_about_as_many_rows_as_the_first_bytes_suggest(int prefixBytes, int newlines, long total, int rows)
    {
        var prefix = new byte[prefixBytes];
        Array.Fill(prefix, (byte)'x');
        for (var i = 0; i < newlines; i++)
        {
            prefix[(i * (prefixBytes / Math.Max(1, newlines))) + 1] = (byte)'\n';
        }

        Assert.Equal(rows, CsvLeadImporter.ExpectedRows(prefix, complete: false, total));
        Assert.Equal(0, CsvLeadImporter.ExpectedRows(prefix, complete: true, total));
        Assert.Equal(0, CsvLeadImporter.ExpectedRows(prefix, complete: false, totalBytes: null));
    }
}
