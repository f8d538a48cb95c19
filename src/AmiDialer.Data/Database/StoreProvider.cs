namespace AmiDialer.Data.Database;

/// <summary>The engine that holds the store (<c>Database:Provider</c>).</summary>
public enum StoreProvider
{
    /// <summary>One SQLite file: the embedded default, one process.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by any number of nodes.</summary>
    Postgres,
}
