using System.Reflection;
using AmiDialer.Data.Database;
using AmiDialer.Testing.Postgres;
using Xunit.Sdk;

namespace AmiDialer.Data.Tests;

/// <summary>Runs a <c>[Theory]</c> of the store's suite on a SQLite file: pass the <see cref="StoreProvider"/> to <see cref="StoreTests.OpenAsync"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteStoreAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StoreProvider.Sqlite]];
}

/// <summary>
/// Runs the same <c>[Theory]</c> on PostgreSQL (the class's <see cref="PostgresFixture"/>); skipped with the reason
/// where the server binaries are missing, failed instead when AMIDIALER_REQUIRE_POSTGRES=1 (as <see cref="PostgresFactAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresStoreAttribute : DataAttribute
{
    public PostgresStoreAttribute()
    {
        if (!PostgresBinaries.IsAvailable && !PostgresBinaries.IsRequired)
        {
            Skip = PostgresBinaries.SkipReason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StoreProvider.Postgres]];
}

/// <summary>
/// The store's suite, once per engine: a test class derives from this, marks its tests
/// <c>[Theory, SqliteStore, PostgresStore]</c>, takes a <see cref="StoreProvider"/> and opens its store with
/// <see cref="OpenAsync"/>. One body, two engines; one throwaway PostgreSQL cluster per class.
/// </summary>
public abstract class StoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    protected PostgresFixture Postgres => postgres;

    protected Task<TempDatabase> OpenAsync(StoreProvider provider) => TempDatabase.CreateAsync(provider, postgres);
}
