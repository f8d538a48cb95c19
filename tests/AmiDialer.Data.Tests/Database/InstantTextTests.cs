using System.Globalization;
using AmiDialer.Data.Database;

namespace AmiDialer.Data.Tests.Database;

public sealed class InstantTextTests
{
    public static TheoryData<string> Instants => new()
    {
        "2026-11-27T15:06:06.1234567+00:00",
        "2026-03-08T06:59:59.9999999-05:00",
        "0001-01-01T00:00:00.0000000+00:00",
        "9999-12-31T23:59:59.9999999+00:00",
        "2024-02-29T12:00:00.0000001+13:45",
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void An_instant_is_stored_as_fixed_width_utc_text_and_read_back_to_the_tick(string text)
    {
        var instant = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

        var stored = DapperTypeHandlers.ToDb(instant);

        // The documented pattern, spelled out: files written by earlier builds hold exactly this.
        Assert.Equal(instant.UtcDateTime.ToString(DapperTypeHandlers.InstantFormat, CultureInfo.InvariantCulture), stored);
        Assert.Equal(28, stored.Length);
        var read = DapperTypeHandlers.FromDb(stored);
        Assert.Equal(instant.UtcTicks, read.UtcTicks);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    [Fact]
    public void Stored_instants_sort_as_text_in_time_order()
    {
        var random = new Random(7);
        var instants = Enumerable.Range(0, 2000)
            .Select(_ => new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), TimeSpan.Zero))
            .ToList();

        var byText = instants.OrderBy(DapperTypeHandlers.ToDb, StringComparer.Ordinal).ToList();

        Assert.Equal(instants.Order(), byText);
        Assert.All(instants, i => Assert.Equal(i, DapperTypeHandlers.FromDb(DapperTypeHandlers.ToDb(i))));
    }

    [Theory]
    [InlineData("2026-11-27 15:06:06")]
    [InlineData("2026-11-27T15:06:06.1234567")]
    [InlineData("2026-11-27T15:06:06.123456Z")]
    [InlineData("2026-13-27T15:06:06.1234567Z")]
    [InlineData("2026-11-27T15:06:06.1234567+01:00")]
    [InlineData("not a time at all, but 28 Z")]
    public void Text_that_is_not_a_stored_instant_is_refused(string text) =>
        Assert.Throws<FormatException>(() => DapperTypeHandlers.FromDb(text));
}
