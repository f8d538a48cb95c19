using AmiDialer.Cli;
using AmiDialer.Configuration;
using AmiDialer.Testing.Postgres;
using AmiDialer.Tests.Executable;
using Microsoft.Extensions.Configuration;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// <c>Database:Provider</c> and <c>Database:ConnectionString</c>: validated with the key named, a URI converted, and
/// through the real executable a PostgreSQL store migrated and used (no SQLite file touched), or a server that cannot
/// be reached named in one clear error.
/// </summary>
public sealed class DatabaseProviderTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly CliRunner _runner = new();
    private readonly PostgresFixture _postgres = postgres;

    [Fact]
    public void Sqlite_is_the_default_and_a_connection_string_without_the_postgres_provider_is_refused()
    {
        Assert.Equal(DatabaseProvider.Sqlite, Load(new()).Database.Provider);

        var ex = Assert.Throws<SettingsException>(() => Load(new() { ["Database:ConnectionString"] = "Host=h;Database=d" }));
        Assert.StartsWith("Database:ConnectionString is set but Database:Provider is Sqlite", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_needs_a_usable_connection_string_and_the_error_names_the_key()
    {
        var unknown = Assert.Throws<SettingsException>(() => Load(new() { ["Database:Provider"] = "Mysql" }));
        Assert.Equal("Database:Provider: 'Mysql' is not one of Sqlite, Postgres.", Assert.Single(unknown.Errors));

        var missing = Assert.Throws<SettingsException>(() => Load(new() { ["Database:Provider"] = "Postgres" }));
        Assert.StartsWith("Database:ConnectionString must be set when Database:Provider is Postgres", Assert.Single(missing.Errors), StringComparison.Ordinal);

        var bad = Assert.Throws<SettingsException>(() => Load(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = "postgres://u:hunter2@db1/" }));
        Assert.Equal("Database:ConnectionString names no database (Database=... or postgres://host/database).", Assert.Single(bad.Errors));
    }

    [Fact]
    public void A_valid_postgres_uri_is_converted_and_accepted()
    {
        var settings = new AmiDialerSettings();
        settings.Database.Provider = DatabaseProvider.Postgres;
        settings.Database.ConnectionString = "postgres://dialer:hunter2@db1:5433/amidialer";

        var errors = SettingsValidator.Validate(settings, SettingsUse.None);

        Assert.Empty(errors);
        var b = new Npgsql.NpgsqlConnectionStringBuilder(settings.Database.ConnectionString);
        Assert.Equal(("db1", 5433, "amidialer", "dialer", "hunter2"), (b.Host, b.Port, b.Database, b.Username, b.Password));
    }

    [PostgresFact]
    public async Task The_executable_keeps_campaigns_in_postgres_migrating_it_at_start_and_writes_no_sqlite_file()
    {
        var database = new Npgsql.NpgsqlConnectionStringBuilder(await _postgres.CreateDatabaseAsync("cli"));
        var env = new Dictionary<string, string>
        {
            ["AMIDIALER_Database__Provider"] = "Postgres",
            ["AMIDIALER_Database__ConnectionString"] = $"postgres://{database.Username}@{database.Host}:{database.Port}/{database.Database}",
        };

        var check = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, "config", "check");
        Assert.True(check.Code == AmiDialerCli.Success, check.ToString());
        Assert.Contains($"Database: postgres://{database.Host}:{database.Port}/{database.Database}", check.Output, StringComparison.Ordinal);

        var create = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, "campaign", "create", "pg-first", "--db", _runner.DatabasePath);
        Assert.True(create.Code == AmiDialerCli.Success, create.ToString());
        var list = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, "campaign", "list", "--db", _runner.DatabasePath);
        Assert.True(list.Code == AmiDialerCli.Success, list.ToString());
        Assert.Contains("pg-first", list.Output, StringComparison.Ordinal);

        await using (var connection = new Npgsql.NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM campaigns WHERE name = 'pg-first'", connection);
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }

        Assert.False(File.Exists(_runner.DatabasePath), "a SQLite file was opened although the provider is Postgres");
    }

    [Fact]
    public async Task An_unreachable_postgres_exits_1_naming_the_server_without_the_password_or_a_sqlite_file()
    {
        // A loopback port nobody listens on: bound, then released.
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var env = new Dictionary<string, string>
        {
            ["AMIDIALER_Database__Provider"] = "Postgres",
            ["AMIDIALER_Database__ConnectionString"] = $"postgres://dialer:hunter2@127.0.0.1:{port}/amidialer",
        };

        var r = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, "campaign", "list", "--db", _runner.DatabasePath);

        Assert.True(r.Code == AmiDialerCli.Failure, r.ToString());
        Assert.StartsWith($"Cannot reach PostgreSQL at 127.0.0.1:{port} (Database:ConnectionString): ", r.Error, StringComparison.Ordinal);
        Assert.Contains("Database:ConnectionString", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", r.Output + r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_runner.DatabasePath), "a SQLite file was opened although the provider is Postgres");
    }

    private static AmiDialerSettings Load(Dictionary<string, string?> values) =>
        SettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), SettingsUse.None);

    public void Dispose() => _runner.Dispose();
}
