namespace AmiDialer.Testing;

/// <summary>Finds the repository and its recorded AMI captures from wherever a test runs.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder that holds AmiDialer.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The recorded Asterisk traffic: AMIDIALER_CAPTURES, else the repository's own copy in tests/captures.</summary>
    public static string Captures
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("AMIDIALER_CAPTURES");
            var path = !string.IsNullOrEmpty(fromEnv) ? fromEnv : Path.Combine(RepoRoot, "tests", "captures");
            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException($"AMI captures not found at {path}; set AMIDIALER_CAPTURES.");
            }

            return path;
        }
    }

    public static string Capture(string fileName) => Path.Combine(Captures, fileName);

    public static string Campaign(string fileName) => Path.Combine(RepoRoot, "campaigns", fileName);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AmiDialer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("AmiDialer.sln not found above " + AppContext.BaseDirectory);
    }
}
