using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Data.Tests.Database.Schema;

/// <summary>
/// A schema as comparable lines, one per fact (table, column with its type family and nullability, primary key, unique
/// constraint, index, foreign key), read from SQLite's pragmas or PostgreSQL's catalogs. The type family mapping is the
/// Data README's: integers (any width) are <c>integer</c>, SQLite integer flags (<c>is_*</c>) and PostgreSQL booleans
/// <c>boolean</c>, REAL and double precision <c>real</c>, SQLite's instants (UTC ISO text in <c>*_at</c>, <c>at</c>,
/// <c>hour_utc</c>) and timestamptz <c>instant</c>, other text <c>text</c>. Primary key columns count as NOT NULL on both
/// sides (SQLite's pragma says otherwise for them). An index on an expression shows it as <c>&lt;expr&gt;</c>. Quartz's
/// <c>qrtz_*</c> tables and PostgreSQL's <c>schema_version</c> (SQLite keeps it in PRAGMA user_version) are left out.
/// </summary>
internal static class SchemaFacts
{
    public static async Task<SortedSet<string>> FromSqliteAsync(SqliteConnection connection)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var table in await ListAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'qrtz\\_%' ESCAPE '\\'"))
        {
            facts.Add($"table {table}");
            var pk = new SortedDictionary<long, string>();
            await using (var columns = await ReaderAsync(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"))
            {
                while (await columns.ReadAsync())
                {
                    var (name, type, notNull, pkOrder) = (columns.GetString(0), columns.GetString(1).ToUpperInvariant(), columns.GetInt64(2) == 1, columns.GetInt64(3));
                    if (pkOrder > 0)
                    {
                        pk[pkOrder] = name;
                    }

                    var family = type switch
                    {
                        "INTEGER" => name.StartsWith("is_", StringComparison.Ordinal) ? "boolean" : "integer",
                        "REAL" => "real",
                        "TEXT" => IsInstant(name) ? "instant" : "text",
                        _ => "sqlite " + type,
                    };
                    facts.Add($"column {table}.{name} {family} {(notNull || pkOrder > 0 ? "NOT NULL" : "NULL")}");
                }
            }

            if (pk.Count > 0)
            {
                facts.Add($"primary key {table} ({string.Join(", ", pk.Values)})");
            }

            await using (var fks = await ReaderAsync(connection, $"SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list('{table}')"))
            {
                while (await fks.ReadAsync())
                {
                    facts.Add($"foreign key {table} ({fks.GetString(0)}) -> {fks.GetString(1)} ({fks.GetString(2)}) on delete {fks.GetString(3).ToLowerInvariant()}");
                }
            }

            var indexes = new List<(string Name, bool Unique, string Origin, bool Partial)>();
            await using (var list = await ReaderAsync(connection, $"SELECT name, \"unique\", origin, partial FROM pragma_index_list('{table}')"))
            {
                while (await list.ReadAsync())
                {
                    indexes.Add((list.GetString(0), list.GetInt64(1) == 1, list.GetString(2), list.GetInt64(3) == 1));
                }
            }

            foreach (var index in indexes.Where(i => i.Origin != "pk"))
            {
                var columns = (await ListAsync(connection, $"SELECT coalesce(name, '<expr>') FROM pragma_index_info('{index.Name}') ORDER BY seqno")).ToList();
                facts.Add(index.Origin == "u"
                    ? $"unique constraint {table} ({string.Join(", ", columns)})"
                    : IndexFact(table, index.Name, columns, index.Unique, index.Partial));
            }
        }

        return facts;
    }

    public static async Task<SortedSet<string>> FromPostgresAsync(NpgsqlConnection connection)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        var tables = (await ListAsync(connection, """
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'qrtz\_%' AND table_name <> 'schema_version'
            """)).ToHashSet(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            facts.Add($"table {table}");
        }

        await using (var columns = await ReaderAsync(connection, "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'"))
        {
            while (await columns.ReadAsync())
            {
                if (!tables.Contains(columns.GetString(0)))
                {
                    continue;
                }

                var family = columns.GetString(2) switch
                {
                    "smallint" or "integer" or "bigint" => "integer",
                    "boolean" => "boolean",
                    "double precision" or "real" or "numeric" => "real",
                    "text" or "character varying" => "text",
                    "timestamp with time zone" => "instant",
                    var other => "postgres " + other,
                };
                facts.Add($"column {columns.GetString(0)}.{columns.GetString(1)} {family} {(columns.GetString(3) == "NO" ? "NOT NULL" : "NULL")}");
            }
        }

        // Constraints: keys in their declared column order; the delete rule of a foreign key as SQLite spells it.
        await using (var constraints = await ReaderAsync(connection, """
            SELECT rel.relname, con.contype::text,
                   array(SELECT att.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.n ORDER BY k.o),
                   coalesce(frel.relname::text, ''),
                   array(SELECT att.attname::text FROM unnest(coalesce(con.confkey, '{}')) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute att ON att.attrelid = con.confrelid AND att.attnum = k.n ORDER BY k.o),
                   CASE con.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default'
                                        WHEN 'r' THEN 'restrict' ELSE 'no action' END
            FROM pg_constraint con
            JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = rel.relnamespace
            LEFT JOIN pg_class frel ON frel.oid = con.confrelid
            WHERE ns.nspname = 'public' AND con.contype IN ('p', 'u', 'f')
            """))
        {
            while (await constraints.ReadAsync())
            {
                var table = constraints.GetString(0);
                if (!tables.Contains(table))
                {
                    continue;
                }

                var columns = string.Join(", ", constraints.GetFieldValue<string[]>(2));
                facts.Add(constraints.GetString(1) switch
                {
                    "p" => $"primary key {table} ({columns})",
                    "u" => $"unique constraint {table} ({columns})",
                    _ => $"foreign key {table} ({columns}) -> {constraints.GetString(3)} ({string.Join(", ", constraints.GetFieldValue<string[]>(4))}) on delete {constraints.GetString(5)}",
                });
            }
        }

        // Indexes a constraint made are that constraint's (above); the rest by name, each key as its column or <expr>.
        await using (var indexes = await ReaderAsync(connection, """
            SELECT t.relname, ic.relname, ix.indisunique, ix.indpred IS NOT NULL,
                   array(SELECT CASE WHEN ix.indkey[k - 1] = 0 THEN '<expr>' ELSE pg_get_indexdef(ix.indexrelid, k, true) END
                         FROM generate_series(1, ix.indnkeyatts) k ORDER BY k)
            FROM pg_index ix
            JOIN pg_class ic ON ic.oid = ix.indexrelid
            JOIN pg_class t ON t.oid = ix.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u'))
            """))
        {
            while (await indexes.ReadAsync())
            {
                if (tables.Contains(indexes.GetString(0)))
                {
                    facts.Add(IndexFact(indexes.GetString(0), indexes.GetString(1), indexes.GetFieldValue<string[]>(4), indexes.GetBoolean(2), indexes.GetBoolean(3)));
                }
            }
        }

        return facts;
    }

