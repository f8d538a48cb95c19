using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Tests.Database;

public sealed class MigrationTests
{
    [Fact]
    public async Task Step_2_rebuilds_leads_keyed_by_number_and_keeps_every_lead_and_attempt()
    {
        await using var db = await TempDatabase.CreateAsync();
        var path = db.PathOf("v1.db");
        await using (var v1 = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await v1.OpenAsync();
            await v1.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
            await v1.ExecuteAsync(Migrations.Steps[0]);
            await v1.ExecuteAsync("PRAGMA user_version = 1;");
            await v1.ExecuteAsync("""
                INSERT INTO campaigns (id, name, state, time_zone, dial_template, destination_context, destination_extension,
                    destination_priority, ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows,
                    calling_hours, retry_policy, max_attempts, is_simulated, created_at, updated_at)
                VALUES (7, 'old', 'draft', 'UTC', 'Local/{number}@out', 'agents', 's', 1, 30000, '{}', 10, 1, '[]', '[]', '{}', '{}', 3, 1,
                    '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:00:00.0000000+00:00');
                INSERT INTO leads (id, campaign_id, phone, fields, time_zones, state, attempt_count, next_eligible_at, import_id, source_line)
                VALUES (40, 7, '+14155550123', '{"name":"Ann"}', '["America/Los_Angeles"]', 'waiting_retry', 1, '2026-01-02T00:00:00.0000000+00:00', NULL, 2),
                       (41, 7, '+442079460958', '{}', '["Europe/London"]', 'done', 1, NULL, NULL, 3);
                INSERT INTO attempts (id, lead_id, campaign_id, action_id, channel_id, server, state, created_at, outcome, is_simulated)
                VALUES (1, 40, 7, 'a1', 'c1', 'pbx', 'ended', '2026-01-01T00:00:00.0000000+00:00', 'busy', 1),
                       (2, 41, 7, 'a2', 'c2', 'pbx', 'ended', '2026-01-01T00:00:00.0000000+00:00', 'answered', 1);
                """);
        }

        var migrated = await AmiDialerDatabase.OpenAsync(path);
        Assert.Equal(AmiDialerDatabase.LatestVersion, migrated.SchemaVersion);
        await using var connection = await migrated.OpenConnectionAsync();
        var leads = (await connection.QueryAsync<(long Id, string Phone, long Key, string State, string? Due)>(
            "SELECT id, phone, phone_key, state, next_eligible_at FROM leads ORDER BY id")).ToList();
        Assert.Equal([(40L, "+14155550123", 14155550123L, "waiting_retry", "2026-01-02T00:00:00.0000000+00:00"), (41L, "+442079460958", 442079460958L, "done", null)], leads);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM attempts JOIN leads ON leads.id = attempts.lead_id"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("PRAGMA foreign_keys"));
        Assert.Empty(await connection.QueryAsync("PRAGMA foreign_key_check"));

        // The due-leads index came back, and the attempts still cascade from their lead.
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_leads_due'"));
        var plan = string.Join(" ", (await connection.QueryAsync("EXPLAIN QUERY PLAN SELECT id FROM leads WHERE campaign_id = 7 AND phone_key = 14155550123")).Select(r => (string)r.detail));
        Assert.Contains("USING", plan, StringComparison.Ordinal);
        await connection.ExecuteAsync("DELETE FROM leads WHERE id = 41");
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM attempts"));

        // The same number again in the campaign is refused by the new key.
        var e = await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync(
            "INSERT INTO leads (campaign_id, phone, phone_key, fields, time_zones, state) VALUES (7, '+14155550123', 14155550123, '{}', '[]', 'pending')"));
        Assert.Contains("UNIQUE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_that_would_break_a_reference_is_refused_and_changes_nothing()
    {
        await using var db = await TempDatabase.CreateAsync();
        var path = db.PathOf("orphans.db");
        await using (var v1 = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await v1.OpenAsync();
            await v1.ExecuteAsync(Migrations.Steps[0]);
            // With foreign keys off, an attempt whose lead never existed gets in, as from a damaged file.
            await v1.ExecuteAsync("""
                PRAGMA foreign_keys = OFF;
                PRAGMA user_version = 1;
                INSERT INTO attempts (id, lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated)
                VALUES (1, 999, 999, 'a1', 'c1', 'pbx', 'ended', '2026-01-01T00:00:00.0000000+00:00', 1);
                """);
        }

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => AmiDialerDatabase.OpenAsync(path));
        Assert.Contains("schema step 2", e.Message, StringComparison.Ordinal);
        await using var check = new SqliteConnection($"Data Source={path};Pooling=False");
        await check.OpenAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("PRAGMA user_version"));
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM pragma_table_info('leads') WHERE name = 'phone_key'"));
    }

    [Theory]
    [InlineData("+14155550123", 14155550123L)]
    [InlineData("+442079460958", 442079460958L)]
    [InlineData("+999999999999999", 999999999999999L)]
    public void Phone_key_is_the_digits_of_the_number(string e164, long key)
    {
        Assert.Equal(key, PhoneKey.FromE164(e164));
        Assert.Equal(key, PhoneKey.FromE164(System.Text.Encoding.UTF8.GetBytes(e164)));
    }

    [Theory]
    [InlineData("14155550123")]
    [InlineData("+1")]
    [InlineData("+0123456")]
    [InlineData("+1415555012a")]
    [InlineData("+1234567890123456")]
    [InlineData("")]
    public void Phone_key_refuses_what_is_not_e164(string text)
    {
        Assert.False(PhoneKey.TryFromE164(text, out _));
        Assert.Throws<FormatException>(() => PhoneKey.FromE164(text));
        Assert.Throws<FormatException>(() => PhoneKey.FromE164(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
