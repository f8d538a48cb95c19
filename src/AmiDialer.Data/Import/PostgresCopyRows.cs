using System.Buffers;
using System.Buffers.Binary;

namespace AmiDialer.Data.Import;

/// <summary>
/// One batch's leads in PostgreSQL's binary <c>COPY</c> format (the columns of <see cref="Columns"/>), written straight from
/// the importer's UTF-8 bytes: no string per value, no per-field call into Npgsql. The rows are kept in pooled segments
/// until the batch commits, so a batch that must go the slow way (<see cref="PostgresLeadImportWriter"/>) can be sent again.
/// </summary>
internal sealed class PostgresCopyRows : IDisposable
{
    public const string Columns = "campaign_id, phone, fields, time_zones, state, next_eligible_at, import_id, source_line";

    // PGCOPY\n\377\r\n\0, then the flags and the header extension's length (both 0).
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] Trailer = [0xFF, 0xFF];
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private const int SegmentSize = 1 << 20;
    private const short FieldCount = 8;

    private readonly List<(byte[] Array, int Length)> segments = [];
    private readonly long campaignId;
    private readonly long importId;
    private readonly long eligibleAtMicros;
    private int sentSegments;
    private int sentLength;

    public PostgresCopyRows(long campaignId, long importId, DateTime eligibleAtUtc)
    {
        this.campaignId = campaignId;
        this.importId = importId;
        // What Npgsql writes for a DateTime: microseconds since 2000-01-01 UTC, the ticks' seventh digit dropped.
        eligibleAtMicros = (eligibleAtUtc.Ticks - PostgresEpochTicks) / 10;
    }

    /// <summary>Rows added since <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    public void Clear()
    {
        foreach (var (array, _) in segments)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        segments.Clear();
        (sentSegments, sentLength, Count) = (0, 0, 0);
    }

    /// <summary>A lead: pending and due at the import's start, or blocked (on the do-not-call list) and never due.</summary>
    public void Add(ReadOnlySpan<byte> phone, ReadOnlySpan<byte> fields, ReadOnlySpan<byte> zones, bool blocked, long sourceLine)
    {
        ReadOnlySpan<byte> state = blocked ? "blocked"u8 : "pending"u8;
        var size = 2 + (8 * 4) + 8 + phone.Length + fields.Length + zones.Length + state.Length + (blocked ? 0 : 8) + 8 + 8;
        var span = Reserve(size);
        BinaryPrimitives.WriteInt16BigEndian(span, FieldCount);
        var at = 2;
        at = Int64(span, at, campaignId);
        at = Bytes(span, at, phone);
        at = Bytes(span, at, fields);
        at = Bytes(span, at, zones);
        at = Bytes(span, at, state);
        if (blocked)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[at..], -1);
            at += 4;
        }
        else
        {
            at = Int64(span, at, eligibleAtMicros);
        }

        at = Int64(span, at, importId);
        _ = Int64(span, at, sourceLine);
        var (array, length) = segments[^1];
        segments[^1] = (array, length + size);
        Count++;
    }

    public static ValueTask WriteHeaderAsync(Stream copy, CancellationToken cancellationToken) => copy.WriteAsync(Header, cancellationToken);

    public static ValueTask WriteTrailerAsync(Stream copy, CancellationToken cancellationToken) => copy.WriteAsync(Trailer, cancellationToken);

    /// <summary>Writes the rows added since the last call (as the rows arrive, so the server works while the file is read).</summary>
    public async ValueTask SendNewAsync(Stream copy, CancellationToken cancellationToken)
    {
        while (sentSegments < segments.Count)
        {
            var (array, length) = segments[sentSegments];
            if (length > sentLength)
            {
                await copy.WriteAsync(array.AsMemory(sentLength, length - sentLength), cancellationToken).ConfigureAwait(false);
            }

            if (sentSegments == segments.Count - 1)
            {
                sentLength = length;
                return;
            }

            (sentSegments, sentLength) = (sentSegments + 1, 0);
        }
    }

    /// <summary>Writes every row of the batch again, to another COPY.</summary>
    public async ValueTask SendAllAsync(Stream copy, CancellationToken cancellationToken)
    {
        foreach (var (array, length) in segments)
        {
            await copy.WriteAsync(array.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => Clear();

    private Span<byte> Reserve(int size)
    {
        if (segments.Count == 0 || segments[^1].Array.Length - segments[^1].Length < size)
        {
            segments.Add((ArrayPool<byte>.Shared.Rent(Math.Max(SegmentSize, size)), 0));
        }

        var (array, length) = segments[^1];
        return array.AsSpan(length, size);
    }

    private static int Int64(Span<byte> span, int at, long value)
    {
        BinaryPrimitives.WriteInt32BigEndian(span[at..], 8);
        BinaryPrimitives.WriteInt64BigEndian(span[(at + 4)..], value);
        return at + 12;
    }

    private static int Bytes(Span<byte> span, int at, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt32BigEndian(span[at..], value.Length);
        value.CopyTo(span[(at + 4)..]);
        return at + 4 + value.Length;
    }
}
