using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Copies committed pages from the WAL into the database file on a connection and thread of its own, so a bulk
/// writer goes on inserting while the copy and its fsyncs happen (with SQLite's automatic checkpoint they stall the
/// committing thread for every batch). Passive checkpoints: they never block a writer or a reader. A passive
/// checkpoint never lets the WAL start over, though, so once it is large the writer calls <see cref="SettleAsync"/>
/// between batches: a restarting checkpoint then bounds the file.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private readonly SqliteConnection connection;
    private readonly long settleFrames;
    private Task<(int Log, int Copied)> running = Task.FromResult((0, 0));
    private (int Log, int Copied) last;

    private WalCheckpointer(SqliteConnection connection, long settleFrames)
    {
        this.connection = connection;
        this.settleFrames = settleFrames;
    }

    public static async Task<WalCheckpointer> OpenAsync(Database.AmiDialerDatabase database, long settleFrames, CancellationToken cancellationToken) =>
        new(await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false), settleFrames);

    /// <summary>Starts a checkpoint of what is committed, unless one is still running (the next request will catch up).</summary>
    public void Request()
    {
        if (running.IsCompleted)
        {
            Observe();
            running = Start(raw.SQLITE_CHECKPOINT_PASSIVE);
        }
    }

    /// <summary>When the WAL has grown past the bound, waits until every committed frame is copied, so the next transaction starts the WAL over.</summary>
    public async Task SettleAsync()
    {
        Observe();
        if (last.Log < settleFrames)
        {
            return;
        }

        // The writer is between transactions: copy what is left, then wait (at most the busy timeout) until no reader
        // still needs the old frames, so the next write starts the WAL over. Most pages were copied in the background.
        await running.ConfigureAwait(false);
        running = Start(raw.SQLITE_CHECKPOINT_RESTART);
        await running.ConfigureAwait(false);
        last = (0, 0);
    }

    private void Observe()
    {
        if (running.IsCompletedSuccessfully)
        {
            last = running.Result;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (SqliteException)
        {
            // A failed checkpoint loses nothing: the frames stay in the WAL for the next one.
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    // A thread of its own: the pool's threads are all busy validating and inserting, and a queued checkpoint would
    // wait for the pool to grow.
    private Task<(int Log, int Copied)> Start(int mode) =>
        Task.Factory.StartNew(() => Checkpoint(mode), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private (int Log, int Copied) Checkpoint(int mode)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(connection.Handle, null, mode, out var log, out var copied);
        return rc is raw.SQLITE_OK or raw.SQLITE_BUSY
            ? (log, copied)
            : throw new SqliteException($"SQLite error {rc} in a WAL checkpoint: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}", rc);
    }
}
