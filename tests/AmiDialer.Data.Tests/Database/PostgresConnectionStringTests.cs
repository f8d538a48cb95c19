using AmiDialer.Data.Database;
using Npgsql;

namespace AmiDialer.Data.Tests.Database;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void A_postgres_uri_becomes_an_npgsql_connection_string_with_its_parts_percent_decoded()
    {
        var normalized = PostgresConnectionString.Normalize("postgres://dial%40er:p%3Ass@w%2Frd@db1.example.com:6543/amidialer?sslmode=verify-full&application_name=node%201&connect_timeout=7");
        var b = new NpgsqlConnectionStringBuilder(normalized);

        Assert.Equal("dial@er", b.Username);
        Assert.Equal("p:ss@w/rd", b.Password);
        Assert.Equal("db1.example.com", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("amidialer", b.Database);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal("node 1", b.ApplicationName);
        Assert.Equal(7, b.Timeout);
    }

    [Theory]
    [InlineData("postgresql://h/db", "h", 5432)]
    [InlineData("postgres://[::1]:5433/db", "::1", 5433)]
    [InlineData("postgres://u@h1:5432,h2:5433/db", "h1:5432,h2:5433", 5432)]
    public void Hosts_ports_and_the_postgresql_scheme_are_understood(string uri, string host, int port)
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(uri));

        Assert.Equal(host, b.Host);
        Assert.Equal(port, b.Port);
        Assert.Equal("db", b.Database);
    }

    [Fact]
    public void An_npgsql_connection_string_is_kept_as_npgsql_reads_it()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize("Host=db1;Port=5432;Database=amidialer;Username=u;Password=secret"));

        Assert.Equal(("db1", "amidialer", "u", "secret"), (b.Host, b.Database, b.Username, b.Password));
    }

    [Theory]
    [InlineData("postgres://u:topsecret@h:99999/db", "port")]
    [InlineData("postgres://u:topsecret@h/db?sslfactory=x", "'sslfactory'")]
    [InlineData("postgres://u:topsecret@h/", "no database")]
    [InlineData("Database=d;Password=topsecret", "no host")]
    [InlineData("Host=h;Database=d;Password=topsecret;Colour=blue", "Npgsql connection string")]
    public void A_bad_value_says_what_is_wrong_without_repeating_the_password(string value, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => PostgresConnectionString.Normalize(value));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", ex.Message, StringComparison.Ordinal);
    }
}
