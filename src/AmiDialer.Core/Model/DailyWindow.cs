namespace AmiDialer.Core.Model;

/// <summary>A span of the day, local time. <see cref="End"/> may be 24:00; Start == End is empty.</summary>
public readonly record struct DailyWindow(TimeSpan Start, TimeSpan End)
{
    public static DailyWindow AllDay => new(TimeSpan.Zero, TimeSpan.FromHours(24));

    public override string ToString() => $"{Format(Start)}-{Format(End)}";

    private static string Format(TimeSpan t) => $"{(int)t.TotalHours:00}:{t.Minutes:00}";
}
