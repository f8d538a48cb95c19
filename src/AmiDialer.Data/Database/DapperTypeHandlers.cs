using System.Data;
using System.Globalization;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace AmiDialer.Data.Database;

/// <summary>
/// How values are stored: instants as fixed-width UTC ISO-8601 text on SQLite (sortable as text, readable in the
/// sqlite3 shell) and as timestamptz on PostgreSQL (Npgsql refuses text for it), durations as whole milliseconds, GUIDs
/// as canonical text. Dapper's handlers are global, so each looks at the parameter it fills to know the engine.
/// </summary>
internal static class DapperTypeHandlers
{
    private static int registered;

    public const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1)
        {
            return;
        }

        // Dapper binds these types itself unless their built-in mapping is removed first; then the handlers apply to
        // parameters as well as to results.
        foreach (var type in new[] { typeof(DateTimeOffset), typeof(DateTimeOffset?), typeof(TimeSpan), typeof(TimeSpan?), typeof(Guid), typeof(Guid?) })
        {
            SqlMapper.RemoveTypeMap(type);
        }

        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new TimeSpanHandler());
        SqlMapper.AddTypeHandler(new GuidHandler());
    }

    // The round-trip format "O" of a UTC DateTime is InstantFormat character for character, and the runtime formats
    // and parses it on a fast path instead of interpreting a custom pattern: the dialer converts a few instants per call.
    public static string ToDb(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static string? ToDb(DateTimeOffset? value) => value is { } v ? ToDb(v) : null;

    public static DateTimeOffset FromDb(string text) =>
        text.Length == InstantLength && text[^1] == 'Z'
            ? DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : DateTimeOffset.ParseExact(text, InstantFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Characters in a stored instant: 2026-11-27T15:06:06.1234567Z.</summary>
    private const int InstantLength = 28;

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is NpgsqlParameter postgres)
            {
                // timestamptz takes a UTC instant (Npgsql refuses another offset) and keeps microseconds (the text keeps 100 ns).
                postgres.NpgsqlDbType = NpgsqlDbType.TimestampTz;
                postgres.Value = value.ToUniversalTime();
                return;
            }

            parameter.DbType = DbType.String;
            parameter.Value = ToDb(value);
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            string s => FromDb(s),
            // Npgsql reads timestamptz as a UTC DateTime.
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            DateTimeOffset dto => dto.ToUniversalTime(),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as an instant."),
        };
    }

    private sealed class TimeSpanHandler : SqlMapper.TypeHandler<TimeSpan>
    {
        public override void SetValue(IDbDataParameter parameter, TimeSpan value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = (long)value.TotalMilliseconds;
        }

        public override TimeSpan Parse(object value) => TimeSpan.FromMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = value.ToString("D");
        }

        public override Guid Parse(object value) => value switch
        {
            string s => Guid.Parse(s),
            byte[] b => new Guid(b),
            Guid g => g,
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a GUID."),
        };
    }
}
