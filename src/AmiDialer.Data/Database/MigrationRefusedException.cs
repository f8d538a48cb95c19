namespace AmiDialer.Data.Database;

/// <summary>A copy refused before anything was written: what is wrong, and what to do.</summary>
public sealed class MigrationRefusedException(string message, string remedy) : Exception(message)
{
    public string Remedy { get; } = remedy;
}
