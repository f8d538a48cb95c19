using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AmiDialer.Hosting;

/// <summary>
/// Hashes and verifies the web admin's password. Format: <c>PBKDF2-SHA256$iterations$salt$hash</c> (salt and hash in
/// base64), versioned by its prefix so the iteration count can grow without breaking stored hashes.
/// </summary>
public static class AdminPassword
{
    public const string Prefix = "PBKDF2-SHA256";
    public const int DefaultIterations = 210_000;
    public const int MinimumLength = 8;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Prefix, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; false for any malformed hash.</summary>
    public static bool Verify(string password, string? stored)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(stored, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Whether <paramref name="stored"/> is a hash this class can verify (for config validation).</summary>
    public static bool IsWellFormed(string? stored) => TryParse(stored, out _, out _, out _);

    /// <summary>Why a new password is refused, or null when it is acceptable.</summary>
    public static string? Problem(string password)
    {
        if (password.Length < MinimumLength)
        {
            return $"the password must have at least {MinimumLength} characters.";
        }

        return string.IsNullOrWhiteSpace(password) ? "the password must not be blank." : null;
    }

    private static bool TryParse(string? stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = [];
        hash = [];
        var parts = stored?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= 8 && hash.Length >= 16;
    }
}
