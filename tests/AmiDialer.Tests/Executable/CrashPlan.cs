using AmiDialer.Data.TestHooks;

namespace AmiDialer.Tests.Executable;

/// <summary>One way a dialer run dies: at a hook point (<see cref="KillSwitch"/>), or by SIGKILL from the test a while after its first dial.</summary>
internal sealed record CrashPlan(string? Point, int Pass, TimeSpan After)
{
    public static CrashPlan At(string point, int pass) => new(point, pass, TimeSpan.Zero);

    public static CrashPlan Random(TimeSpan after) => new(null, 0, after);

    public override string ToString() => Point is null ? $"SIGKILL {After.TotalMilliseconds:0} ms after its first dial" : $"{Point}:{Pass}";

    /// <summary>
    /// Every hook point, each more than once at different passes, interleaved with SIGKILLs at seeded random moments
    /// (printed, so a failure can be run again): <paramref name="count"/> kills in all.
    /// </summary>
    public static List<CrashPlan> Mixed(int count, int seed)
    {
        var random = new Random(seed);
        var plan = new List<CrashPlan>(count);
        for (var i = 0; plan.Count < count; i++)
        {
            plan.Add(i % 2 == 0
                ? At(KillSwitch.Points[i / 2 % KillSwitch.Points.Count], 1 + random.Next(4))
                : Random(TimeSpan.FromMilliseconds(150 + random.Next(1500))));
        }

        return plan;
    }
}
