using AmiDialer.Cli;
using AmiDialer.Configuration;
using AmiDialer.Tests.Executable;
using Microsoft.Extensions.Configuration;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// <c>Database:Provider</c> and <c>Database:ConnectionString</c>: validated with the key named, a URI converted, and
/// PostgreSQL refused at start-up (through the real executable) until its store exists, without touching SQLite.
/// </summary>
public sealed class DatabaseProviderTests : IDisposable
{
    private readonly CliRunner _runner = new();

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
    public void A_valid_postgres_uri_is_converted_and_only_the_missing_store_is_reported()
    {
        var settings = new AmiDialerSettings();
        settings.Database.Provider = DatabaseProvider.Postgres;
        settings.Database.ConnectionString = "postgres://dialer:hunter2@db1:5433/amidialer";

        var errors = SettingsValidator.Validate(settings, SettingsUse.None);

        Assert.Equal(SettingsValidator.PostgresNotAvailable, Assert.Single(errors));
        var b = new Npgsql.NpgsqlConnectionStringBuilder(settings.Database.ConnectionString);
        Assert.Equal(("db1", 5433, "amidialer", "dialer", "hunter2"), (b.Host, b.Port, b.Database, b.Username, b.Password));
    }

    [Fact]
    public async Task Starting_with_postgres_exits_1_naming_the_key_and_issue_without_the_password_or_a_sqlite_file()
    {
        var env = new Dictionary<string, string>
        {
            ["AMIDIALER_Database__Provider"] = "Postgres",
            ["AMIDIALER_Database__ConnectionString"] = "postgres://dialer:hunter2@127.0.0.1:5432/amidialer",
        };

        foreach (var args in new[] { new[] { "campaign", "list", "--db", _runner.DatabasePath }, ["config", "check"] })
        {
            var r = await AmiDialerProcess.RunAsync(_runner.Folder, env, AmiDialerProcess.CommandLimit, args);

            Assert.True(r.Code == AmiDialerCli.Failure, r.ToString());
            Assert.Contains("Database:Provider: Postgres is not available yet: the PostgreSQL store is being built (issue #25)", r.Error, StringComparison.Ordinal);
            Assert.Contains("AMIDIALER_Database__Provider", r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", r.Output + r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_runner.DatabasePath), "a SQLite file was opened although the provider is Postgres");
    }

    private static AmiDialerSettings Load(Dictionary<string, string?> values) =>
        SettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), SettingsUse.None);

    public void Dispose() => _runner.Dispose();
}