    /// <summary>What is only on one side and only on the other, as lines a reader can act on; empty when they agree.</summary>
    public static string Diff(SortedSet<string> sqlite, SortedSet<string> postgres)
    {
        var onlySqlite = sqlite.Except(postgres, StringComparer.Ordinal).ToList();
        var onlyPostgres = postgres.Except(sqlite, StringComparer.Ordinal).ToList();
        if (onlySqlite.Count == 0 && onlyPostgres.Count == 0)
        {
            return "";
        }

        return "The SQLite and PostgreSQL schemas differ (Migrations.cs vs PostgresMigrations.cs; type families as in the Data README):\n"
            + string.Concat(onlySqlite.Select(f => "  only in SQLite:     " + f + "\n"))
            + string.Concat(onlyPostgres.Select(f => "  only in PostgreSQL: " + f + "\n"));
    }

    private static bool IsInstant(string column) => column == "at" || column == "hour_utc" || column.EndsWith("_at", StringComparison.Ordinal);

    private static string IndexFact(string table, string name, IEnumerable<string> columns, bool unique, bool partial) =>
        $"index {table}.{name} ({string.Join(", ", columns)}){(unique ? " unique" : "")}{(partial ? " partial" : "")}";

    private static async Task<List<string>> ListAsync(System.Data.Common.DbConnection connection, string sql)
    {
        var values = new List<string>();
        await using var reader = await ReaderAsync(connection, sql);
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task<System.Data.Common.DbDataReader> ReaderAsync(System.Data.Common.DbConnection connection, string sql)
    {
        // The command is left to the reader: SQLite closes a reader whose command is disposed.
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteReaderAsync();
    }
}
