using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AmiDialer.Data.Database;

/// <summary>
/// SQLite's lookaside: a connection's pool of small allocations that skip malloc and its mutex. The default holds
/// 40 slots, and a connection that keeps a score of statements prepared has them all taken by those statements:
/// on the engine's writer 798,034 of 810,124 small allocations fell through to malloc (store bench, 10,000 calls).
/// </summary>
internal static class LookasideMemory
{
    /// <summary>Slot size, SQLite's default; every small allocation of a statement's run fits it.</summary>
    public const int SlotBytes = 1200;

    /// <summary>Enough for the writer's statements and their runs (it peaked at 277 in the store bench).</summary>
    public const int WriterSlots = 500;

    /// <summary>
    /// Gives the connection <paramref name="slots"/> lookaside slots. SQLite only allows it while none is in use
    /// (nothing prepared yet): false if it refused, and the connection keeps what it had.
    /// </summary>
    public static bool Enlarge(SqliteConnection connection, int slots) =>
        raw.sqlite3_db_config(connection.Handle!, raw.SQLITE_DBCONFIG_LOOKASIDE, IntPtr.Zero, SlotBytes, slots) == raw.SQLITE_OK;

    /// <summary>Allocations served from lookaside, and those that went to malloc because every slot was taken.</summary>
    public static (long Hits, long MissesFull) Counts(SqliteConnection connection)
    {
        raw.sqlite3_db_status(connection.Handle!, raw.SQLITE_DBSTATUS_LOOKASIDE_HIT, out _, out var hits, 0);
        raw.sqlite3_db_status(connection.Handle!, raw.SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL, out _, out var full, 0);
        return (hits, full);
    }
}
