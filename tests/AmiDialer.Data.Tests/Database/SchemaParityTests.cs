using AmiDialer.Data.Database;
using AmiDialer.Data.Tests.Database.Schema;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Database;

/// <summary>The SQLite and PostgreSQL migrations build the same schema: same steps, tables, columns, keys and indexes.</summary>
public sealed class SchemaParityTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [PostgresFact]
    public async Task A_fresh_sqlite_file_and_a_fresh_postgres_database_migrate_to_the_same_schema()
    {
        Assert.Equal(AmiDialerDatabase.LatestVersion, PostgresSchema.LatestVersion);

        await using var sqlite = await TempDatabase.CreateAsync();
        await using var sqliteConnection = await sqlite.Database.OpenSqliteConnectionAsync();
        var sqliteFacts = await SchemaFacts.FromSqliteAsync(sqliteConnection);

        var connectionString = await postgres.CreateDatabaseAsync("parity");
        Assert.Equal(PostgresSchema.LatestVersion, await PostgresSchema.MigrateAsync(connectionString));
        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync();
        var postgresFacts = await SchemaFacts.FromPostgresAsync(pg);

        // Not vacuous: the comparison saw the schema's promises on both sides.
        foreach (var fact in new[]
        {
            "index attempts.ux_attempts_open_lead (lead_id) unique partial",
            "index dnc.ux_dnc_number_scope (number, <expr>) unique",
            "unique constraint leads (campaign_id, phone)",
            "column leads.next_eligible_at instant NULL",
            "foreign key attempts (lead_id) -> leads (id) on delete cascade",
        })
        {
            Assert.Contains(fact, sqliteFacts);
        }

        var diff = SchemaFacts.Diff(sqliteFacts, postgresFacts);
        Assert.True(diff.Length == 0, diff);
    }
}
