namespace AmiDialer.Web.Api;

/// <summary>
/// An upload copied to a temporary file beside the database before it is imported: the request is read
/// asynchronously at network speed, the importer then reads a seekable file (the CLI's path), so the encoding is
/// settled on the whole file and progress is a true percentage. The file is deleted when this is disposed, whatever
/// happened; one left by a killed process is swept by a later upload.
/// </summary>
internal sealed class UploadSpool : IAsyncDisposable
{
    private const string Prefix = "upload-";
    private static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    private UploadSpool(string path, FileStream file)
    {
        Path = path;
        File = file;
    }

    public string Path { get; }

    /// <summary>The spooled bytes, positioned at the start once received.</summary>
    public FileStream File { get; }

    public static string DirectoryFor(string databasePath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(databasePath)) ?? ".", "imports", "uploads");

    /// <summary>Copies <paramref name="body"/> to a new spool file in <paramref name="directory"/>, reporting the bytes received so far.</summary>
    public static async Task<UploadSpool> ReceiveAsync(Stream body, string directory, TimeProvider time, IProgress<long>? received, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        SweepStale(directory, time);
        var path = System.IO.Path.Combine(directory, $"{Prefix}{Guid.NewGuid():N}.csv");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.Asynchronous | FileOptions.SequentialScan | FileOptions.DeleteOnClose);
        var spool = new UploadSpool(path, file);
        try
        {
            var buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                total += n;
                received?.Report(total);
            }

            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            return spool;
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await File.DisposeAsync().ConfigureAwait(false);
        try
        {
            // DeleteOnClose did it already where the platform honours it; this covers the rest.
            System.IO.File.Delete(Path);
        }
        catch (IOException)
        {
            // Swept by a later upload.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }
    }

    private static void SweepStale(string directory, TimeProvider time)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - StaleAfter;
        foreach (var stale in new DirectoryInfo(directory).EnumerateFiles(Prefix + "*.csv"))
        {
            try
            {
                if (stale.LastWriteTimeUtc < cutoff)
                {
                    stale.Delete();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process's upload, or gone already.
            }
        }
    }
}
