using System.Globalization;
using System.Text;
using AmiDialer.Data.Import;

namespace AmiDialer.Data.Tests.Import;

public sealed class ImportPhoneSetTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(50_000)]
    public void It_says_new_exactly_when_the_text_of_the_number_was_not_added_before(int reserved)
    {
        var set = new ImportPhoneSet();
        set.Reserve(reserved);
        var reference = new HashSet<string>(StringComparer.Ordinal);
        var random = new Random(23);
        for (var i = 0; i < 200_000; i++)
        {
            // Neighbouring numbers, repeats, the longest E.164 values and texts that are not E.164 (kept as text).
            var phone = (i % 7) switch
            {
                0 => string.Create(CultureInfo.InvariantCulture, $"+1212555{random.Next(0, 10000):0000}"),
                1 => string.Create(CultureInfo.InvariantCulture, $"+{random.NextInt64(100_000_000_000_000_000, 1_000_000_000_000_000_000)}"),
                2 => string.Create(CultureInfo.InvariantCulture, $"+{random.Next(1, 100)}"),
                3 => string.Create(CultureInfo.InvariantCulture, $"+0{random.Next(0, 1000)}"),
                4 => string.Create(CultureInfo.InvariantCulture, $"x{random.Next(0, 1000)}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"+{random.NextInt64(10_000_000_000, 20_000_000_000)}"),
            };
            var added = i % 2 == 0 ? set.Add(phone) : set.Add(Encoding.UTF8.GetBytes(phone));
            Assert.True(reference.Add(phone) == added, $"{phone} at {i}");
        }

        Assert.Equal(reference.Count, set.Count);
        Assert.All(reference.Take(1000), phone => Assert.False(set.Add(phone)));
    }
}
