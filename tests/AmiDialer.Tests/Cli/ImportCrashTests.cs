using System.Runtime.InteropServices;
using System.Globalization;
using System.Text;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Dapper;
using AmiDialer.Tests.Executable;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Tests.Cli;

/// <summary>An import killed mid-file (SIGKILL: nothing runs on the way out), through the real executable.</summary>
public sealed partial class ImportCrashTests : IDisposable
{
    private const int Rows = 1_000_000;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task A_killed_import_is_interrupted_at_its_last_line_only_once_its_process_is_gone_and_importing_again_completes_it()
    {
        var file = Path.Combine(cli.Folder, "big.csv");
        await WriteLeadsAsync(file, Rows);
        Assert.Equal(0, (await AmiDialerProcess.RunAsync(cli.Folder, Long, "campaign", "create", "crash", "--db", cli.DatabasePath)).Code);

        await using var import = AmiDialerProcess.Start(cli.Folder, null, "import", file, "--campaign", "crash", "--region", "US", "--db", cli.DatabasePath);
        var database = await AmiDialerDatabase.OpenAsync(cli.DatabasePath);
        var imports = new ImportRepository(database);
        var campaignId = (await new CampaignRepository(database, TimeProvider.System).GetByNameAsync("crash"))!.Id;

        // Wait for a committed batch, then freeze the importer (SIGSTOP): alive and unfinished, for certain, while
        // another process looks at its record.
        var deadline = DateTime.UtcNow + Long;
        while (await LastLineAsync(database) == 0)
        {
            if (import.HasExited)
            {
                Assert.Fail("the import ended early: " + await import.WaitAsync(Long));
            }

            Assert.True(DateTime.UtcNow < deadline, "no progress from the import");
            await Task.Delay(50);
        }

        if (Freeze(import.Id) != 0)
        {
            Assert.Fail($"SIGSTOP failed ({Marshal.GetLastPInvokeError()}): " + (import.HasExited ? (await import.WaitAsync(Long)).ToString() : "still running"));
        }

        var running = Assert.Single(await imports.ListAsync(campaignId));
        Assert.Equal(ImportStatus.Running, running.Status);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{import.Id}:"), running.Process, StringComparison.Ordinal);
        Assert.Empty(await imports.SettleAsync());

        import.Kill();
        await import.WaitAsync(Long);
        var lastLine = running.LastCommittedLine;
        Assert.InRange(lastLine, 2, Rows);

        // The next command that looks settles the record and says so; importing the same file again completes it.
        var again = await AmiDialerProcess.RunAsync(cli.Folder, Long, "import", file, "--campaign", "crash", "--region", "US", "--db", cli.DatabasePath);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Import {running.Id} of big.csv into 'crash' was interrupted after line {lastLine}"), again.Output, StringComparison.Ordinal);

        var records = await imports.ListAsync(campaignId);
        Assert.Equal(2, records.Count);
        Assert.Equal(ImportStatus.Interrupted, records[0].Status);
        Assert.Equal(lastLine, records[0].LastCommittedLine);
        Assert.Contains($"after line {lastLine}: its process", records[0].Message, StringComparison.Ordinal);
        Assert.Equal(ImportStatus.Completed, records[1].Status);
        Assert.Equal(Rows, records[1].RowsRead);
        Assert.Equal(records[0].RowsImported, records[1].RowsDuplicate);

        // Every row once: what the first import stored, and the rest from the second.
        await using var connection = await database.OpenConnectionAsync();
        var leads = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM leads");
        Assert.Equal(Rows - records[1].RowsRejected, leads);
        Assert.Equal(leads, records[0].RowsImported + records[1].RowsImported);
        Assert.True(records[1].RowsRejected < Rows / 100, records[1].ToString());
        SqliteConnection.ClearAllPools();
    }

    /// <summary>SIGSTOP (19 on Linux): the process stays, does nothing, and can still be killed.</summary>
    private static int Freeze(int pid) => Kill(pid, 19);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static async Task<long> LastLineAsync(AmiDialerDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT last_committed_line FROM imports ORDER BY id DESC LIMIT 1") ?? 0;
    }

    private static async Task WriteLeadsAsync(string path, int rows)
    {
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync("phone,name");
        for (var i = 0; i < rows; i++)
        {
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"(212) {200 + (i / 10_000)}-{i % 10_000:0000},lead {i}"));
        }
    }
}
