using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AmiDialer.Web.Infrastructure;

/// <summary>
/// Every instant the API writes is UTC with <c>Z</c> (<c>2026-12-07T14:00:00Z</c>), whatever offset it was read with,
/// so one response never mixes zones; pages show the campaign's zone instead, named. Reading takes any ISO offset.
/// </summary>
internal sealed class UtcTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
    }
}
