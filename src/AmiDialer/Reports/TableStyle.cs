using Spectre.Console;
using Spectre.Console.Rendering;

namespace AmiDialer.Reports;

/// <summary>
/// How tables are drawn: <see cref="Plain"/> for pipes, files and scripts (padded columns, no escape codes, the
/// layout scripts already parse), or boxed with bold headers for a terminal <paramref name="Width"/> columns wide.
/// </summary>
public sealed record TableStyle(bool Terminal, int Width)
{
    /// <summary>Wide enough that Spectre.Console never wraps a plain cell: a pipe has no width to fit.</summary>
    private const int PlainWidth = 1 << 20;

    public static readonly TableStyle Plain = new(false, PlainWidth);

    /// <summary>The style for stdout: plain when it is redirected or the terminal says it is dumb.</summary>
    public static TableStyle ForConsole()
    {
        if (Console.IsOutputRedirected || Environment.GetEnvironmentVariable("TERM") == "dumb")
        {
            return Plain;
        }

        int width;
        try
        {
            width = Console.WindowWidth;
        }
        catch (IOException)
        {
            width = 0;
        }

        return new TableStyle(true, width > 0 ? width : 80);
    }

    /// <summary>The text of <paramref name="renderable"/> in this style: ANSI codes only for a terminal.</summary>
    public string Render(IRenderable renderable)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = Terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = Terminal && Environment.GetEnvironmentVariable("NO_COLOR") is null or "" ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Width;
        console.Write(renderable);
        return writer.ToString();
    }
}
