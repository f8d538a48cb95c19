namespace AmiDialer.Data.Database;

/// <summary>What <see cref="SqliteToPostgres.CopyAsync"/> copied: the source file, the target (no password), each table's rows.</summary>
public sealed record SqliteToPostgresResult(string Source, string Target, IReadOnlyList<CopiedTable> Tables);

/// <summary>One table copied, with its row count (checked equal on both sides).</summary>
public sealed record CopiedTable(string Table, long Rows);
