using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Protocol;

/// <summary>A frame as comparable text, so two parses can be compared with one Assert.Equal.</summary>
internal static class FrameText
{
    public static string Of(AmiFrame frame) => frame.Kind switch
    {
        AmiFrameKind.Message => "M|" + string.Join("|", frame.Message!.Select(h => h.Key + "=" + h.Value)),
        AmiFrameKind.Banner => "B|" + frame.Banner,
        _ => "E|" + frame.Error,
    };

    public static List<string> Of(IEnumerable<AmiFrame> frames) => frames.Select(Of).ToList();
}
