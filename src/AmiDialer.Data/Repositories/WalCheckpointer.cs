using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Copies committed pages from the WAL into the database file on a connection and thread of its own, so a bulk
/// writer goes on inserting while the copy and its fsyncs happen (with SQLite's automatic checkpoint they stall the
/// committing thread for every batch). Passive checkpoints: they never block a writer or a reader. A passive
/// checkpoint seldom lets the WAL start over, though (only a transaction that begins after every frame was copied
/// does), so every so many rows the writer calls <see cref="SettleAsync"/> between batches: a restarting checkpoint
/// then bounds the file.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private readonly SqliteConnection connection;
    private readonly long settleRows;
    private long settledAt;
    private Task<(int Log, int Copied)> running = Task.FromResult((0, 0));

    private WalCheckpointer(SqliteConnection connection, long settleRows)
    {
        this.connection = connection;
        this.settleRows = settleRows;
    }

    public static async Task<WalCheckpointer> OpenAsync(Database.AmiDialerDatabase database, long settleRows, CancellationToken cancellationToken) =>
        new(await database.OpenSqliteConnectionAsync(cancellationToken).ConfigureAwait(false), settleRows);

    /// <summary>Starts a checkpoint of what is committed, unless one is still running (the next request will catch up).</summary>
    public void Request()
    {
        if (running.IsCompleted)
        {
            Observe();
            running = Start(raw.SQLITE_CHECKPOINT_PASSIVE);
        }
    }

    /// <summary>
    /// Every <c>settleRows</c> rows, waits until every committed frame is copied and no reader needs the old ones, so
    /// the next write starts the WAL over. Rows, not the WAL's size, decide: the size is only known once a
    /// background checkpoint has finished, which may be late, and the file must stay bounded regardless.
    /// </summary>
    public async Task SettleAsync(long rowsWritten)
    {
        Observe();
        if (rowsWritten - settledAt < settleRows)
        {
            return;
        }

        // The writer is between transactions: copy what is left (most of it was copied in the background) and wait,
        // at most the busy timeout, for readers of the old frames.
        await running.ConfigureAwait(false);
        running = Start(raw.SQLITE_CHECKPOINT_RESTART);
        await running.ConfigureAwait(false);
        settledAt = rowsWritten;
    }

    // A failed background checkpoint loses nothing (the frames stay in the WAL for the next one), but it is reported.
    private void Observe()
    {
        if (running.IsFaulted)
        {
            running.GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Closes the connection once the checkpoint in progress (typically the last batches') is done, without waiting
    /// for it: what it copies is committed already, and the import it served has nothing left to do.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        _ = running.ContinueWith(
            static (checkpoint, state) =>
            {
                // A failed checkpoint loses nothing: the frames stay in the WAL for the next one.
                _ = checkpoint.Exception;
                ((SqliteConnection)state!).Dispose();
            },
            connection,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return ValueTask.CompletedTask;
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
