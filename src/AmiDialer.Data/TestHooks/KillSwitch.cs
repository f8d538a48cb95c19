using System.Diagnostics;
using System.Globalization;

namespace AmiDialer.Data.TestHooks;

/// <summary>
/// A test hook for the crash tests: <c>AMIDIALER_TEST_KILL_AT=&lt;point&gt;:&lt;n&gt;</c> makes the process SIGKILL itself the
/// n-th time it passes <c>point</c>, with no cleanup, as power loss or the OOM killer would. Timing alone cannot hit
/// these moments (between a claim's commit and its send, inside an ending's transaction). Read once; unset, every
/// pass is one comparison. Lives in Data because the ending's commit is here, and the engine sees it from here.
/// </summary>
public static class KillSwitch
{
    public const string Variable = "AMIDIALER_TEST_KILL_AT";

    /// <summary>Before the first Originate of a batch is written to the socket (the attempts are claimed and tracked).</summary>
    public const string BeforeOriginate = "before-originate";

    /// <summary>After part of a burst of Originates was sent and answered by Asterisk, before the rest is written.</summary>
    public const string MidBurst = "mid-burst";

    /// <summary>Between the commit of a claim (attempts on disk as dialing) and the send of its Originates.</summary>
    public const string AfterClaim = "after-claim";

    /// <summary>Inside the transaction that writes call endings, before its commit.</summary>
    public const string EndingCommit = "ending-commit";

    /// <summary>Once an OriginateResponse Success (the callee answered) was read, before anything of it is written.</summary>
    public const string AnswerSeen = "answer-seen";

    /// <summary>As a campaign's end job begins on this node, before it writes anything (the clustered scheduler's recovery).</summary>
    public const string EndDue = "end-due";

    /// <summary>The points of the dialing path (the kill tests cycle through them).</summary>
    public static readonly IReadOnlyList<string> Points = [BeforeOriginate, MidBurst, AfterClaim, EndingCommit, AnswerSeen];

    /// <summary>Every point a test may arm: the dialing path's and the scheduler's.</summary>
    public static readonly IReadOnlyList<string> AllPoints = [.. Points, EndDue];

    private static readonly (string? Point, int Count) Armed = Parse(Environment.GetEnvironmentVariable(Variable));
    private static int _passes;

    /// <summary>True when this process was told to die at <paramref name="point"/>: code may then take the slower path that makes the point exist.</summary>
    public static bool IsArmed(string point) => Armed.Point == point;

    /// <summary>Counts a pass of <paramref name="point"/>; the armed pass kills the process and never returns.</summary>
    public static void Pass(string point)
    {
        if (Armed.Point != point || Interlocked.Increment(ref _passes) != Armed.Count)
        {
            return;
        }

        // One line, so the test can tell this death from any other; nothing else is flushed or finished.
        Console.Error.WriteLine($"{Variable}: killed at {point}:{Armed.Count}");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary><c>point:n</c>, n ≥ 1; anything else is a mistake in a test, and must not pass silently.</summary>
    internal static (string? Point, int Count) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, 0);
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0
            && AllPoints.Contains(text[..colon])
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1)
        {
            return (text[..colon], count);
        }

        throw new InvalidOperationException($"{Variable}='{text}' is not <point>:<n> with n ≥ 1 and a point among {string.Join(", ", AllPoints)}.");
    }
}
