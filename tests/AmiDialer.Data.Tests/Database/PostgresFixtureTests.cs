using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Database;

public sealed class PostgresFixtureTests
{
    [PostgresFact]
    public async Task Fixture_starts_a_cluster_on_loopback_with_separate_databases_and_removes_it_on_dispose()
    {
        var fixture = new PostgresFixture();
        await fixture.InitializeAsync();
        string folder;
        string first;
        try
        {
            folder = fixture.Folder!;
            Assert.True(Directory.Exists(Path.Combine(folder, "data")));

            first = await fixture.CreateDatabaseAsync("fixture");
            var second = await fixture.CreateDatabaseAsync("fixture");
            Assert.NotEqual(first, second);

            await using (var a = new NpgsqlConnection(first))
            {
                await a.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE TABLE only_here (id int); SELECT current_database(), inet_server_addr()::text, current_setting('server_version_num')::int", a);
                await using var reader = await create.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                Assert.Equal("fixture_1", reader.GetString(0));
                Assert.StartsWith("127.0.0.1", reader.GetString(1), StringComparison.Ordinal);
                Assert.True(reader.GetInt32(2) >= 150000, "PostgreSQL 15 or newer");
            }

            await using (var b = new NpgsqlConnection(second))
            {
                await b.OpenAsync();
                await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'", b);
                Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
            }
        }
        finally
        {
            await fixture.DisposeAsync();
        }

        Assert.False(Directory.Exists(folder), "the cluster's folder is removed");
        await using var after = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(first) { Timeout = 5, Pooling = false }.ConnectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.OpenAsync());
    }
}
