using Xunit;

namespace AmiDialer.Testing.Postgres;

/// <summary>
/// A test that needs a throwaway PostgreSQL (<see cref="PostgresFixture"/>). Where the server binaries are missing the
/// test is skipped with a message saying how to get them, unless AMIDIALER_REQUIRE_POSTGRES=1 (set by .ci/run), in
/// which case it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresBinaries.IsAvailable && !PostgresBinaries.IsRequired)
        {
            Skip = PostgresBinaries.SkipReason;
        }
    }
}
