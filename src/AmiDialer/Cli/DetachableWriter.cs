using System.Text;

namespace AmiDialer.Cli;

/// <summary>
/// Spectre.Console's progress bar redraws from a thread of its own, which may write once more after the bar was
/// stopped: the bar writes through this, which drops everything once detached, so a writer its owner has closed
/// (a test's, a redirected stream's) never sees a write after <see cref="ProgressDisplay.ShowAsync{T}"/> returned.
/// </summary>
internal sealed class DetachableWriter(TextWriter target) : TextWriter
{
    private readonly Lock gate = new();
    private TextWriter? target = target;

    public override Encoding Encoding => target?.Encoding ?? Encoding.UTF8;

    /// <summary>From now on writes go nowhere; a write in progress has ended when this returns.</summary>
    public void Detach()
    {
        lock (gate)
        {
            target = null;
        }
    }

    public override void Write(char value)
    {
        lock (gate)
        {
            target?.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (gate)
        {
            target?.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (gate)
        {
            target?.Write(buffer, index, count);
        }
    }

    public override void Flush()
    {
        lock (gate)
        {
            target?.Flush();
        }
    }
}
