namespace AmiDialer.Testing.Postgres;

/// <summary>
/// Where the PostgreSQL server binaries are: <c>AMIDIALER_PG_BIN</c>, else <c>initdb</c> on PATH, else the newest
/// <c>/usr/lib/postgresql/&lt;v&gt;/bin</c> (Debian installs them there and puts only the clients on PATH).
/// </summary>
public static class PostgresBinaries
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The folder holding <c>initdb</c> and <c>pg_ctl</c>, or null when there is none.</summary>
    public static string? Folder => Found.Value;

    public static bool IsAvailable => Folder is not null;

    /// <summary>Set by .ci/run: a missing PostgreSQL fails the tests that need it instead of skipping them.</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable("AMIDIALER_REQUIRE_POSTGRES") == "1";

    public static string SkipReason =>
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH, in /usr/lib/postgresql/<version>/bin or in " +
        "AMIDIALER_PG_BIN: install Debian's package (apt-get install -y postgresql); set AMIDIALER_REQUIRE_POSTGRES=1 to " +
        "make this a failure.";

    public static string Tool(string name) =>
        Path.Combine(Folder ?? throw new InvalidOperationException(SkipReason), name);

    private static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("AMIDIALER_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return HasServer(fromEnv) ? fromEnv : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (HasServer(dir))
            {
                return dir;
            }
        }

        const string Debian = "/usr/lib/postgresql";
        if (!Directory.Exists(Debian))
        {
            return null;
        }

        return Directory.GetDirectories(Debian)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(d => HasServer(d.Dir))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Dir)
            .FirstOrDefault();
    }

    private static bool HasServer(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
}
