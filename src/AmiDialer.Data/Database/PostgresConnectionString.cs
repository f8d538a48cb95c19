using System.Globalization;
using Npgsql;

namespace AmiDialer.Data.Database;

/// <summary>
/// Reads <c>Database:ConnectionString</c> for PostgreSQL: an Npgsql connection string as it is, or a
/// <c>postgres://user:password@host:port/database?sslmode=require</c> URI (what hosting providers hand out), which
/// Npgsql does not take, converted to Npgsql's form. Errors never repeat the value: it may hold a password.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>libpq URI parameters and the Npgsql keywords they become; any other parameter is refused by name.</summary>
    private static readonly Dictionary<string, string> UriParameters = new(StringComparer.Ordinal)
    {
        ["sslmode"] = "SSL Mode",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["host"] = "Host",
        ["port"] = "Port",
    };

    /// <summary>The Npgsql connection string for <paramref name="value"/>; <see cref="FormatException"/> saying what is wrong.</summary>
    public static string Normalize(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var text = value.Trim();
        var builder = IsUri(text) ? FromUri(text) : FromKeywords(text);
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new FormatException("names no host (Host=... or postgres://host/database).");
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            throw new FormatException("names no database (Database=... or postgres://host/database).");
        }

        return builder.ConnectionString;
    }

    public static bool IsUri(string value) =>
        value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromKeywords(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's message names the keyword it did not know or could not convert, not its value.
            throw new FormatException($"is not an Npgsql connection string ({ex.Message}).", ex);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var database = slash < 0 ? "" : Decode(rest[(slash + 1)..]);
        var builder = new NpgsqlConnectionStringBuilder();
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Decode(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Decode(userInfo[(colon + 1)..]);
            }
        }

        if (authority.Length > 0)
        {
            // Several hosts (h1:5432,h2:5433) are a list Npgsql takes as it is, each with its own port.
            var hosts = authority.Split(',').Select(Decode).ToList();
            if (hosts.Count == 1 && SplitPort(hosts[0]) is ({ } host, { } port))
            {
                builder.Host = host;
                builder.Port = port;
            }
            else
            {
                builder.Host = string.Join(',', hosts);
            }
        }

        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq < 0 ? pair : pair[..eq]);
            if (!UriParameters.TryGetValue(name, out var keyword))
            {
                throw new FormatException(
                    $"has the URI parameter '{name}', which has no Npgsql equivalent here (known: {string.Join(", ", UriParameters.Keys)}); use an Npgsql connection string (Host=...;Database=...) for other settings.");
            }

            try
            {
                builder[keyword] = ConvertValue(keyword, Decode(eq < 0 ? "" : pair[(eq + 1)..]));
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
            {
                throw new FormatException($"has a URI parameter '{name}' Npgsql cannot use ({ex.Message}).", ex);
            }
        }

        return builder;
    }

    // libpq spells SSL modes in lower case with dashes (verify-full); Npgsql's enum is VerifyFull.
    private static string ConvertValue(string keyword, string value) =>
        keyword == "SSL Mode" ? value.Replace("-", "", StringComparison.Ordinal) : value;

    private static (string?, int?) SplitPort(string hostPort)
    {
        // [::1]:5432 is an IPv6 address with a port; a bare IPv6 address has more than one colon and no brackets.
        var close = hostPort.LastIndexOf(']');
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0 || colon < close || (close < 0 && hostPort.IndexOf(':', StringComparison.Ordinal) != colon))
        {
            return (hostPort.Trim('[', ']'), null);
        }

        var portText = hostPort[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException("has a port that is not a number from 1 to 65535.");
        }

        return (hostPort[..colon].Trim('[', ']'), port);
    }

    private static string Decode(string part) => Uri.UnescapeDataString(part);
}
