namespace AmiDialer.Core.Model;

/// <summary>A place in the dialplan: where an answered call goes, or where a Redirect sends it.</summary>
public sealed record DialplanTarget(string Context, string Extension, int Priority)
{
    public override string ToString() => $"{Context},{Extension},{Priority}";
}
