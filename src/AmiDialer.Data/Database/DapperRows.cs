using System.Data;
using System.Reflection;
using Dapper;

namespace AmiDialer.Data.Database;

/// <summary>
/// Dapper reads every row whole before it maps it, instead of asking for <see cref="CommandBehavior.SequentialAccess"/>.
/// </summary>
/// <remarks>
/// Dapper's queries ask for sequential access and then read each column with the synchronous getters. Npgsql then
/// reads only a row's header in <c>ReadAsync</c>, and a column cut by the network (a result over 8 KB: PostgreSQL
/// sends it in 8 KB pieces as it makes the rows) is read with a blocking socket read. With inline socket completions
/// (the app's default, see <c>InlineSocketCompletions</c>) that read runs on the socket engine's thread and waits for
/// an event only that thread can deliver: every socket of that thread (AMI, HTTP, the other PostgreSQL connections)
/// stood still for the whole command timeout, once per cut column (seen in the tests as a PostgreSQL test that timed
/// out connecting, creating a database or loading types). Without sequential access Npgsql's <c>ReadAsync</c> waits
/// for the whole row asynchronously and the getters never touch the socket. Dapper only exposes its command
/// behaviours through an internal property: a Dapper upgrade that moves it fails every start-up and every store test
/// loudly rather than bringing the blocking reads back; <c>SocketThreadTests</c> fails if they come back another way.
/// </remarks>
internal static class DapperRows
{
    private static int applied;

    public static void ReadWhole()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1)
        {
            return;
        }

        var allowed = typeof(SqlMapper.Settings).GetProperty("AllowedCommandBehaviors", BindingFlags.Static | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException(
                "Dapper.SqlMapper.Settings.AllowedCommandBehaviors is gone: this Dapper version would read PostgreSQL rows with blocking socket reads (see DapperRows).");
        allowed.SetValue(null, (CommandBehavior)allowed.GetValue(null)! & ~CommandBehavior.SequentialAccess);
    }
}
