using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AmiDialer.Data.Database;
using AmiDialer.Data.Phones;

namespace AmiDialer.Data.Import;

public sealed partial class CsvLeadImporter
{
    private static async Task ValidateChunks(Job job, ChannelReader<Chunk> work, CancellationToken cancellationToken)
    {
        await foreach (var chunk in work.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                using var json = new Utf8JsonWriter(chunk.Bytes);
                foreach (var row in chunk.Rows)
                {
                    if (row.Error is null)
                    {
                        Validate(job, row, chunk.Bytes, json);
                    }
                }

                chunk.Validated.TrySetResult();
            }
            catch (Exception e)
            {
                chunk.Validated.TrySetException(e);
                throw;
            }
        }
    }

    /// <summary>Normalises the number and writes what the insert binds (number and fields as UTF-8) into the chunk's buffer.</summary>
    private static void Validate(Job job, Row row, ChunkBytes bytes, Utf8JsonWriter json)
    {
        var cells = row.Cells;
        var raw = job.PhoneIndex < cells.Length ? cells[job.PhoneIndex] : "";
        var check = job.Normalizer.Normalize(raw);
        if (!check.IsValid)
        {
            row.Error = new RowError(row.Line, job.Header[job.PhoneIndex], check.Message!) { Value = raw };
            return;
        }

        var e164 = check.E164!;
        row.Blocked = job.Blocked.Contains(e164);
        row.ZonesJson = job.ZonesJson(check.TimeZones);
        row.PhoneStart = bytes.WrittenCount;
        row.PhoneLength = Encoding.UTF8.GetBytes(e164, bytes.GetSpan(Encoding.UTF8.GetMaxByteCount(e164.Length)));
        bytes.Advance(row.PhoneLength);

        row.FieldsStart = bytes.WrittenCount;
        json.Reset(bytes);
        json.WriteStartObject();
        foreach (var (i, name) in job.FieldColumns)
        {
            json.WriteString(name, i < cells.Length ? UnNeutralise(cells[i]) : "");
        }

        json.WriteEndObject();
        json.Flush();
        row.FieldsLength = bytes.WrittenCount - row.FieldsStart;

        // Rows wait for the writer after this: without their strings they are cheap for the GC to carry.
        row.DropCells();
    }

    private sealed class Job(PhoneNormalizer normalizer, HashSet<string> blocked, string[] header, int phoneIndex, int[] fieldColumns)
    {
        private readonly ConcurrentDictionary<IReadOnlyList<string>, byte[]> zonesJson = new(ReferenceEqualityComparer.Instance);

        public PhoneNormalizer Normalizer => normalizer;
        public HashSet<string> Blocked => blocked;
        public string[] Header => header;
        public int PhoneIndex => phoneIndex;

        /// <summary>The kept columns with their JSON names, escaped once for the whole file.</summary>
        public (int Index, JsonEncodedText Name)[] FieldColumns { get; } = [.. fieldColumns.Select(i => (i, JsonEncodedText.Encode(header[i])))];

        // Zone lists are interned by the normaliser, so their JSON is made once per list.
        public byte[] ZonesJson(IReadOnlyList<string> zones) =>
            zonesJson.GetOrAdd(zones, static z => JsonSerializer.SerializeToUtf8Bytes(z.ToList(), DataJson.Default.ListString));
    }

    /// <summary>Rows handed from the reader to a validation worker and then to the writer, in file order.</summary>
    private sealed class Chunk
    {
        public List<Row> Rows { get; } = new(ChunkRows);
        public ChunkBytes Bytes { get; } = new();
        public TaskCompletionSource Validated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string? Fatal { get; set; }

        /// <summary>Called by the writer once the rows are stored: the buffer goes back to the pool.</summary>
        public void Release() => Bytes.Return();
    }

    /// <summary>The UTF-8 values of a chunk's rows in one pooled buffer (a chunk's worth is too big for a cheap allocation).</summary>
    private sealed class ChunkBytes : IBufferWriter<byte>
    {
        private byte[] buffer = [];

        public int WrittenCount { get; private set; }

        public ReadOnlySpan<byte> Slice(int start, int length) => buffer.AsSpan(start, length);

        public void Advance(int count) => WrittenCount += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return buffer.AsMemory(WrittenCount);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return buffer.AsSpan(WrittenCount);
        }

        public void Return()
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = [];
            }
        }

        private void Ensure(int sizeHint)
        {
            var needed = WrittenCount + Math.Max(sizeHint, 256);
            if (needed <= buffer.Length)
            {
                return;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(buffer.Length * 2, 64 * 1024)));
            buffer.AsSpan(0, WrittenCount).CopyTo(bigger);
            Return();
            buffer = bigger;
        }
    }

    private sealed class Row(long line, string[] cells)
    {
        public long Line { get; } = line;
        /// <summary>The cells as read; dropped once a row is validated, as only a rejected row needs them again.</summary>
        public string[] Cells { get; private set; } = cells;

        public void DropCells() => Cells = [];
        public RowError? Error { get; set; }
        public bool Blocked { get; set; }
        public int PhoneStart { get; set; }
        public int PhoneLength { get; set; }
        public int FieldsStart { get; set; }
        public int FieldsLength { get; set; }
        public byte[] ZonesJson { get; set; } = [];
    }
}
