using AmiDialer.Cli;
using AmiDialer.Hosting;

namespace AmiDialer.Tests.Cli;

/// <summary>Runs the amidialer command line in process, with captured output, against a temporary folder.</summary>
internal sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Folder = Directory.CreateTempSubdirectory("amidialer-cli-").FullName;
    }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "test.db");

    public AppServicesOptions ServicesOptions { get; init; } = new();

    public string Input { get; init; } = "";

    /// <summary>Runs with <c>--db</c> pointing at this runner's temporary database.</summary>
    public Task<CliResult> Db(params string[] args) => Run([.. args, "--db", DatabasePath]);

    public async Task<CliResult> Run(params string[] args) => await Run(args, CancellationToken.None);

    public async Task<CliResult> Run(string[] args, CancellationToken ct)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(Input);
        var context = new CliContext(output, error) { Input = input, ServicesOptions = ServicesOptions };
        var code = await AmiDialerCli.RunAsync(args, context, ct);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public string File(string name, string content)
    {
        var path = Path.Combine(Folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open on this platform; the OS cleans temp folders.
        }
    }
}

internal sealed record CliResult(int Code, string Output, string Error)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
