using System.Globalization;

namespace AmiDialer.Core.Queues;

/// <summary>
/// A queue's <c>wrapuptime</c> and where it came from. No AMI event or list carries it, so it is read from queues.conf
/// with GetConfig (Category = the queue) where the login may, else taken from the operator's option
/// (<c>Dialing:QueueWrapUp:&lt;queue&gt;</c>), else unknown (0: an agent counts as free as soon as its call ends).
/// </summary>
public sealed record QueueWrapUp(TimeSpan Time, QueueWrapUpSource Source)
{
    public static QueueWrapUp Unknown { get; } = new(TimeSpan.Zero, QueueWrapUpSource.Unknown);

    /// <summary>
    /// The wrap-up a queue's category of a GetConfig answer sets (its <c>name=value</c> lines, in order): the last
    /// <c>wrapuptime</c> line, whole seconds as app_queue reads it; a category without one has Asterisk's default, 0.
    /// Null for a value app_queue would not take (negative or not a number): the configuration is not understood.
    /// </summary>
    public static TimeSpan? FromConfigLines(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var seconds = 0;
        foreach (var line in lines)
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !line.AsSpan(0, eq).Trim().Equals("wrapuptime", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = line.AsSpan(eq + 1).Trim();
            if (value.StartsWith(">"))
            {
                value = value[1..].Trim();
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
            {
                return null;
            }
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>"2 s from queues.conf", "5 s from Dialing:QueueWrapUp:sales", "unknown (0 s)".</summary>
    public string Describe(string queue) => Source switch
    {
        QueueWrapUpSource.QueuesConf => string.Create(CultureInfo.InvariantCulture, $"{Time.TotalSeconds:0.###} s from queues.conf"),
        QueueWrapUpSource.Option => string.Create(CultureInfo.InvariantCulture, $"{Time.TotalSeconds:0.###} s from Dialing:QueueWrapUp:{queue}"),
        _ => "unknown (0 s: an agent counts as free as soon as its call ends)",
    };
}

/// <summary>Where a queue's wrap-up time was learnt.</summary>
public enum QueueWrapUpSource
{
    Unknown,
    QueuesConf,
    Option,
}
