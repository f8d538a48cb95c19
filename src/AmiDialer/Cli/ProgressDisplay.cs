using System.Globalization;
using Spectre.Console;

namespace AmiDialer.Cli;

/// <summary>
/// Long work's progress on stderr. On a terminal, a Spectre.Console bar with percent, time left and the work's own
/// figures (rows/s, calls/s), redrawn in place while <see cref="ShowAsync{T}"/> runs; otherwise (a log, a pipe, a
/// test) plain lines, at most one per <see cref="PlainInterval"/>, so logs stay readable and free of escape codes.
/// </summary>
internal sealed class ProgressDisplay
{
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(1);

    private readonly TextWriter writer;
    private readonly bool terminal;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private long lastPlainTicks = long.MinValue;

    // Measures speed and time left, in percent, from the clock the work runs on; on a terminal it is the bar's own.
    private ProgressTask task;

    public ProgressDisplay(TextWriter writer, bool terminal, TimeProvider time)
    {
        this.writer = writer;
        this.terminal = terminal;
        this.time = time;
        task = new ProgressTask(0, "progress", 100, autoStart: true, time);
    }

    /// <summary>Runs <paramref name="work"/>, which calls <see cref="Update"/>; on a terminal the bar is drawn until it ends.</summary>
    public async Task<T> ShowAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!terminal)
        {
            return await work();
        }

        using var output = new DetachableWriter(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new DetachedOutput(new AnsiConsoleOutput(writer), output),
            Ansi = AnsiSupport.Yes,
            ColorSystem = Environment.GetEnvironmentVariable("NO_COLOR") is null or "" ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        var progress = new Progress(console, time) { AutoClear = false, HideCompleted = false }.Columns(
            new ProgressBarColumn(),
            new PercentageColumn(),
            new RemainingTimeColumn(),
            new TaskDescriptionColumn { Alignment = Justify.Left });
        try
        {
            return await StartAsync(progress, work);
        }
        finally
        {
            output.Detach();
        }
    }

    private async Task<T> StartAsync<T>(Progress progress, Func<Task<T>> work) =>
        await progress.StartAsync(async context =>
        {
            lock (gate)
            {
                task = context.AddTask("starting", autoStart: true, maxValue: 100);
                task.IsIndeterminate = true;
            }

            try
            {
                return await work();
            }
            finally
            {
                task.StopTask();
            }
        });

    /// <summary>The terminal's size and kind as Spectre reads them from the real writer; its writes through <see cref="DetachableWriter"/>.</summary>
    private sealed class DetachedOutput(AnsiConsoleOutput real, DetachableWriter writer) : IAnsiConsoleOutput
    {
        public TextWriter Writer => writer;

        public bool IsTerminal => real.IsTerminal;

        public int Width => real.Width;

        public int Height => real.Height;

        public void SetEncoding(System.Text.Encoding encoding) => real.SetEncoding(encoding);
    }

    /// <summary>Shows the state of the work; <paramref name="percent"/> is null when the total is unknown.</summary>
    public void Update(double? percent, string text, bool force = false)
    {
        lock (gate)
        {
            task.IsIndeterminate = percent is null;
            if (percent is { } p)
            {
                task.Value = Math.Clamp(p, 0, 100);
            }

            if (terminal)
            {
                // The description is Spectre markup: the text's own brackets must stay text.
                task.Description = Markup.Escape(text);
                return;
            }

            var now = time.GetTimestamp();
            if (!force && lastPlainTicks != long.MinValue && time.GetElapsedTime(lastPlainTicks, now) < PlainInterval)
            {
                return;
            }

            lastPlainTicks = now;
            var left = percent is null or >= 100 || task.RemainingTime is not { } remaining ? "" : $", {Left(remaining)} left";
            writer.WriteLine(percent is { } q ? $"{q.ToString("0", CultureInfo.InvariantCulture)}% {text}{left}" : text);
        }
    }

    /// <summary>A time left as people say it: "8 s", "3 min 5 s", "2 h 10 min".</summary>
    public static string Left(TimeSpan remaining) => remaining switch
    {
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(remaining.TotalSeconds):0} s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{remaining.Minutes} min {remaining.Seconds} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)remaining.TotalHours} h {remaining.Minutes} min"),
    };
}
