using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AmiDialer.Hosting;
using AmiDialer.Reports;

namespace AmiDialer.Cli;

/// <summary>
/// <c>admin set-password</c>: hashes the web admin's password (PBKDF2, see <see cref="AdminPassword"/>). The hash is
/// configuration, not data: it is printed for <c>Web:AdminPasswordHash</c>, or merged into a JSON settings file with
/// <c>--save</c>. The password itself is never printed, logged or written.
/// </summary>
internal static class AdminCommand
{
    public static Command Build(CliContext context)
    {
        var fromStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the password from the first line of standard input instead of prompting.",
        };
        var save = new Option<string?>("--save")
        {
            Description = "Also write the hash as Web:AdminPasswordHash into this JSON settings file (created if missing); pass it to serve with --config.",
            HelpName = "file.json",
        };
        var setPassword = new Command("set-password", "Set the web admin's password: prints its hash for Web:AdminPasswordHash.");
        setPassword.Options.Add(fromStdin);
        setPassword.Options.Add(save);
        setPassword.SetAction(async (parse, ct) =>
        {
            var password = parse.GetValue(fromStdin) || !context.IsTerminal
                ? await ReadLineAsync(context.Input, ct)
                : Prompt();
            if (AdminPassword.Problem(password) is { } problem)
            {
                throw new CliException("admin set-password: " + problem);
            }

            var hash = AdminPassword.Hash(password);
            if (parse.GetValue(save) is { } file)
            {
                await SaveAsync(file, hash, ct);
                await context.Output.WriteLineAsync($"Saved Web:AdminPasswordHash in {Path.GetFullPath(file)}; start the web with: amidialer serve --config {file}");
            }

            await context.Output.WriteLineAsync(hash);
            await context.Error.WriteLineAsync("Use it as Web:AdminPasswordHash in your settings file, or set AMIDIALER_Web__AdminPasswordHash (quote it: it contains '$').");
            return AmiDialerCli.Success;
        });

        var admin = new Command("admin", "Administration of the web UI.");
        admin.Subcommands.Add(setPassword);
        return admin;
    }

    private static async Task<string> ReadLineAsync(TextReader input, CancellationToken ct)
    {
        var line = await input.ReadLineAsync(ct);
        return line ?? throw new CliException("admin set-password: no password on standard input.");
    }

    /// <summary>Reads the password twice without echo.</summary>
    private static string Prompt()
    {
        var first = ReadHidden("New admin password: ");
        var second = ReadHidden("Repeat it: ");
        return first == second ? first : throw new CliException("admin set-password: the two passwords differ.");
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }

    private static async Task SaveAsync(string file, string hash, CancellationToken ct)
    {
        JsonObject root;
        try
        {
            root = File.Exists(file)
                ? JsonNode.Parse(await File.ReadAllTextAsync(file, ct), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                  ?? throw new CliException($"--save: {file} does not hold a JSON object.")
                : [];
        }
        catch (JsonException ex)
        {
            throw new CliException($"--save: {file} is not valid JSON: {ex.Message}");
        }

        if (root["Web"] is not JsonObject web)
        {
            web = [];
            root["Web"] = web;
        }

        web["AdminPasswordHash"] = hash;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await File.WriteAllTextAsync(file, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JsonOutput.Encoder }) + Environment.NewLine, ct);
    }
}
