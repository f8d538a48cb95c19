using System.Security.Cryptography;

namespace AmiDialer.Web.Auth;

/// <summary>
/// The server's list of live login sessions, one empty file per session beside the database. The login cookie only
/// names its session; logging out deletes the file, so a copy of the old cookie is refused from then on. Files rather
/// than memory: a restart keeps sessions (the cookie keys are kept too) and a logout is not undone by one.
/// </summary>
internal sealed class LoginSessions
{
    /// <summary>The claim in the login cookie that names its session.</summary>
    public const string ClaimType = "amidialer:session";

    // A live session's file is rewritten at most this often, not on every request.
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    private readonly string directory;
    private readonly TimeSpan idle;
    private readonly TimeProvider time;

    public LoginSessions(string directory, TimeSpan idle, TimeProvider time)
    {
        this.directory = directory;
        this.idle = idle;
        this.time = time;
        Directory.CreateDirectory(directory);
    }

    /// <summary>Starts a session and returns its id (random, 256 bits).</summary>
    public string Start()
    {
        Sweep();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var path = PathOf(id)!;
        File.WriteAllBytes(path, []);
        File.SetLastWriteTimeUtc(path, time.GetUtcNow().UtcDateTime);
        return id;
    }

    /// <summary>True when the session exists and was used within the idle limit; a live session is marked as used now.</summary>
    public bool IsLive(string? id)
    {
        var path = PathOf(id);
        if (path is null || !File.Exists(path))
        {
            return false;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var last = File.GetLastWriteTimeUtc(path);
        if (now - last > idle)
        {
            TryDelete(path);
            return false;
        }

        if (now - last > TouchEvery)
        {
            try
            {
                File.SetLastWriteTimeUtc(path, now);
            }
            catch (IOException)
            {
                // Ended by a logout on another request meanwhile; this one is refused next time.
            }
        }

        return true;
    }

    public void End(string? id)
    {
        var path = PathOf(id);
        if (path is not null)
        {
            TryDelete(path);
        }
    }

    /// <summary>Only ids this class makes name a file: anything else could point outside the folder.</summary>
    private string? PathOf(string? id) =>
        id is { Length: 64 } && id.All(char.IsAsciiHexDigitLower) ? Path.Combine(directory, id) : null;

    private void Sweep()
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (now - File.GetLastWriteTimeUtc(file) > idle)
            {
                TryDelete(file);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Already gone or busy: the next sweep takes it.
        }
    }
}
