namespace AmiDialer.Engine.Tests;

/// <summary>A throwaway SQLite file under the temp folder, deleted with its WAL/SHM companions.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, $"engine-{Guid.NewGuid():N}.db");
    }

    private static string Folder => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "amidialer-engine-tests");

    public string Path { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
                // A handle still closing; the temp folder is cleaned by the OS eventually.
            }
        }
    }
}
